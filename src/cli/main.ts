import { Command, CommanderError, Option } from 'commander';

import { CliContext } from './context';
import * as create from './create';
import * as del from './delete';
import * as kill from './kill';
import * as list from './list';
import * as run from './run';
import * as spec from './spec';
import * as start from './start';
import * as state from './state';
import { versionText } from './version';

const EXAMPLES = `
Examples:
  mkdir -p bundle/rootfs && cista spec --bundle bundle     write runc's default config.json
  cista run --bundle bundle c1                             run it in the foreground
  cista create --bundle bundle c1 && cista start c1        the two-step lifecycle containerd uses
  cista state c1; cista kill c1 KILL; cista delete c1      inspect, signal, remove`;

export async function main(argv: string[]): Promise<void> {
  const program = new Command('cista');
  const cli = new CliContext(program);
  program
    .description('cista: a low-level OCI container runtime, a drop-in for runc')
    .option('--root <dir>', 'root directory for the containers\' state', '/run/cista')
    .option('--log <file>', 'log file (created first; errors go there as well as to stderr)')
    .addOption(new Option('--log-format <format>', 'log format').choices(['text', 'json']).default('text'))
    .option('--debug', 'log debug messages too', false)
    .option('--systemd-cgroup', 'use the systemd cgroup driver (not supported yet)', false)
    .option('-v, --version', 'print the version')
    .addHelpText('after', EXAMPLES)
    .enablePositionalOptions()
    .exitOverride()
    .configureOutput({ writeErr: () => undefined });
  program.on('option:version', () => {
    process.stdout.write(versionText());
    process.exit(0);
  });
  for (const command of [spec, create, run, start, state, kill, del, list]) command.register(program, cli);
  for (const command of program.commands) command.exitOverride().configureOutput({ writeErr: () => undefined });

  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (e instanceof CommanderError) {
      if (e.code === 'commander.helpDisplayed' || e.code === 'commander.help' || e.code === 'commander.version') return;
      cli.fail(Object.assign(new Error(e.message.replace(/^error: /, '')), { name: 'CistaError' }));
      return;
    }
    cli.fail(e);
  }
}
