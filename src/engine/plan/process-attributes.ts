/**
 * Per-task kernel attributes the init sets on itself before it execs the process, which inherits
 * them: personality(2), sched_setattr(2), ioprio_set(2), sched_setaffinity(2) and set_mempolicy(2).
 * Names become numbers here, and every value the kernel would refuse on any host is a ConfigError
 * naming its JSON path (the checks runc's validator makes, and the kernel's own where they are
 * static), so a refusal at run time is left only to what depends on the host.
 */
import { MAX_BITMAP_WORDS } from '../../generated/protocol';
import { ConfigError } from '../errors';
import type { Linux, Process } from '../spec/schema';
import type { MemoryPolicy, SchedulerAttributes } from './plan';

function fail(pointer: string, problem: string): never {
  throw new ConfigError(pointer, problem);
}

/** personality.h */
const PERSONALITY_DOMAINS: Readonly<Record<string, number>> = { LINUX: 0x0000, LINUX32: 0x0008 };

/** linux/sched.h; SCHED_ISO (4) is reserved and never implemented, so the kernel refuses it. */
const SCHEDULER_POLICY_VALUES: Readonly<Record<string, number>> = {
  SCHED_OTHER: 0,
  SCHED_FIFO: 1,
  SCHED_RR: 2,
  SCHED_BATCH: 3,
  SCHED_IDLE: 5,
  SCHED_DEADLINE: 6,
};

const SCHEDULER_FLAG_BITS: Readonly<Record<string, number>> = {
  SCHED_FLAG_RESET_ON_FORK: 0x01,
  SCHED_FLAG_RECLAIM: 0x02,
  SCHED_FLAG_DL_OVERRUN: 0x04,
  SCHED_FLAG_KEEP_POLICY: 0x08,
  SCHED_FLAG_KEEP_PARAMS: 0x10,
  SCHED_FLAG_UTIL_CLAMP_MIN: 0x20,
  SCHED_FLAG_UTIL_CLAMP_MAX: 0x40,
};

/** linux/ioprio.h */
const IO_PRIORITY_CLASS_VALUES: Readonly<Record<string, number>> = { IOPRIO_CLASS_RT: 1, IOPRIO_CLASS_BE: 2, IOPRIO_CLASS_IDLE: 3 };
const IOPRIO_CLASS_SHIFT = 13;

/** linux/mempolicy.h */
const MEMORY_POLICY_MODE_VALUES: Readonly<Record<string, number>> = {
  MPOL_DEFAULT: 0,
  MPOL_PREFERRED: 1,
  MPOL_BIND: 2,
  MPOL_INTERLEAVE: 3,
  MPOL_LOCAL: 4,
  MPOL_PREFERRED_MANY: 5,
  MPOL_WEIGHTED_INTERLEAVE: 6,
};

const MEMORY_POLICY_FLAG_BITS: Readonly<Record<string, number>> = {
  MPOL_F_STATIC_NODES: 1 << 15,
  MPOL_F_RELATIVE_NODES: 1 << 14,
  MPOL_F_NUMA_BALANCING: 1 << 13,
};

/** The modes that take no nodes, and those that need at least one (MPOL_PREFERRED takes either). */
const MODES_WITHOUT_NODES = ['MPOL_DEFAULT', 'MPOL_LOCAL'];
const MODES_NEEDING_NODES = ['MPOL_BIND', 'MPOL_INTERLEAVE', 'MPOL_PREFERRED_MANY', 'MPOL_WEIGHTED_INTERLEAVE'];

const MAX_BITMAP_BITS = MAX_BITMAP_WORDS * 64;
/** sched_setattr's smallest SCHED_DEADLINE runtime: 2^DL_SCALE nanoseconds. */
const MIN_DEADLINE_RUNTIME = 1024n;

/**
 * Parses a list such as "0-3,7" (spaces and empty elements allowed, as runc's parser allows them)
 * into the numbers it names; undefined for an empty list.
 */
export function parseIdList(text: string, pointer: string): number[] | undefined {
  const ids = new Set<number>();
  for (const element of text.split(',')) {
    const item = element.trim();
    if (item === '') continue;
    const match = /^(\d+)(?:\s*-\s*(\d+))?$/.exec(item);
    if (match === null) fail(pointer, `${JSON.stringify(item)} is neither a number nor a range such as 0-3`);
    const first = Number(match[1]);
    const last = match[2] === undefined ? first : Number(match[2]);
    if (first > last) fail(pointer, `${JSON.stringify(item)} is a range whose start is above its end`);
    if (last >= MAX_BITMAP_BITS) fail(pointer, `${last} is above the largest id cista supports (${MAX_BITMAP_BITS - 1})`);
    for (let id = first; id <= last; id++) ids.add(id);
  }
  return ids.size === 0 ? undefined : [...ids];
}

/** The kernel's bitmap of unsigned longs (little-endian), just long enough for `ids`. */
export function bitmap(ids: readonly number[]): Buffer {
  const words = Math.max(1, Math.ceil((Math.max(...ids) + 1) / 64));
  const mask = Buffer.alloc(words * 8);
  for (const id of ids) mask[id >> 3] |= 1 << (id & 7);
  return mask;
}

/** Every CPU: runc's reset, which the kernel narrows to the cgroup's cpuset. */
export const ALL_CPUS: Buffer = Buffer.alloc(MAX_BITMAP_WORDS * 8, 0xff);

export function planPersonality(linux: Linux): number | null {
  const personality = linux.personality;
  if (personality === undefined) return null;
  // The runtime-spec defines no flag yet; runc warns and ignores them, cista ignores nothing.
  if ((personality.flags ?? []).length > 0) fail('/linux/personality/flags', 'the runtime-spec defines no personality flags; remove them');
  if (personality.domain === undefined) fail('/linux/personality/domain', 'is required (LINUX or LINUX32)');
  return PERSONALITY_DOMAINS[personality.domain];
}

export function planScheduler(process: Process): SchedulerAttributes | null {
  const scheduler = process.scheduler;
  if (scheduler === undefined) return null;
  const base = '/process/scheduler';
  const policy = SCHEDULER_POLICY_VALUES[scheduler.policy];
  if (policy === undefined) fail(`${base}/policy`, `${scheduler.policy} is reserved and not implemented by Linux`);
  const nice = scheduler.nice ?? 0;
  if (nice < -20 || nice > 19) fail(`${base}/nice`, `${nice} is not a nice value (-20 to 19)`);
  const priority = scheduler.priority ?? 0;
  const realtime = scheduler.policy === 'SCHED_FIFO' || scheduler.policy === 'SCHED_RR';
  if (realtime && (priority < 1 || priority > 99)) fail(`${base}/priority`, `must be 1 to 99 for ${scheduler.policy}`);
  if (!realtime && priority !== 0) fail(`${base}/priority`, 'applies only to SCHED_FIFO and SCHED_RR');
  const runtime = BigInt(scheduler.runtime ?? 0);
  const deadline = BigInt(scheduler.deadline ?? 0);
  const period = BigInt(scheduler.period ?? 0);
  if (scheduler.policy === 'SCHED_DEADLINE') {
    // The kernel's own checks (__checkparam_dl): runtime <= deadline <= period (0: the deadline).
    if (runtime < MIN_DEADLINE_RUNTIME) fail(`${base}/runtime`, `must be at least ${MIN_DEADLINE_RUNTIME} ns for SCHED_DEADLINE`);
    if (deadline < runtime) fail(`${base}/deadline`, 'must not be below the runtime');
    if (period !== 0n && period < deadline) fail(`${base}/period`, 'must not be below the deadline');
  } else {
    for (const field of ['runtime', 'deadline', 'period'] as const) {
      if (BigInt(scheduler[field] ?? 0) !== 0n) fail(`${base}/${field}`, 'applies only to SCHED_DEADLINE');
    }
  }
  let flags = 0;
  for (const name of scheduler.flags ?? []) flags |= SCHEDULER_FLAG_BITS[name];
  return { policy, flags: BigInt(flags), nice, priority, runtime, deadline, period };
}

export function planIoPriority(process: Process): number | null {
  const ioPriority = process.ioPriority;
  if (ioPriority === undefined) return null;
  const level = ioPriority.priority ?? 0;
  if (level < 0 || level > 7) fail('/process/ioPriority/priority', `${level} is not a priority level (0 to 7)`);
  return (IO_PRIORITY_CLASS_VALUES[ioPriority.class] << IOPRIO_CLASS_SHIFT) | level;
}

export interface CpuAffinityPlan {
  /** Set in the child right after clone(); null: the runtime's. */
  initial: Buffer | null;
  /** Set by the init once it is in the container's cgroup; null: keep the initial one. */
  final: Buffer | null;
}

/**
 * process.execCPUAffinity applies to exec'd processes only, as the runtime-spec says. As in runc,
 * every process otherwise drops the runtime's own affinity once in the container's cgroup (which
 * then narrows it to its cpuset), and an exec with only `initial` keeps that one.
 */
export function planCpuAffinity(process: Process, isExec: boolean): CpuAffinityPlan {
  const base = '/process/execCPUAffinity';
  const initial = parseIdList(process.execCPUAffinity?.initial ?? '', `${base}/initial`);
  const final = parseIdList(process.execCPUAffinity?.final ?? '', `${base}/final`);
  if (!isExec) return { initial: null, final: ALL_CPUS };
  return {
    initial: initial === undefined ? null : bitmap(initial),
    final: final !== undefined ? bitmap(final) : initial !== undefined ? null : ALL_CPUS,
  };
}

export function planMemoryPolicy(linux: Linux): MemoryPolicy | null {
  const policy = linux.memoryPolicy;
  if (policy === undefined) return null;
  const base = '/linux/memoryPolicy';
  if (policy.mode === undefined) fail(`${base}/mode`, 'is required');
  const nodes = parseIdList(policy.nodes ?? '', `${base}/nodes`);
  if (nodes !== undefined && MODES_WITHOUT_NODES.includes(policy.mode)) fail(`${base}/nodes`, `must be empty for ${policy.mode}`);
  if (nodes === undefined && MODES_NEEDING_NODES.includes(policy.mode)) fail(`${base}/nodes`, `${policy.mode} needs at least one node`);
  const flags = policy.flags ?? [];
  if (flags.includes('MPOL_F_STATIC_NODES') && flags.includes('MPOL_F_RELATIVE_NODES')) {
    fail(`${base}/flags`, 'MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other');
  }
  // Linux 6.1 takes it with MPOL_BIND only, later ones with MPOL_PREFERRED_MANY too.
  if (flags.includes('MPOL_F_NUMA_BALANCING') && policy.mode !== 'MPOL_BIND' && policy.mode !== 'MPOL_PREFERRED_MANY') {
    fail(`${base}/flags`, `MPOL_F_NUMA_BALANCING does not apply to ${policy.mode}`);
  }
  let mode = MEMORY_POLICY_MODE_VALUES[policy.mode];
  for (const name of flags) mode |= MEMORY_POLICY_FLAG_BITS[name];
  return { mode, nodes: nodes === undefined ? Buffer.alloc(0) : bitmap(nodes) };
}
