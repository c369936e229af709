/**
 * A container's resource usage as `runc events` reports it (runc's types.Stats, field for field),
 * read from the v1 or v2 cgroup files. Counters are bigints: byte limits reach 2^63.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/*
 * runc's types.Stats as JSON: the optional fields are Go's omitempty ones, left out when zero or empty.
 * Every counter is a bigint (uint64 in runc); "unlimited" is 2^64-1 on v2 and the kernel's page-rounded
 * 2^63-1 on v1.
 */

export interface CpuUsage {
  /** Nanoseconds of CPU time, in total, per CPU (v1 only), in the kernel and in user space. */
  total?: bigint;
  percpu?: bigint[];
  percpu_kernel?: bigint[];
  percpu_user?: bigint[];
  kernel: bigint;
  user: bigint;
}

export interface CpuThrottling {
  periods?: bigint;
  throttledPeriods?: bigint;
  /** Nanoseconds. */
  throttledTime?: bigint;
}

export interface CpuStats {
  usage: CpuUsage;
  throttling: CpuThrottling;
}

export interface CpusetStats {
  cpus?: number[];
  mems?: number[];
  cpu_exclusive: bigint;
  mem_hardwall: bigint;
  mem_exclusive: bigint;
  memory_migrate: bigint;
  memory_spread_page: bigint;
  memory_spread_slab: bigint;
  memory_pressure: bigint;
  sched_load_balance: bigint;
  sched_relax_domain_level: bigint;
}

/** Bytes: the limit, the usage now, its highest (v1; v2 from memory.peak), and how often the limit was hit. */
export interface MemoryEntry {
  limit: bigint;
  usage?: bigint;
  max?: bigint;
  failcnt: bigint;
}

export interface MemoryStats {
  /** The page cache (v1 "cache", v2 "file"). */
  cache?: bigint;
  usage: MemoryEntry;
  /** Memory plus swap, as v1's memsw counts it (runc adds v2's swap to the memory to match). */
  swap: MemoryEntry;
  /** v1's kmem accounting (zero on v2). */
  kernel: MemoryEntry;
  kernelTCP: MemoryEntry;
  /** memory.stat as the kernel writes it. */
  raw: Record<string, bigint>;
}

export interface PidsStats {
  current?: bigint;
  /** 0: no limit. */
  limit?: bigint;
}

export interface BlkioEntry {
  major?: bigint;
  minor?: bigint;
  /** "Read", "Write", ... */
  op?: string;
  value?: bigint;
}

export interface BlkioStats {
  ioServiceBytesRecursive?: BlkioEntry[];
  ioServicedRecursive?: BlkioEntry[];
}

export interface HugetlbStats {
  usage?: bigint;
  max?: bigint;
  failcnt: bigint;
}

/** A network interface of the container's network namespace, as /proc/net/dev counts it. */
export interface NetworkInterface {
  name: string;
  rx_bytes: bigint;
  rx_packets: bigint;
  rx_errors: bigint;
  rx_dropped: bigint;
  tx_bytes: bigint;
  tx_packets: bigint;
  tx_errors: bigint;
  tx_dropped: bigint;
}

/** A container's resource usage: runc's `events --stats` data. */
export interface ContainerStats {
  cpu: CpuStats;
  cpuset: CpusetStats;
  memory: MemoryStats;
  pids: PidsStats;
  blkio: BlkioStats;
  /** By page size ("2MB", "1GB"). */
  hugetlb: Record<string, HugetlbStats>;
  /** Intel RDT is not read by cista: always empty, as runc's without it. */
  intel_rdt: Record<string, never>;
  /**
   * The interfaces of the container's own network namespace but loopback; null without any (and
   * without a namespace of its own), which is what runc's CLI always reports.
   */
  network_interfaces: NetworkInterface[] | null;
}

/** The unlimited value of a v2 "max" (runc reports math.MaxUint64). */
const MAX_UINT64 = 2n ** 64n - 1n;
/** cpuacct.stat counts USER_HZ ticks, 100 on every Linux architecture cista builds for. */
const NANOSECONDS_PER_TICK = 10_000_000n;

function read(dir: string | undefined, file: string): string | undefined {
  if (dir === undefined) return undefined;
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8').trim();
  } catch {
    return undefined;
  }
}

function number(text: string | undefined): bigint {
  if (text === undefined || text === '') return 0n;
  if (text === 'max') return MAX_UINT64;
  try {
    return BigInt(text);
  } catch {
    return 0n;
  }
}

/** "key value" lines (memory.stat, cpu.stat, memory.events) as a map. */
function keyValues(text: string | undefined): Map<string, bigint> {
  const map = new Map<string, bigint>();
  for (const line of (text ?? '').split('\n')) {
    const [key, value] = line.trim().split(/\s+/);
    if (key && value !== undefined) map.set(key, number(value));
  }
  return map;
}

/** "0-2,4" -> [0, 1, 2, 4]. */
function cpuList(text: string | undefined): number[] {
  const list: number[] = [];
  for (const part of (text ?? '').split(',').filter((p) => p !== '')) {
    const [from, to] = part.split('-').map(Number);
    for (let n = from; n <= (to ?? from); n++) list.push(n);
  }
  return list;
}

/** Drops Go's omitempty fields that are zero or empty. */
function omitEmpty<T extends object>(object: T, keys: (keyof T)[]): T {
  for (const key of keys) {
    const value = object[key];
    if (value === 0n || value === '' || (Array.isArray(value) && value.length === 0) || value === undefined) delete object[key];
  }
  return object;
}

function memoryEntry(limit: bigint, usage: bigint, max: bigint, failcnt: bigint): MemoryEntry {
  return omitEmpty({ limit, usage, max, failcnt }, ['usage', 'max']);
}

function throttling(stat: Map<string, bigint>, timeKey: string, timeScale: bigint): CpuThrottling {
  return omitEmpty(
    { periods: stat.get('nr_periods') ?? 0n, throttledPeriods: stat.get('nr_throttled') ?? 0n, throttledTime: (stat.get(timeKey) ?? 0n) * timeScale },
    ['periods', 'throttledPeriods', 'throttledTime'],
  );
}

const CPUSET_FLAGS = ['cpu_exclusive', 'mem_hardwall', 'mem_exclusive', 'memory_migrate', 'memory_spread_page', 'memory_spread_slab', 'memory_pressure', 'sched_load_balance'] as const;

function cpuset(cpus: string | undefined, mems: string | undefined, dir: string | undefined): CpusetStats {
  const values = Object.fromEntries(CPUSET_FLAGS.map((flag) => [flag, number(read(dir, `cpuset.${flag}`))])) as Record<(typeof CPUSET_FLAGS)[number], bigint>;
  // runc's field order: the exclusive flag of the cpus comes between the cpus and the mems.
  const { cpu_exclusive, ...memsFlags } = values;
  const stats: CpusetStats = {
    cpus: cpuList(cpus),
    cpu_exclusive,
    mems: cpuList(mems),
    ...memsFlags,
    sched_relax_domain_level: dir === undefined ? 0n : number(read(dir, 'cpuset.sched_relax_domain_level')),
  };
  return omitEmpty(stats, ['cpus', 'mems']);
}

/** blkio "8:0 Read 1234" lines as runc's entries (the "Total" summary line has no device). */
function blkioEntries(text: string | undefined): BlkioEntry[] {
  const entries: BlkioEntry[] = [];
  for (const line of (text ?? '').split('\n')) {
    const [device, op, value] = line.trim().split(/\s+/);
    if (value === undefined || !device.includes(':')) continue;
    const [major, minor] = device.split(':');
    entries.push(omitEmpty({ major: number(major), minor: number(minor), op, value: number(value) }, ['major', 'minor', 'op', 'value']));
  }
  return entries;
}

function blkio(entries: Required<BlkioStats>): BlkioStats {
  return omitEmpty(entries, ['ioServiceBytesRecursive', 'ioServicedRecursive']);
}

function pids(dir: string | undefined): PidsStats {
  const limit = read(dir, 'pids.max');
  return omitEmpty({ current: number(read(dir, 'pids.current')), limit: limit === 'max' ? 0n : number(limit) }, ['current', 'limit']);
}

function hugetlb(dir: string | undefined, usageFile: string, maxFile: string | undefined, failFile: (size: string) => bigint): Record<string, HugetlbStats> {
  const sizes = new Set<string>();
  for (const file of dir === undefined ? [] : safeList(dir)) {
    const match = /^hugetlb\.([^.]+)\./.exec(file);
    if (match) sizes.add(match[1]);
  }
  const stats: Record<string, HugetlbStats> = {};
  for (const size of sizes) {
    const usage = number(read(dir, `hugetlb.${size}.${usageFile}`));
    const max = maxFile === undefined ? 0n : number(read(dir, `hugetlb.${size}.${maxFile}`));
    stats[size] = omitEmpty({ usage, max, failcnt: failFile(size) }, ['usage', 'max']);
  }
  return stats;
}

function safeList(dir: string): string[] {
  try {
    return fs.readdirSync(dir);
  } catch {
    return [];
  }
}

function statsOf(cpu: CpuStats, cpusetStats: CpusetStats, memory: MemoryStats, pidsStats: PidsStats, blkioStats: BlkioStats, hugetlbStats: Record<string, HugetlbStats>): ContainerStats {
  return { cpu, cpuset: cpusetStats, memory, pids: pidsStats, blkio: blkioStats, hugetlb: hugetlbStats, intel_rdt: {}, network_interfaces: null };
}

/** cgroup v1: each controller's own directory (subsystem -> directory). */
export function v1Stats(paths: Record<string, string>): ContainerStats {
  const cpuacct = paths.cpuacct;
  const ticks = keyValues(read(cpuacct, 'cpuacct.stat'));
  const perCpu = (file: string) => (read(cpuacct, file) ?? '').split(/\s+/).filter((v) => v !== '').map(number);
  const cpu: CpuStats = {
    usage: omitEmpty(
      {
        total: number(read(cpuacct, 'cpuacct.usage')),
        percpu: perCpu('cpuacct.usage_percpu'),
        percpu_kernel: perCpu('cpuacct.usage_percpu_sys'),
        percpu_user: perCpu('cpuacct.usage_percpu_user'),
        kernel: (ticks.get('system') ?? 0n) * NANOSECONDS_PER_TICK,
        user: (ticks.get('user') ?? 0n) * NANOSECONDS_PER_TICK,
      },
      ['total', 'percpu', 'percpu_kernel', 'percpu_user'],
    ),
    throttling: throttling(keyValues(read(paths.cpu, 'cpu.stat')), 'throttled_time', 1n),
  };
  const mem = paths.memory;
  const entry = (prefix: string) =>
    memoryEntry(number(read(mem, `${prefix}limit_in_bytes`)), number(read(mem, `${prefix}usage_in_bytes`)), number(read(mem, `${prefix}max_usage_in_bytes`)), number(read(mem, `${prefix}failcnt`)));
  const raw = keyValues(read(mem, 'memory.stat'));
  const memory = omitEmpty(
    {
      cache: raw.get('cache') ?? 0n,
      usage: entry('memory.'),
      swap: entry('memory.memsw.'),
      kernel: entry('memory.kmem.'),
      kernelTCP: entry('memory.kmem.tcp.'),
      raw: Object.fromEntries([...raw].sort(([a], [b]) => (a < b ? -1 : 1))),
    },
    ['cache'],
  );
  const blk = paths.blkio;
  // The throttle files count every device; the bfq ones only where BFQ schedules (runc prefers CFQ's, gone since 5.0).
  const blkioStats = blkio({
    ioServiceBytesRecursive: blkioEntries(read(blk, 'blkio.throttle.io_service_bytes_recursive')),
    ioServicedRecursive: blkioEntries(read(blk, 'blkio.throttle.io_serviced_recursive')),
  });
  const hugetlbDir = paths.hugetlb;
  return statsOf(cpu, cpuset(read(paths.cpuset, 'cpuset.cpus'), read(paths.cpuset, 'cpuset.mems'), paths.cpuset), memory, pids(paths.pids), blkioStats, hugetlb(hugetlbDir, 'usage_in_bytes', 'max_usage_in_bytes', (size) => number(read(hugetlbDir, `hugetlb.${size}.failcnt`))));
}

/** cgroup v2's memory and swap files as they are (containerd's v2 Metrics reports them so); "max" is 2^64-1. */
export function v2MemoryCounters(dir: string): { usage: bigint; limit: bigint; swapUsage: bigint; swapLimit: bigint } {
  return {
    usage: number(read(dir, 'memory.current')),
    limit: number(read(dir, 'memory.max')),
    swapUsage: number(read(dir, 'memory.swap.current')),
    swapLimit: number(read(dir, 'memory.swap.max')),
  };
}

/** cgroup v2: one directory; converted to runc's v1-shaped fields as runc converts them. */
export function v2Stats(dir: string): ContainerStats {
  const cpuStat = keyValues(read(dir, 'cpu.stat'));
  const cpu: CpuStats = {
    usage: omitEmpty({ total: (cpuStat.get('usage_usec') ?? 0n) * 1000n, kernel: (cpuStat.get('system_usec') ?? 0n) * 1000n, user: (cpuStat.get('user_usec') ?? 0n) * 1000n }, ['total']),
    throttling: throttling(cpuStat, 'throttled_usec', 1000n),
  };
  const raw = keyValues(read(dir, 'memory.stat'));
  const events = keyValues(read(dir, 'memory.events'));
  const { usage, limit, swapUsage, swapLimit } = v2MemoryCounters(dir);
  // runc reports v2's swap as memory + swap, v1's memsw meaning.
  const memory = omitEmpty(
    {
      cache: raw.get('file') ?? 0n,
      usage: memoryEntry(limit, usage, number(read(dir, 'memory.peak')), events.get('max') ?? 0n),
      swap: memoryEntry(swapLimit === MAX_UINT64 || limit === MAX_UINT64 ? MAX_UINT64 : swapLimit + limit, swapUsage + usage, 0n, 0n),
      kernel: memoryEntry(0n, 0n, 0n, 0n),
      kernelTCP: memoryEntry(0n, 0n, 0n, 0n),
      raw: Object.fromEntries([...raw].sort(([a], [b]) => (a < b ? -1 : 1))),
    },
    ['cache'],
  );
  const bytes: BlkioEntry[] = [];
  const serviced: BlkioEntry[] = [];
  for (const line of (read(dir, 'io.stat') ?? '').split('\n').filter((l) => l !== '')) {
    const [device, ...fields] = line.split(/\s+/);
    const [major, minor] = device.split(':').map(number);
    const values = new Map(fields.map((f) => f.split('=') as [string, string]));
    for (const [list, key, op] of [
      [bytes, 'rbytes', 'Read'],
      [bytes, 'wbytes', 'Write'],
      [serviced, 'rios', 'Read'],
      [serviced, 'wios', 'Write'],
    ] as const) {
      list.push(omitEmpty({ major, minor, op, value: number(values.get(key)) }, ['major', 'minor', 'value']));
    }
  }
  const hugetlbStats = hugetlb(dir, 'current', 'max', (size) => keyValues(read(dir, `hugetlb.${size}.events`)).get('max') ?? 0n);
  return statsOf(cpu, cpuset(read(dir, 'cpuset.cpus.effective'), read(dir, 'cpuset.mems.effective'), undefined), memory, pids(dir), blkio({ ioServiceBytesRecursive: bytes, ioServicedRecursive: serviced }), hugetlbStats);
}

/**
 * The interfaces in the network namespace of `pid` but loopback, from its /proc/PID/net/dev; null when
 * it shares the caller's namespace (those are the host's interfaces), has none, or has exited.
 */
export function networkInterfaces(pid: number): NetworkInterface[] | null {
  try {
    if (fs.readlinkSync(`/proc/${pid}/ns/net`) === fs.readlinkSync('/proc/self/ns/net')) return null;
  } catch {
    return null;
  }
  const interfaces: NetworkInterface[] = [];
  // Two header lines, then "name: rx_bytes rx_packets rx_errs rx_drop fifo frame compressed multicast tx_bytes tx_packets tx_errs tx_drop ...".
  for (const line of (read(`/proc/${pid}/net`, 'dev') ?? '').split('\n').slice(2)) {
    const colon = line.indexOf(':');
    if (colon < 0) continue;
    const name = line.slice(0, colon).trim();
    const v = line.slice(colon + 1).trim().split(/\s+/).map(number);
    if (name === 'lo' || v.length < 12) continue;
    interfaces.push({ name, rx_bytes: v[0], rx_packets: v[1], rx_errors: v[2], rx_dropped: v[3], tx_bytes: v[8], tx_packets: v[9], tx_errors: v[10], tx_dropped: v[11] });
  }
  return interfaces.length === 0 ? null : interfaces;
}

/** A cgroup's "key value" file (memory.events, memory.stat) as a map; empty when it cannot be read. */
export function readKeyValues(dir: string, file: string): Map<string, bigint> {
  return keyValues(read(dir, file));
}

/** Stats as one JSON line, uint64s exact (JSON.stringify cannot write a bigint). */
export function statsJson(value: unknown): string {
  const marker = '\u0001big:';
  const text = JSON.stringify(value, (_, v: unknown) => (typeof v === 'bigint' ? `${marker}${v}` : v));
  return text.replace(/"\\u0001big:(-?\d+)"/g, '$1');
}
