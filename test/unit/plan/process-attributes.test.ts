import { describe, expect, it } from 'vitest';

import { CLONE_NEWTIME, planTimeOffsets } from '../../../src/engine/plan/namespaces';
import {
  ALL_CPUS,
  bitmap,
  parseIdList,
  planCpuAffinity,
  planIoPriority,
  planMemoryPolicy,
  planPersonality,
  planScheduler,
} from '../../../src/engine/plan/process-attributes';
import { planSeccomp } from '../../../src/engine/plan/seccomp';
import type { Linux, Process } from '../../../src/engine/spec/schema';

const process = (extra: Partial<Process>): Process => ({ cwd: '/', args: ['sh'], ...extra });

function errorOf(f: () => unknown): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('CPU and node lists', () => {
  it('parses ranges, single ids, spaces and empty elements as runc does', () => {
    expect(parseIdList('0-2, 5,,7 - 8', '/x')).toEqual([0, 1, 2, 5, 7, 8]);
    expect(parseIdList(' , ', '/x')).toBeUndefined();
    expect(parseIdList('', '/x')).toBeUndefined();
  });

  it('refuses what is not a list, naming the field', () => {
    expect(errorOf(() => parseIdList('3-1', '/process/execCPUAffinity/final'))).toBe(
      'config.json: /process/execCPUAffinity/final: "3-1" is a range whose start is above its end',
    );
    expect(errorOf(() => parseIdList('1-2-3', '/p'))).toBe('config.json: /p: "1-2-3" is neither a number nor a range such as 0-3');
    expect(errorOf(() => parseIdList('8192', '/p'))).toBe('config.json: /p: 8192 is above the largest id cista supports (8191)');
  });

  it('makes the kernel bitmap of unsigned longs, little-endian', () => {
    expect(bitmap([0, 9])).toEqual(Buffer.from([0x01, 0x02, 0, 0, 0, 0, 0, 0]));
    expect(bitmap([64]).length).toBe(16);
    expect(bitmap([64])[8]).toBe(1);
  });
});

describe('execCPUAffinity', () => {
  it('applies to exec only; create drops the runtime affinity for every CPU, as runc', () => {
    expect(planCpuAffinity(process({ execCPUAffinity: { initial: '1', final: '0' } }), false)).toEqual({ initial: null, final: ALL_CPUS });
  });

  it('exec: initial before the cgroup, final after; only initial keeps it; neither resets', () => {
    expect(planCpuAffinity(process({ execCPUAffinity: { initial: '1', final: '0' } }), true)).toEqual({ initial: bitmap([1]), final: bitmap([0]) });
    expect(planCpuAffinity(process({ execCPUAffinity: { initial: '1' } }), true)).toEqual({ initial: bitmap([1]), final: null });
    expect(planCpuAffinity(process({ execCPUAffinity: { final: '0-1' } }), true)).toEqual({ initial: null, final: bitmap([0, 1]) });
    expect(planCpuAffinity(process({}), true)).toEqual({ initial: null, final: ALL_CPUS });
  });
});

describe('process.scheduler', () => {
  it('resolves names to sched_attr numbers', () => {
    expect(planScheduler(process({ scheduler: { policy: 'SCHED_BATCH', nice: -5, flags: ['SCHED_FLAG_RESET_ON_FORK'] } }))).toEqual({
      policy: 3,
      flags: 1n,
      nice: -5,
      priority: 0,
      runtime: 0n,
      deadline: 0n,
      period: 0n,
    });
    expect(planScheduler(process({ scheduler: { policy: 'SCHED_DEADLINE', runtime: 10_000_000, deadline: 30_000_000, period: 30_000_000 } }))).toMatchObject({
      policy: 6,
      runtime: 10_000_000n,
      deadline: 30_000_000n,
    });
    expect(planScheduler(process({}))).toBeNull();
  });

  it.each<[Process['scheduler'], string]>([
    [{ policy: 'SCHED_ISO' }, '/process/scheduler/policy: SCHED_ISO is reserved and not implemented by Linux'],
    [{ policy: 'SCHED_OTHER', nice: 20 }, '/process/scheduler/nice: 20 is not a nice value (-20 to 19)'],
    [{ policy: 'SCHED_FIFO' }, '/process/scheduler/priority: must be 1 to 99 for SCHED_FIFO'],
    [{ policy: 'SCHED_RR', priority: 100 }, '/process/scheduler/priority: must be 1 to 99 for SCHED_RR'],
    [{ policy: 'SCHED_BATCH', priority: 1 }, '/process/scheduler/priority: applies only to SCHED_FIFO and SCHED_RR'],
    [{ policy: 'SCHED_OTHER', runtime: 5 }, '/process/scheduler/runtime: applies only to SCHED_DEADLINE'],
    [{ policy: 'SCHED_DEADLINE', runtime: 100 }, '/process/scheduler/runtime: must be at least 1024 ns for SCHED_DEADLINE'],
    [{ policy: 'SCHED_DEADLINE', runtime: 2000, deadline: 1000 }, '/process/scheduler/deadline: must not be below the runtime'],
    [{ policy: 'SCHED_DEADLINE', runtime: 2000, deadline: 3000, period: 2500 }, '/process/scheduler/period: must not be below the deadline'],
  ])('refuses %j', (scheduler, expected) => {
    expect(errorOf(() => planScheduler(process({ scheduler })))).toBe(`config.json: ${expected}`);
  });
});

describe('process.ioPriority', () => {
  it('is class << 13 | level', () => {
    expect(planIoPriority(process({ ioPriority: { class: 'IOPRIO_CLASS_BE', priority: 7 } }))).toBe((2 << 13) | 7);
    expect(planIoPriority(process({ ioPriority: { class: 'IOPRIO_CLASS_IDLE' } }))).toBe(3 << 13);
    expect(errorOf(() => planIoPriority(process({ ioPriority: { class: 'IOPRIO_CLASS_RT', priority: 8 } })))).toBe(
      'config.json: /process/ioPriority/priority: 8 is not a priority level (0 to 7)',
    );
  });
});

describe('linux.personality', () => {
  it('is PER_LINUX or PER_LINUX32, and flags (none defined) are refused', () => {
    expect(planPersonality({ personality: { domain: 'LINUX32' } })).toBe(8);
    expect(planPersonality({ personality: { domain: 'LINUX' } })).toBe(0);
    expect(planPersonality({})).toBeNull();
    expect(errorOf(() => planPersonality({ personality: { domain: 'LINUX', flags: ['ADDR_NO_RANDOMIZE'] } }))).toBe(
      'config.json: /linux/personality/flags: the runtime-spec defines no personality flags; remove them',
    );
    expect(errorOf(() => planPersonality({ personality: {} }))).toBe('config.json: /linux/personality/domain: is required (LINUX or LINUX32)');
  });
});

describe('linux.memoryPolicy', () => {
  it('ORs the flags into the mode and makes the node mask', () => {
    expect(planMemoryPolicy({ memoryPolicy: { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_STATIC_NODES'] } })).toEqual({
      mode: 2 | (1 << 15),
      nodes: bitmap([0]),
    });
    expect(planMemoryPolicy({ memoryPolicy: { mode: 'MPOL_LOCAL' } })).toEqual({ mode: 4, nodes: Buffer.alloc(0) });
    expect(planMemoryPolicy({ memoryPolicy: { mode: 'MPOL_PREFERRED' } })).toEqual({ mode: 1, nodes: Buffer.alloc(0) });
  });

  it.each<[Linux['memoryPolicy'], string]>([
    [{ nodes: '0' }, '/linux/memoryPolicy/mode: is required'],
    [{ mode: 'MPOL_DEFAULT', nodes: '0' }, '/linux/memoryPolicy/nodes: must be empty for MPOL_DEFAULT'],
    [{ mode: 'MPOL_INTERLEAVE' }, '/linux/memoryPolicy/nodes: MPOL_INTERLEAVE needs at least one node'],
    [
      { mode: 'MPOL_BIND', nodes: '0', flags: ['MPOL_F_STATIC_NODES', 'MPOL_F_RELATIVE_NODES'] },
      '/linux/memoryPolicy/flags: MPOL_F_STATIC_NODES and MPOL_F_RELATIVE_NODES exclude each other',
    ],
    [{ mode: 'MPOL_INTERLEAVE', nodes: '0', flags: ['MPOL_F_NUMA_BALANCING'] }, '/linux/memoryPolicy/flags: MPOL_F_NUMA_BALANCING does not apply to MPOL_INTERLEAVE'],
  ])('refuses %j', (memoryPolicy, expected) => {
    expect(errorOf(() => planMemoryPolicy({ memoryPolicy }))).toBe(`config.json: ${expected}`);
  });
});

describe('linux.timeOffsets', () => {
  it('become the lines of /proc/self/timens_offsets, for a new time namespace only', () => {
    const linux: Linux = { namespaces: [{ type: 'time' }], timeOffsets: { boottime: { secs: -5, nanosecs: 7 }, monotonic: { secs: 86400 } } };
    expect(planTimeOffsets(linux)).toBe('monotonic 86400 0\nboottime -5 7\n');
    expect(planTimeOffsets({ namespaces: [{ type: 'time' }] })).toBeNull();
    expect(CLONE_NEWTIME).toBe(0x80);
  });

  it.each<[Linux, string]>([
    [{ timeOffsets: { monotonic: { secs: 1 } } }, '/linux/timeOffsets: needs a new time namespace in /linux/namespaces'],
    [
      { namespaces: [{ type: 'time', path: '/proc/1/ns/time' }], timeOffsets: { monotonic: { secs: 1 } } },
      '/linux/timeOffsets: cannot be applied to the time namespace joined by /linux/namespaces/0/path',
    ],
    [{ namespaces: [{ type: 'time' }], timeOffsets: { boottime: { nanosecs: 1e9 } } }, '/linux/timeOffsets/boottime/nanosecs: 1000000000 is not below one second'],
    [
      { namespaces: [{ type: 'time' }], timeOffsets: { monotonic: { secs: -5e9 } } },
      "/linux/timeOffsets/monotonic/secs: -5000000000 is beyond the kernel's limit of ±4611686018",
    ],
  ])('refuses %j', (linux, expected) => {
    expect(errorOf(() => planTimeOffsets(linux))).toBe(`config.json: ${expected}`);
  });
});

describe('the seccomp ENOSYS stub for syscalls newer than the profile', () => {
  const names = (defaultAction: string, defaultErrnoRet?: number) =>
    planSeccomp({
      defaultAction,
      defaultErrnoRet,
      syscalls: [
        { names: ['read', 'write'], action: 'SCMP_ACT_ALLOW' },
        { names: ['mkdir', 'read'], action: defaultAction },
      ],
    } as never)!.filter.profileSyscalls;

  it('gets every name of the profile, those of rules left out included', () => {
    expect(names('SCMP_ACT_ERRNO')).toEqual(['read', 'write', 'mkdir']);
    expect(names('SCMP_ACT_KILL_PROCESS')).toEqual(['read', 'write', 'mkdir']);
  });

  it('is left out when the default action lets syscalls through, or already is ENOSYS (as runc)', () => {
    expect(names('SCMP_ACT_ALLOW')).toEqual([]);
    expect(names('SCMP_ACT_LOG')).toEqual([]);
    expect(names('SCMP_ACT_TRACE')).toEqual([]);
    expect(names('SCMP_ACT_ERRNO', 38)).toEqual([]);
  });
});
