import { CistaError } from '../engine/errors';
import { type CommandSpec, stringOption } from './command';
import { parseByteSize, parseInteger } from './units';

type Kind = 'bytes' | 'integer' | 'string' | 'rdt';

/** runc's update flags (1.1 and 1.2's cpu-burst/cpu-idle), each with where it goes in linux.resources. */
const LIMIT_FLAGS: Record<string, { section: 'memory' | 'cpu' | 'pids' | 'blockIO'; field: string; kind: Kind; description: string }> = {
  memory: { section: 'memory', field: 'limit', kind: 'bytes', description: 'memory limit in bytes, or with a unit (128M, 1g); -1 is unlimited' },
  'memory-reservation': { section: 'memory', field: 'reservation', kind: 'bytes', description: 'memory soft limit (bytes or with a unit)' },
  'memory-swap': { section: 'memory', field: 'swap', kind: 'bytes', description: 'memory + swap limit (bytes or with a unit); -1 is unlimited' },
  'kernel-memory': { section: 'memory', field: 'kernel', kind: 'bytes', description: 'kernel memory limit (cgroup v1; bytes or with a unit)' },
  'kernel-memory-tcp': { section: 'memory', field: 'kernelTCP', kind: 'bytes', description: 'kernel TCP buffer limit (cgroup v1; bytes or with a unit)' },
  'cpu-share': { section: 'cpu', field: 'shares', kind: 'integer', description: 'CPU shares (relative weight)' },
  'cpu-shares': { section: 'cpu', field: 'shares', kind: 'integer', description: 'the same as --cpu-share' },
  'cpu-quota': { section: 'cpu', field: 'quota', kind: 'integer', description: 'CFS quota in microseconds per period' },
  'cpu-period': { section: 'cpu', field: 'period', kind: 'integer', description: 'CFS period in microseconds' },
  'cpu-burst': { section: 'cpu', field: 'burst', kind: 'integer', description: 'CFS burst in microseconds' },
  'cpu-idle': { section: 'cpu', field: 'idle', kind: 'integer', description: '1 makes the cgroup SCHED_IDLE (cgroup v2)' },
  'cpu-rt-runtime': { section: 'cpu', field: 'realtimeRuntime', kind: 'integer', description: 'realtime runtime in microseconds per period' },
  'cpu-rt-period': { section: 'cpu', field: 'realtimePeriod', kind: 'integer', description: 'realtime period in microseconds' },
  'cpuset-cpus': { section: 'cpu', field: 'cpus', kind: 'string', description: 'CPUs to use (0-3,5)' },
  'cpuset-mems': { section: 'cpu', field: 'mems', kind: 'string', description: 'memory nodes to use' },
  'pids-limit': { section: 'pids', field: 'limit', kind: 'integer', description: 'maximum number of processes; 0 or less is unlimited' },
  'blkio-weight': { section: 'blockIO', field: 'weight', kind: 'integer', description: 'block I/O weight, 10 to 1000' },
  'l3-cache-schema': { section: 'memory', field: '', kind: 'rdt', description: 'Intel RDT L3 cache schema (not supported yet)' },
  'mem-bw-schema': { section: 'memory', field: '', kind: 'rdt', description: 'Intel RDT memory bandwidth schema (not supported yet)' },
};

function flagValue(name: string, kind: Kind, text: string): number | string {
  switch (kind) {
    case 'bytes':
      return parseByteSize(name, text);
    case 'integer':
      return parseInteger(name, text);
    case 'string':
      return text;
    case 'rdt':
      throw new CistaError(`--${name}: Intel RDT is not supported yet`);
  }
}

export const command: CommandSpec = {
  name: 'update',
  summary: 'change the cgroup limits of a container',
  options: {
    resources: { type: 'string', short: 'r', value: '<file|->', description: 'linux.resources as JSON, from a file or - for stdin; flags given too apply on top' },
    ...Object.fromEntries(Object.entries(LIMIT_FLAGS).map(([name, f]) => [name, { type: 'string' as const, value: '<value>', description: f.description }])),
  },
  positionals: [{ name: 'container-id', required: true }],
  async run(args, cli) {
    const values = Object.entries(LIMIT_FLAGS).flatMap(([name, f]) => {
      const text = stringOption(args, name);
      return text === undefined ? [] : [{ f, value: flagValue(name, f.kind, text) }];
    });
    const { readResources, updateContainer } = await import('../engine/operations/update');
    const file = stringOption(args, 'resources');
    const resources = (file === undefined ? {} : readResources(file)) as Record<string, Record<string, unknown>>;
    for (const { f, value } of values) resources[f.section] = { ...(resources[f.section] ?? {}), [f.field]: value };
    updateContainer(cli.globals.root, args.positionals[0], resources, file === undefined ? 'update' : file === '-' ? 'stdin' : file);
  },
};
