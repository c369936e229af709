import type { Command } from 'commander';

import type { CliContext } from './context';

export function register(program: Command, cli: CliContext): void {
  program
    .command('state')
    .description('print the state of a container as JSON')
    .argument('<container-id>')
    .action((id: string) =>
      cli.run(async () => {
        const { containerState } = await import('../engine/operations/state');
        process.stdout.write(`${JSON.stringify(containerState(cli.globals.root, id), null, '  ')}\n`);
      }),
    );
}
