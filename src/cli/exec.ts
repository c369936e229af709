import { CistaError } from '../engine/errors';
import { type CommandSpec, flag, listOption, stringOption } from './command';

function parseId(text: string, what: string): number {
  if (!/^\d+$/.test(text)) throw new CistaError(`${what} must be a number, not ${JSON.stringify(text)}`);
  return Number(text);
}

/** --user uid[:gid]: numbers only, as names would need the container's /etc/passwd. */
function parseUser(text: string | undefined): { uid: number; gid?: number } | undefined {
  if (text === undefined) return undefined;
  const [uid, gid, extra] = text.split(':');
  if (extra !== undefined) throw new CistaError(`--user must be uid[:gid], not ${JSON.stringify(text)}`);
  return { uid: parseId(uid, '--user uid'), gid: gid === undefined ? undefined : parseId(gid, '--user gid') };
}

export const command: CommandSpec = {
  name: 'exec',
  summary: 'run a new process in a created or running container',
  options: {
    process: { type: 'string', short: 'p', value: '<file>', description: 'the process as an OCI process JSON (the flags below then do not apply)' },
    detach: { type: 'boolean', short: 'd', description: 'return once the process runs; its parent (the caller) reaps it' },
    'pid-file': { type: 'string', value: '<file>', description: 'write the process\'s host pid there (digits only)' },
    'console-socket': { type: 'string', value: '<path>', description: 'AF_UNIX socket that receives the pty master of a terminal' },
    tty: { type: 'boolean', short: 't', description: 'give the process a terminal' },
    cwd: { type: 'string', value: '<dir>', description: 'working directory in the container' },
    env: { type: 'string', short: 'e', value: '<NAME=value>', description: 'set an environment variable (repeatable)', multiple: true },
    user: { type: 'string', short: 'u', value: '<uid[:gid]>', description: 'run as this user' },
    'additional-gids': { type: 'string', short: 'g', value: '<gid>', description: 'an additional group (repeatable)', multiple: true },
    cap: { type: 'string', short: 'c', value: '<CAP_NAME>', description: 'add a capability (repeatable)', multiple: true },
    'no-new-privs': { type: 'boolean', description: 'set no_new_privs for the process' },
    'preserve-fds': { type: 'string', value: '<n>', description: 'pass the caller\'s fds 3 to 3+N-1 on to the process' },
  },
  positionals: [{ name: 'container-id', required: true }],
  trailing: { name: 'command...', required: false },
  async run(args, cli) {
    const { execInContainer } = await import('../engine/operations/exec');
    const preserve = stringOption(args, 'preserve-fds') ?? '0';
    return execInContainer({
      root: cli.globals.root,
      id: args.positionals[0],
      processFile: stringOption(args, 'process'),
      args: args.trailing,
      cwd: stringOption(args, 'cwd'),
      env: listOption(args, 'env'),
      user: parseUser(stringOption(args, 'user')),
      additionalGids: listOption(args, 'additional-gids').map((g) => parseId(g, '--additional-gids')),
      capabilities: listOption(args, 'cap'),
      noNewPrivileges: flag(args, 'no-new-privs'),
      tty: flag(args, 'tty'),
      detach: flag(args, 'detach'),
      pidFile: stringOption(args, 'pid-file'),
      consoleSocket: stringOption(args, 'console-socket'),
      preserveFds: parseId(preserve, '--preserve-fds'),
    });
  },
};
