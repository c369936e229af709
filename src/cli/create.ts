import { type Command, Option } from 'commander';

import type { CliContext } from './context';

export interface CreateFlags {
  bundle: string;
  pidFile?: string;
  consoleSocket?: string;
  pivot: boolean;
  newKeyring: boolean;
  preserveFds: number;
}

function parseCount(value: string): number {
  if (!/^\d+$/.test(value)) throw new Error(`expected a number, got "${value}"`);
  return Number(value);
}

/** The flags create and run share, with runc's names. */
export function addCreateFlags(command: Command): Command {
  return command
    .option('-b, --bundle <dir>', 'path to the root of the bundle directory', '.')
    .option('--pid-file <file>', 'file to write the container init\'s host pid to')
    .option('--console-socket <path>', 'AF_UNIX socket that receives the pty master of a terminal container')
    .option('--no-pivot', 'do not use pivot_root (MS_MOVE + chroot instead), for a rootfs on a ramdisk')
    .option('--no-new-keyring', 'do not create a new session keyring for the container')
    .addOption(new Option('--preserve-fds <n>', 'pass N additional fds (3 to 3+N-1) to the container').default(0).argParser(parseCount));
}

export function createOptions(cli: CliContext, id: string, flags: CreateFlags) {
  const g = cli.globals;
  return {
    root: g.root,
    id,
    bundle: flags.bundle,
    pidFile: flags.pidFile,
    consoleSocket: flags.consoleSocket,
    noPivot: !flags.pivot,
    noNewKeyring: !flags.newKeyring,
    preserveFds: flags.preserveFds,
    systemdCgroup: g.systemdCgroup,
  };
}

export function register(program: Command, cli: CliContext): void {
  addCreateFlags(program.command('create').description('create a container, set up and waiting for start'))
    .argument('<container-id>')
    .action((id: string, flags: CreateFlags) =>
      cli.run(async () => {
        const { createContainer } = await import('../engine/operations/create');
        createContainer(createOptions(cli, id, flags));
      }),
    );
}
