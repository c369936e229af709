import * as fs from 'node:fs';
import * as path from 'node:path';

import { realLookupHost } from '../engine/host/real-lookup';
import { withContainer } from '../engine/operations/lookup';
import { type google, io } from '../generated/containerd';
import { Code, StatusError } from './status';

const v1 = io.containerd.cgroups.v1;

/** memory.stat's names -> the Metrics message's fields (the total_ ones are the same with "total" before). */
const MEMORY_STAT: Record<string, keyof io.containerd.cgroups.v1.IMemoryStat> = {
  cache: 'cache', rss: 'rss', rss_huge: 'rssHuge', mapped_file: 'mappedFile', dirty: 'dirty', writeback: 'writeback',
  pgpgin: 'pgPgIn', pgpgout: 'pgPgOut', pgfault: 'pgFault', pgmajfault: 'pgMajFault', inactive_anon: 'inactiveAnon',
  active_anon: 'activeAnon', inactive_file: 'inactiveFile', active_file: 'activeFile', unevictable: 'unevictable',
};

function read(dir: string | undefined, file: string): string | null {
  if (dir === undefined) return null;
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8').trim();
  } catch {
    return null;
  }
}

function number(dir: string | undefined, file: string): number {
  const text = read(dir, file);
  const value = text === null || text === 'max' ? 0 : Number(text);
  return Number.isFinite(value) ? value : 0;
}

function keyed(text: string | null): Map<string, number> {
  return new Map((text ?? '').split('\n').filter(Boolean).map((line) => {
    const [key, value] = line.split(' ');
    return [key, Number(value)];
  }));
}

function memoryEntry(dir: string | undefined, prefix: string): io.containerd.cgroups.v1.IMemoryEntry {
  return {
    usage: number(dir, `${prefix}usage_in_bytes`),
    max: number(dir, `${prefix}max_usage_in_bytes`),
    limit: number(dir, `${prefix}limit_in_bytes`),
    failcnt: number(dir, `${prefix}failcnt`),
  };
}

/** cgroup v1 Metrics (what `ctr task metrics` and the CRI's stats read), as an Any. */
function v1Metrics(paths: Record<string, string>): io.containerd.cgroups.v1.IMetrics {
  const stat = keyed(read(paths.memory, 'memory.stat'));
  const memory: io.containerd.cgroups.v1.IMemoryStat = {
    usage: memoryEntry(paths.memory, 'memory.'),
    swap: memoryEntry(paths.memory, 'memory.memsw.'),
    kernel: memoryEntry(paths.memory, 'memory.kmem.'),
    kernelTcp: memoryEntry(paths.memory, 'memory.kmem.tcp.'),
    hierarchicalMemoryLimit: stat.get('hierarchical_memory_limit') ?? 0,
    hierarchicalSwapLimit: stat.get('hierarchical_memsw_limit') ?? 0,
  };
  const fields = memory as Record<string, unknown>;
  for (const [name, field] of Object.entries(MEMORY_STAT)) {
    fields[field] = stat.get(name) ?? 0;
    fields[`total${field[0].toUpperCase()}${field.slice(1)}`] = stat.get(`total_${name}`) ?? 0;
  }
  const cpuStat = keyed(read(paths.cpu, 'cpu.stat'));
  const cpuacct = paths.cpuacct ?? paths.cpu;
  const userHz = 100; // cpuacct.stat counts USER_HZ ticks
  const ticks = keyed(read(cpuacct, 'cpuacct.stat'));
  return {
    pids: { current: number(paths.pids, 'pids.current'), limit: number(paths.pids, 'pids.max') },
    cpu: {
      usage: {
        total: number(cpuacct, 'cpuacct.usage'),
        user: ((ticks.get('user') ?? 0) * 1e9) / userHz,
        kernel: ((ticks.get('system') ?? 0) * 1e9) / userHz,
        perCpu: (read(cpuacct, 'cpuacct.usage_percpu') ?? '').split(' ').filter(Boolean).map(Number),
      },
      throttling: { periods: cpuStat.get('nr_periods') ?? 0, throttledPeriods: cpuStat.get('nr_throttled') ?? 0, throttledTime: cpuStat.get('throttled_time') ?? 0 },
    },
    memory,
  };
}

export function cgroupMetrics(root: string, id: string): google.protobuf.IAny {
  const cgroup = withContainer(realLookupHost, root, id, false, ({ record }) => record.cgroup);
  if (cgroup === null) throw new StatusError(Code.FAILED_PRECONDITION, `container ${id} has no cgroup`);
  if (cgroup.driver !== 'v1') throw new StatusError(Code.UNIMPLEMENTED, 'stats on cgroup v2 are not implemented by cista yet');
  return { type_url: v1.Metrics.getTypeUrl('').slice(1), value: v1.Metrics.encode(v1Metrics(cgroup.paths)).finish() };
}
