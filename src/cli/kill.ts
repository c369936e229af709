import type { Command } from 'commander';

import type { CliContext } from './context';

export function register(program: Command, cli: CliContext): void {
  program
    .command('kill')
    .description('send a signal (default SIGTERM) to a container\'s init')
    .option('-a, --all', 'send it to every process in the container\'s cgroup', false)
    .argument('<container-id>')
    .argument('[signal]', 'name (KILL, SIGKILL) or number', 'SIGTERM')
    .action((id: string, signal: string, flags: { all: boolean }) =>
      cli.run(async () => {
        const { parseSignal } = await import('../engine/spec/signals');
        const { killContainer } = await import('../engine/operations/kill');
        killContainer(cli.globals.root, id, parseSignal(signal), flags.all);
      }),
    );
}
