import { CistaError } from '../engine/errors';
import type { CreateOptions } from '../engine/operations/create';
import { type CommandSpec, type OptionSpec, type ParsedArgs, flag, stringOption } from './command';
import type { CliContext } from './context';

/** The flags create and run share, with runc's names. */
export const CREATE_OPTIONS: Record<string, OptionSpec> = {
  bundle: { type: 'string', short: 'b', value: '<dir>', description: 'the bundle directory (default: the current one)' },
  'pid-file': { type: 'string', value: '<file>', description: 'write the container init\'s host pid there (digits only)' },
  'console-socket': { type: 'string', value: '<path>', description: 'AF_UNIX socket that receives the pty master of a terminal' },
  'no-pivot': { type: 'boolean', description: 'MS_MOVE + chroot instead of pivot_root, for a rootfs on a ramdisk' },
  'no-new-keyring': { type: 'boolean', description: 'keep the caller\'s session keyring instead of a new one' },
  'preserve-fds': { type: 'string', value: '<n>', description: 'pass the caller\'s fds 3 to 3+N-1 on to the container' },
};

export function createOptions(cli: CliContext, args: ParsedArgs): CreateOptions {
  const preserve = stringOption(args, 'preserve-fds') ?? '0';
  if (!/^\d+$/.test(preserve)) throw new CistaError(`--preserve-fds must be a number, not ${JSON.stringify(preserve)}`);
  return {
    root: cli.globals.root,
    id: args.positionals[0],
    bundle: stringOption(args, 'bundle') ?? '.',
    pidFile: stringOption(args, 'pid-file'),
    consoleSocket: stringOption(args, 'console-socket'),
    noPivot: flag(args, 'no-pivot'),
    noNewKeyring: flag(args, 'no-new-keyring'),
    preserveFds: Number(preserve),
    systemdCgroup: cli.globals.systemdCgroup,
    warn: (message) => cli.log.warn(message),
    debug: (message) => cli.log.debug(message),
  };
}

export const command: CommandSpec = {
  name: 'create',
  summary: 'create a container: set up, and waiting for start',
  options: CREATE_OPTIONS,
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { createContainer } = await import('../engine/operations/create');
    createContainer(createOptions(cli, args));
  },
};
