import { describe, expect, it } from 'vitest';
import type { CgroupWrite } from '../../../src/engine/cgroups/resources';
import { checkCpusetList } from '../../../src/engine/cgroups/resources';
import { v1ResourceWrites } from '../../../src/engine/cgroups/v1-resources';
import { blkioWeightToIoWeight, cpuSharesToWeight, v2ResourceWrites } from '../../../src/engine/cgroups/v2-resources';
import type { LinuxResources } from '../../../src/engine/spec/schema';

const ALL_V1 = new Set(['cpuset', 'devices', 'memory', 'cpu', 'cpuacct', 'pids', 'blkio', 'hugetlb', 'net_cls', 'net_prio', 'rdma']);

/** "controller:file=value" per write, compact to compare. */
function compact(writes: CgroupWrite[]): string[] {
  return writes.map((w) => `${w.controller}:${w.file}=${w.value}${w.fallback ? ` | ${w.fallback.file}=${w.fallback.value}` : ''}`);
}

function errorOf(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    return (error as Error).message;
  }
  return 'no error';
}

describe('v1 resource writes', () => {
  const v1 = (resources: LinuxResources, mounted: ReadonlySet<string> = ALL_V1) => compact(v1ResourceWrites(resources, mounted));

  it('writes nothing without resources', () => {
    expect(v1ResourceWrites(undefined, ALL_V1)).toEqual([]);
    expect(v1({ devices: [] })).toEqual([]);
  });

  it('writes memory with the limit before memory+swap, and every other memory field', () => {
    expect(
      v1({
        memory: {
          limit: 50593792,
          swap: 101187584,
          reservation: 40000000,
          kernel: 50593792,
          kernelTCP: 50593792,
          swappiness: 10,
          disableOOMKiller: true,
          useHierarchy: true,
          checkBeforeUpdate: true,
        },
      }),
    ).toEqual([
      'memory:memory.limit_in_bytes=50593792',
      'memory:memory.memsw.limit_in_bytes=101187584',
      'memory:memory.soft_limit_in_bytes=40000000',
      'memory:memory.kmem.limit_in_bytes=50593792',
      'memory:memory.kmem.tcp.limit_in_bytes=50593792',
      'memory:memory.swappiness=10',
      'memory:memory.oom_control=1',
      'memory:memory.use_hierarchy=1',
    ]);
  });

  it('raises memory+swap to unlimited before the limit, and treats 0 as unset (runc)', () => {
    expect(v1({ memory: { limit: 1 << 20, swap: -1 } })).toEqual([
      'memory:memory.memsw.limit_in_bytes=-1',
      'memory:memory.limit_in_bytes=1048576',
    ]);
    expect(v1({ memory: { limit: 0, reservation: 0, kernel: 0 } })).toEqual([]);
  });

  it('writes cpuset first, then realtime period before runtime, then shares, period, quota, burst, idle', () => {
    expect(
      v1({
        cpu: { shares: 1024, quota: 50000, period: 100000, burst: 1000, realtimePeriod: 1000000, realtimeRuntime: 950000, cpus: '0-1', mems: '0', idle: 0 },
        pids: { limit: 1000 },
      }),
    ).toEqual([
      'cpuset:cpuset.cpus=0-1',
      'cpuset:cpuset.mems=0',
      'cpu:cpu.rt_period_us=1000000',
      'cpu:cpu.rt_runtime_us=950000',
      'cpu:cpu.shares=1024',
      'cpu:cpu.cfs_period_us=100000',
      'cpu:cpu.cfs_quota_us=50000',
      'cpu:cpu.cfs_burst_us=1000',
      'cpu:cpu.idle=0',
      'pids:pids.max=1000',
    ]);
    expect(v1({ pids: { limit: -1 } })).toEqual(['pids:pids.max=max']);
  });

  it('writes block I/O weights with the BFQ file as fallback, and throttles per device', () => {
    expect(
      v1({
        blockIO: {
          weight: 500,
          leafWeight: 300,
          weightDevice: [{ major: 8, minor: 0, weight: 600, leafWeight: 200 }],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
          throttleWriteIOPSDevice: [{ major: 8, minor: 16, rate: 100 }],
        },
      }),
    ).toEqual([
      'blkio:blkio.weight=500 | blkio.bfq.weight=500',
      'blkio:blkio.leaf_weight=300',
      'blkio:blkio.weight_device=8:0 600 | blkio.bfq.weight_device=8:0 600',
      'blkio:blkio.leaf_weight_device=8:0 200',
      'blkio:blkio.throttle.read_bps_device=8:0 1048576',
      'blkio:blkio.throttle.write_iops_device=8:16 100',
    ]);
  });

  it('writes hugetlb, net_cls, net_prio and rdma', () => {
    expect(
      v1({
        hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }],
        network: { classID: 1048577, priorities: [{ name: 'eth0', priority: 500 }] },
        rdma: { mlx5_1: { hcaHandles: 3, hcaObjects: 10000 }, mlx4_0: {} },
      }),
    ).toEqual([
      'hugetlb:hugetlb.2MB.limit_in_bytes=4194304',
      'net_cls:net_cls.classid=1048577',
      'net_prio:net_prio.ifpriomap=eth0 500',
      'rdma:rdma.max=mlx5_1 hca_handle=3 hca_object=10000',
    ]);
  });

  it.each<[string, LinuxResources, string]>([
    ['swap below the limit', { memory: { limit: 2000000, swap: 1000000 } }, '/linux/resources/memory/swap: memory+swap limit 1000000 is below the memory limit 2000000'],
    ['swap without a limit', { memory: { swap: 1000000 } }, '/linux/resources/memory/swap: a memory+swap limit needs memory.limit set too'],
    ['a negative limit', { memory: { limit: -2 } }, '/linux/resources/memory/limit: -2 is neither a byte count nor -1 (unlimited)'],
    ['swappiness above 100', { memory: { swappiness: 101 } }, '/linux/resources/memory/swappiness: 101 is outside 0-100'],
    ['too many shares', { cpu: { shares: 300000 } }, '/linux/resources/cpu/shares: 300000 is outside the kernel\'s range 2-262144'],
    ['a bad quota', { cpu: { quota: -5 } }, '/linux/resources/cpu/quota: -5 is neither a positive number of microseconds nor -1 (unlimited)'],
    ['a bad cpus list', { cpu: { cpus: '0-' } }, '/linux/resources/cpu/cpus: "0-" is not a list like "0-3,5"'],
    ['a descending range', { cpu: { mems: '3-1' } }, '/linux/resources/cpu/mems: "3-1" is not a list like "0-3,5"'],
    ['realtime runtime above the period', { cpu: { realtimePeriod: 1000, realtimeRuntime: 2000 } }, '/linux/resources/cpu/realtimeRuntime: 2000 exceeds realtimePeriod 1000'],
    ['a negative device number', { blockIO: { throttleReadBpsDevice: [{ major: -1, minor: 0, rate: 1 }] } }, '/linux/resources/blockIO/throttleReadBpsDevice/0: device -1:0 has a negative number'],
    ['unified on v1', { unified: { 'memory.high': '1M' } }, '/linux/resources/unified: needs a cgroup v2 host; this host has its controllers on cgroup v1'],
  ])('refuses %s before touching the host', (_, resources, expected) => {
    expect(errorOf(() => v1ResourceWrites(resources, ALL_V1))).toBe(`config.json: ${expected}`);
  });

  it('names the field whose controller the host does not mount', () => {
    const hybrid = new Set(['cpuset', 'devices', 'memory', 'cpu', 'cpuacct', 'pids', 'blkio', '']);
    expect(errorOf(() => v1ResourceWrites({ hugepageLimits: [{ pageSize: '2MB', limit: 1 }] }, hybrid))).toBe(
      'config.json: /linux/resources/hugepageLimits/0: the hugetlb cgroup controller is not mounted on this host (cgroup v1)',
    );
    expect(errorOf(() => v1ResourceWrites({ network: { classID: 1 } }, hybrid))).toBe(
      'config.json: /linux/resources/network/classID: the net_cls cgroup controller is not mounted on this host (cgroup v1)',
    );
  });
});

describe('v2 resource writes', () => {
  const v2 = (resources: LinuxResources) => compact(v2ResourceWrites(resources));

  it('converts as runc does', () => {
    expect(cpuSharesToWeight(2)).toBe(1);
    expect(cpuSharesToWeight(1024)).toBe(39);
    expect(cpuSharesToWeight(262144)).toBe(10000);
    expect(blkioWeightToIoWeight(10)).toBe(1);
    expect(blkioWeightToIoWeight(500)).toBe(4950);
    expect(blkioWeightToIoWeight(1000)).toBe(10000);
  });

  it('writes pids, memory (swap.max = swap - limit, before memory.max), io, cpu, cpuset, hugetlb, rdma, then unified', () => {
    expect(
      v2({
        pids: { limit: 100 },
        memory: { limit: 50000000, swap: 80000000, reservation: 40000000, useHierarchy: true, disableOOMKiller: false },
        blockIO: {
          weight: 500,
          weightDevice: [{ major: 8, minor: 0, weight: 100 }],
          throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }],
          throttleWriteIOPSDevice: [{ major: 8, minor: 0 }],
        },
        cpu: { shares: 1024, quota: 50000, period: 100000, burst: 1000, idle: 1, cpus: '0', mems: '0' },
        hugepageLimits: [{ pageSize: '2MB', limit: 4194304 }],
        rdma: { mlx5_1: { hcaHandles: 3 } },
        unified: { 'memory.high': '45000000', 'cgroup.max.depth': '2' },
      }),
    ).toEqual([
      'pids:pids.max=100',
      'memory:memory.swap.max=30000000',
      'memory:memory.max=50000000',
      'memory:memory.low=40000000',
      'io:io.bfq.weight=500 | io.weight=4950',
      'io:io.bfq.weight=8:0 100 | io.weight=8:0 910',
      'io:io.max=8:0 rbps=1048576',
      'io:io.max=8:0 wiops=max',
      'cpu:cpu.idle=1',
      'cpu:cpu.weight=39',
      'cpu:cpu.max=50000 100000',
      'cpu:cpu.max.burst=1000',
      'cpuset:cpuset.cpus=0',
      'cpuset:cpuset.mems=0',
      'hugetlb:hugetlb.2MB.max=4194304',
      'rdma:rdma.max=mlx5_1 hca_handle=3',
      'memory:memory.high=45000000',
      ':cgroup.max.depth=2',
    ]);
  });

  it('maps -1 to max and a lone period to "max <period>"', () => {
    expect(v2({ memory: { limit: -1, swap: -1 }, cpu: { period: 250000 }, pids: { limit: 0 } })).toEqual([
      'pids:pids.max=max',
      'memory:memory.swap.max=max',
      'memory:memory.max=max',
      'cpu:cpu.max=max 250000',
    ]);
    expect(v2({ memory: { limit: 1 << 20, swap: 1 << 20 } })).toEqual(['memory:memory.swap.max=0', 'memory:memory.max=1048576']);
    expect(v2({ cpu: { quota: -1 } })).toEqual(['cpu:cpu.max=max']);
  });

  it.each<[string, LinuxResources, string]>([
    ['a kernel memory limit', { memory: { kernel: 1 << 20 } }, '/linux/resources/memory/kernel: cgroup v2 has no kernel memory limit'],
    ['a kernel TCP limit', { memory: { kernelTCP: 1 << 20 } }, '/linux/resources/memory/kernelTCP: cgroup v2 has no kernel TCP memory limit'],
    ['swappiness', { memory: { swappiness: 10 } }, '/linux/resources/memory/swappiness: cgroup v2 has no per-cgroup swappiness'],
    ['disabling the OOM killer', { memory: { disableOOMKiller: true } }, '/linux/resources/memory/disableOOMKiller: cgroup v2 has no switch to disable the OOM killer'],
    ['no hierarchy', { memory: { useHierarchy: false } }, '/linux/resources/memory/useHierarchy: cgroup v2 has no non-hierarchical memory accounting'],
    ['realtime', { cpu: { realtimeRuntime: 1000 } }, '/linux/resources/cpu/realtimeRuntime: cgroup v2 has no realtime cpu scheduling controls'],
    ['a leaf weight', { blockIO: { leafWeight: 100 } }, '/linux/resources/blockIO/leafWeight: cgroup v2 has no leaf weight'],
    ['a weight out of range', { blockIO: { weight: 5 } }, '/linux/resources/blockIO/weight: 5 is outside the blkio weight range 10-1000'],
    ['net_cls', { network: { classID: 1 } }, '/linux/resources/network/classID: cgroup v2 has no net_cls controller'],
    ['swap below the limit', { memory: { limit: 2000000, swap: 1000000 } }, '/linux/resources/memory/swap: memory+swap limit 1000000 is below the memory limit 2000000'],
    ['a unified path', { unified: { '../memory.max': '1' } }, '/linux/resources/unified/..~1memory.max: "../memory.max" is not a cgroup file name like "memory.high"'],
    ['a unified name without a controller', { unified: { max: '1' } }, '/linux/resources/unified/max: "max" is not a cgroup file name like "memory.high"'],
    ['moving processes through unified', { unified: { 'cgroup.procs': '1' } }, '/linux/resources/unified/cgroup.procs: moves processes; it is not a resource limit'],
  ])('refuses %s', (_, resources, expected) => {
    expect(errorOf(() => v2ResourceWrites(resources))).toBe(`config.json: ${expected}`);
  });
});

describe('cpuset lists', () => {
  it.each(['0', '0-3', '0,2,4-7', '1 , 3'])('accepts %j', (list) => {
    expect(() => checkCpusetList('/p', list)).not.toThrow();
  });
  it.each(['', 'a', '1-', '-1', '0-3,', '3-1'])('refuses %j', (list) => {
    expect(() => checkCpusetList('/p', list)).toThrow();
  });
});
