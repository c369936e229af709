import { CistaError } from '../engine/errors';
import { type CommandSpec, stringOption } from './command';

/** runc's update flags and where each goes in linux.resources. */
const LIMIT_FLAGS: Record<string, { section: 'memory' | 'cpu' | 'pids' | 'blockIO'; field: string; kind: 'number' | 'string' }> = {
  memory: { section: 'memory', field: 'limit', kind: 'number' },
  'memory-reservation': { section: 'memory', field: 'reservation', kind: 'number' },
  'memory-swap': { section: 'memory', field: 'swap', kind: 'number' },
  'kernel-memory': { section: 'memory', field: 'kernel', kind: 'number' },
  'kernel-memory-tcp': { section: 'memory', field: 'kernelTCP', kind: 'number' },
  'cpu-shares': { section: 'cpu', field: 'shares', kind: 'number' },
  'cpu-quota': { section: 'cpu', field: 'quota', kind: 'number' },
  'cpu-period': { section: 'cpu', field: 'period', kind: 'number' },
  'cpu-rt-runtime': { section: 'cpu', field: 'realtimeRuntime', kind: 'number' },
  'cpu-rt-period': { section: 'cpu', field: 'realtimePeriod', kind: 'number' },
  'cpuset-cpus': { section: 'cpu', field: 'cpus', kind: 'string' },
  'cpuset-mems': { section: 'cpu', field: 'mems', kind: 'string' },
  'pids-limit': { section: 'pids', field: 'limit', kind: 'number' },
  'blkio-weight': { section: 'blockIO', field: 'weight', kind: 'number' },
};

export const command: CommandSpec = {
  name: 'update',
  summary: 'change the cgroup limits of a container',
  options: {
    resources: { type: 'string', short: 'r', value: '<file|->', description: 'linux.resources as JSON, from a file or - for stdin' },
    ...Object.fromEntries(
      Object.entries(LIMIT_FLAGS).map(([name, f]) => [name, { type: 'string' as const, value: '<value>', description: `linux.resources.${f.section}.${f.field}` }]),
    ),
  },
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const { readResources, updateContainer } = await import('../engine/operations/update');
    const file = stringOption(args, 'resources');
    let resources: Record<string, Record<string, unknown>> = {};
    if (file !== undefined) resources = readResources(file) as typeof resources;
    for (const [name, f] of Object.entries(LIMIT_FLAGS)) {
      const text = stringOption(args, name);
      if (text === undefined) continue;
      if (f.kind === 'number' && !/^-?\d+$/.test(text)) throw new CistaError(`--${name} must be a number, not ${JSON.stringify(text)}`);
      resources[f.section] = { ...(resources[f.section] ?? {}), [f.field]: f.kind === 'number' ? Number(text) : text };
    }
    updateContainer(cli.globals.root, args.positionals[0], resources, file === undefined ? 'update' : file === '-' ? 'stdin' : file);
  },
};
