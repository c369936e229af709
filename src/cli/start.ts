import type { Command } from 'commander';

import type { CliContext } from './context';

export function register(program: Command, cli: CliContext): void {
  program
    .command('start')
    .description('start a created container')
    .argument('<container-id>')
    .action((id: string) =>
      cli.run(async () => {
        const { startContainer } = await import('../engine/operations/start');
        startContainer(cli.globals.root, id);
      }),
    );
}
