import { type BlkioEntry, type ContainerStats, type MemoryEntry, readKeyValues, v1Stats, v2MemoryCounters, v2Stats } from '../engine/cgroups/stats';
import { UNIFIED } from '../engine/cgroups/path';
import { realAsyncHost } from '../engine/host/async-waits';
import { runAsync } from '../engine/host/effect';
import { withContainer } from '../engine/operations/lookup';
import { type google, io } from '../generated/containerd';
import { Code, StatusError } from './status';

const v1 = io.containerd.cgroups.v1;
const v2 = io.containerd.cgroups.v2;

/**
 * A uint64 for protobufjs: a number while exact, else the {low, high} halves its writer takes
 * (a number above 2^53 would be rounded, and 2^64-1, v2's "max", would become 0). The generated
 * types say number (--force-number), hence the cast.
 */
function uint64(value: bigint | undefined): number {
  const n = value ?? 0n;
  if (n <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(n);
  return { low: Number(n & 0xffffffffn), high: Number((n >> 32n) & 0xffffffffn), unsigned: true } as unknown as number;
}

/** memory.stat's names -> the v1 Metrics message's fields (the total_ ones are the same with "total" before). */
const V1_MEMORY_STAT: Record<string, keyof io.containerd.cgroups.v1.IMemoryStat> = {
  cache: 'cache', rss: 'rss', rss_huge: 'rssHuge', mapped_file: 'mappedFile', dirty: 'dirty', writeback: 'writeback',
  pgpgin: 'pgPgIn', pgpgout: 'pgPgOut', pgfault: 'pgFault', pgmajfault: 'pgMajFault', inactive_anon: 'inactiveAnon',
  active_anon: 'activeAnon', inactive_file: 'inactiveFile', active_file: 'activeFile', unevictable: 'unevictable',
};

/** v2's memory.stat names the v2 Metrics message reports, each as its field in camel case. */
const V2_MEMORY_STAT = [
  'anon', 'file', 'kernel_stack', 'slab', 'sock', 'shmem', 'file_mapped', 'file_dirty', 'file_writeback', 'anon_thp',
  'inactive_anon', 'active_anon', 'inactive_file', 'active_file', 'unevictable', 'slab_reclaimable', 'slab_unreclaimable',
  'pgfault', 'pgmajfault', 'workingset_refault', 'workingset_activate', 'workingset_nodereclaim', 'pgrefill', 'pgscan',
  'pgsteal', 'pgactivate', 'pgdeactivate', 'pglazyfree', 'pglazyfreed', 'thp_fault_alloc', 'thp_collapse_alloc',
];

function camelCase(name: string): string {
  return name.replace(/_([a-z])/g, (_, letter: string) => letter.toUpperCase());
}

function v1MemoryEntry(entry: MemoryEntry): io.containerd.cgroups.v1.IMemoryEntry {
  return { usage: uint64(entry.usage), max: uint64(entry.max), limit: uint64(entry.limit), failcnt: uint64(entry.failcnt) };
}

/** runc's v1 stats (the engine's reader, src/engine/cgroups/stats.ts) as containerd's cgroup v1 Metrics (what `ctr task metrics` and the CRI's stats read). */
function v1Metrics(stats: ContainerStats): io.containerd.cgroups.v1.IMetrics {
  const raw = stats.memory.raw;
  const memory: io.containerd.cgroups.v1.IMemoryStat = {
    usage: v1MemoryEntry(stats.memory.usage),
    swap: v1MemoryEntry(stats.memory.swap),
    kernel: v1MemoryEntry(stats.memory.kernel),
    kernelTcp: v1MemoryEntry(stats.memory.kernelTCP),
    hierarchicalMemoryLimit: uint64(raw.hierarchical_memory_limit),
    hierarchicalSwapLimit: uint64(raw.hierarchical_memsw_limit),
  };
  const fields = memory as Record<string, unknown>;
  for (const [name, key] of Object.entries(V1_MEMORY_STAT)) {
    fields[key] = uint64(raw[name]);
    fields[`total${key[0].toUpperCase()}${key.slice(1)}`] = uint64(raw[`total_${name}`]);
  }
  const { usage, throttling } = stats.cpu;
  return {
    pids: { current: uint64(stats.pids.current), limit: uint64(stats.pids.limit) },
    cpu: {
      usage: { total: uint64(usage.total), user: uint64(usage.user), kernel: uint64(usage.kernel), perCpu: (usage.percpu ?? []).map(uint64) },
      throttling: { periods: uint64(throttling.periods), throttledPeriods: uint64(throttling.throttledPeriods), throttledTime: uint64(throttling.throttledTime) },
    },
    memory,
  };
}

/** blkio entries as v2's per-device io usage (runc's v2 stats split io.stat into Read and Write entries). */
function ioUsage(bytes: BlkioEntry[], serviced: BlkioEntry[]): io.containerd.cgroups.v2.IIOEntry[] {
  const devices = new Map<string, io.containerd.cgroups.v2.IIOEntry>();
  const device = (entry: BlkioEntry) => {
    const key = `${entry.major ?? 0n}:${entry.minor ?? 0n}`;
    if (!devices.has(key)) devices.set(key, { major: uint64(entry.major), minor: uint64(entry.minor), rbytes: 0, wbytes: 0, rios: 0, wios: 0 });
    return devices.get(key)!;
  };
  for (const entry of bytes) device(entry)[entry.op === 'Read' ? 'rbytes' : 'wbytes'] = uint64(entry.value);
  for (const entry of serviced) device(entry)[entry.op === 'Read' ? 'rios' : 'wios'] = uint64(entry.value);
  return [...devices.values()];
}

/** A v2 cgroup's files as containerd's cgroup v2 Metrics (containerd's own v2 reader reports the same files). */
export function v2Metrics(dir: string): io.containerd.cgroups.v2.IMetrics {
  const stats = v2Stats(dir);
  const { usage, throttling } = stats.cpu;
  const counters = v2MemoryCounters(dir);
  const memory: Record<string, number> = {
    usage: uint64(counters.usage),
    usageLimit: uint64(counters.limit),
    swapUsage: uint64(counters.swapUsage),
    swapLimit: uint64(counters.swapLimit),
  };
  for (const name of V2_MEMORY_STAT) memory[camelCase(name)] = uint64(stats.memory.raw[name]);
  const events = readKeyValues(dir, 'memory.events');
  const nanosecondsToMicro = (n: bigint | undefined) => uint64((n ?? 0n) / 1000n);
  return {
    pids: { current: uint64(stats.pids.current), limit: uint64(stats.pids.limit) },
    cpu: {
      usageUsec: nanosecondsToMicro(usage.total),
      userUsec: nanosecondsToMicro(usage.user),
      systemUsec: nanosecondsToMicro(usage.kernel),
      nrPeriods: uint64(throttling.periods),
      nrThrottled: uint64(throttling.throttledPeriods),
      throttledUsec: nanosecondsToMicro(throttling.throttledTime),
    },
    memory,
    io: { usage: ioUsage(stats.blkio.ioServiceBytesRecursive ?? [], stats.blkio.ioServicedRecursive ?? []) },
    hugetlb: Object.entries(stats.hugetlb).map(([pagesize, h]) => ({ current: uint64(h.usage), max: uint64(h.max), pagesize })),
    memoryEvents: Object.fromEntries(['low', 'high', 'max', 'oom', 'oom_kill'].map((name) => [camelCase(name), uint64(events.get(name))])),
  };
}

/** An encoded message as containerd's typeurl names it: the proto name alone (no URL prefix). */
function any(type: { getTypeUrl(prefix: string): string }, value: Uint8Array): google.protobuf.IAny {
  return { type_url: type.getTypeUrl('').slice(1), value };
}

/** Stats as containerd's Metrics of the container's cgroup layout (the systemd driver's scope follows the host's). */
export async function cgroupMetrics(root: string, id: string): Promise<google.protobuf.IAny> {
  const cgroup = await runAsync(
    withContainer(realAsyncHost, root, id, false, function* ({ record }) {
      return record.cgroup;
    }),
  );
  if (cgroup === null) throw new StatusError(Code.FAILED_PRECONDITION, `container ${id} has no cgroup`);
  const layout = cgroup.driver === 'systemd' ? cgroup.layout : cgroup.driver;
  if (layout === 'v1') return any(v1.Metrics, v1.Metrics.encode(v1Metrics(v1Stats(cgroup.paths))).finish());
  return any(v2.Metrics, v2.Metrics.encode(v2Metrics(cgroup.paths[UNIFIED])).finish());
}
