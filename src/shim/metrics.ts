import { type ContainerStats, type StatsValue, v1Stats } from '../engine/cgroups/stats';
import { runSync } from '../engine/host/effect';
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

/** A field of runc's stats (the engine's reader, src/engine/cgroups/stats.ts); absent (Go's omitempty) is zero. */
function field(stats: StatsValue | undefined, ...keys: string[]): StatsValue | undefined {
  let value = stats;
  for (const key of keys) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? value[key] : undefined;
  return value;
}

function count(stats: StatsValue | undefined, ...keys: string[]): number {
  const value = field(stats, ...keys);
  return typeof value === 'bigint' || typeof value === 'number' ? Number(value) : 0;
}

function memoryEntry(stats: ContainerStats, key: string): io.containerd.cgroups.v1.IMemoryEntry {
  return { usage: count(stats, 'memory', key, 'usage'), max: count(stats, 'memory', key, 'max'), limit: count(stats, 'memory', key, 'limit'), failcnt: count(stats, 'memory', key, 'failcnt') };
}

/** runc's v1 stats as containerd's cgroup v1 Metrics (what `ctr task metrics` and the CRI's stats read). */
function v1Metrics(stats: ContainerStats): io.containerd.cgroups.v1.IMetrics {
  const raw = field(stats, 'memory', 'raw');
  const memory: io.containerd.cgroups.v1.IMemoryStat = {
    usage: memoryEntry(stats, 'usage'),
    swap: memoryEntry(stats, 'swap'),
    kernel: memoryEntry(stats, 'kernel'),
    kernelTcp: memoryEntry(stats, 'kernelTCP'),
    hierarchicalMemoryLimit: count(raw, 'hierarchical_memory_limit'),
    hierarchicalSwapLimit: count(raw, 'hierarchical_memsw_limit'),
  };
  const fields = memory as Record<string, unknown>;
  for (const [name, key] of Object.entries(MEMORY_STAT)) {
    fields[key] = count(raw, name);
    fields[`total${key[0].toUpperCase()}${key.slice(1)}`] = count(raw, `total_${name}`);
  }
  const perCpu = field(stats, 'cpu', 'usage', 'percpu');
  return {
    pids: { current: count(stats, 'pids', 'current'), limit: count(stats, 'pids', 'limit') },
    cpu: {
      usage: {
        total: count(stats, 'cpu', 'usage', 'total'),
        user: count(stats, 'cpu', 'usage', 'user'),
        kernel: count(stats, 'cpu', 'usage', 'kernel'),
        perCpu: Array.isArray(perCpu) ? perCpu.map((n) => Number(n)) : [],
      },
      throttling: {
        periods: count(stats, 'cpu', 'throttling', 'periods'),
        throttledPeriods: count(stats, 'cpu', 'throttling', 'throttledPeriods'),
        throttledTime: count(stats, 'cpu', 'throttling', 'throttledTime'),
      },
    },
    memory,
  };
}

export function cgroupMetrics(root: string, id: string): google.protobuf.IAny {
  const cgroup = runSync(
    withContainer(realLookupHost, root, id, false, function* ({ record }) {
      return record.cgroup;
    }),
  );
  if (cgroup === null) throw new StatusError(Code.FAILED_PRECONDITION, `container ${id} has no cgroup`);
  // The systemd driver's scope follows the host's layout.
  const layout = cgroup.driver === 'systemd' ? cgroup.layout : cgroup.driver;
  if (layout !== 'v1') throw new StatusError(Code.UNIMPLEMENTED, 'stats on cgroup v2 are not implemented by cista yet');
  return { type_url: v1.Metrics.getTypeUrl('').slice(1), value: v1.Metrics.encode(v1Metrics(v1Stats(cgroup.paths))).finish() };
}
