import type { Command } from 'commander';

import type { CliContext } from './context';
import { type CreateFlags, addCreateFlags, createOptions } from './create';

export function register(program: Command, cli: CliContext): void {
  addCreateFlags(program.command('run').description('create and start a container; in the foreground, wait for it and exit with its status'))
    .option('-d, --detach', 'detach from the container\'s process', false)
    .option('--keep', 'do not delete the container after it exits', false)
    .option('--no-subreaper', 'accepted for runc compatibility')
    .argument('<container-id>')
    .action((id: string, flags: CreateFlags & { detach: boolean; keep: boolean }) =>
      cli.run(async () => {
        const { runContainer } = await import('../engine/operations/run');
        return runContainer({ ...createOptions(cli, id, flags), detach: flags.detach, keep: flags.keep });
      }),
    );
}
