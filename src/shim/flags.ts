import * as path from 'node:path';

/** The shim's command line as containerd writes it (Go's flag syntax): `-name value` flags, then the action. */
export interface ShimFlags {
  namespace: string;
  id: string;
  address: string;
  publishBinary: string;
  bundle: string;
  /** The server's socket path (the bootstrap passes it). */
  socket: string;
  debug: boolean;
  /** "start", "delete", or "" (serve). */
  action: string;
}

const VALUED = new Map([
  ['namespace', 'namespace'],
  ['id', 'id'],
  ['address', 'address'],
  ['publish-binary', 'publishBinary'],
  ['bundle', 'bundle'],
  ['socket', 'socket'],
] as const);

export function parseFlags(argv: string[]): ShimFlags {
  const flags: ShimFlags = { namespace: '', id: '', address: '', publishBinary: '', bundle: '', socket: '', debug: false, action: '' };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith('-')) {
      flags.action = arg;
      break;
    }
    const [name, inline] = arg.replace(/^--?/, '').split(/=(.*)/s, 2);
    if (name === 'debug' || name === 'v') {
      if (name === 'debug') flags.debug = inline !== 'false';
      continue;
    }
    const key = VALUED.get(name as never);
    if (key === undefined) throw new Error(`flag provided but not defined: -${name}`);
    const value = inline ?? argv[++i];
    if (value === undefined) throw new Error(`flag needs an argument: -${name}`);
    (flags as unknown as Record<string, string>)[key] = value;
  }
  if (flags.namespace === '') throw new Error('shim namespace cannot be empty');
  if (flags.bundle === '') flags.bundle = process.cwd();
  return flags;
}

/** cista's directory under containerd's: the namespaces' state roots, and the shim's code cache. */
export const CISTA_RUN_DIR = '/run/containerd/cista';

/** cista's state root for a namespace's containers (as runc's shim keeps /run/containerd/runc/NS). */
export function stateRoot(namespace: string): string {
  return path.join(CISTA_RUN_DIR, namespace);
}
