import type { Command } from 'commander';

import type { CliContext } from './context';

export function register(program: Command, cli: CliContext): void {
  program
    .command('spec')
    .description('create a new config.json (runc\'s defaults) in the bundle')
    .option('-b, --bundle <dir>', 'path to the root of the bundle directory', '.')
    .option('--rootless', 'generate a configuration for a rootless container', false)
    .action((opts: { bundle: string; rootless: boolean }) =>
      cli.run(async () => {
        const { writeDefaultSpec } = await import('../engine/operations/spec');
        writeDefaultSpec(opts.bundle, opts.rootless);
      }),
    );
}
