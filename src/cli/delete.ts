import type { Command } from 'commander';

import type { CliContext } from './context';

export function register(program: Command, cli: CliContext): void {
  program
    .command('delete')
    .description('delete a stopped container and everything it holds')
    .option('-f, --force', 'kill the container first if it is still running; succeed if it does not exist', false)
    .argument('<container-id>')
    .action((id: string, flags: { force: boolean }) =>
      cli.run(async () => {
        const { deleteContainer } = await import('../engine/operations/delete');
        deleteContainer(cli.globals.root, id, flags.force);
      }),
    );
}
