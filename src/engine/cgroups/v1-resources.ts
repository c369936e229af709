/**
 * linux.resources -> cgroup v1 file writes, in the order runc's fs manager makes them. As in runc,
 * a numeric limit of 0 means "not set" (the kernel has no use for a 0 memory limit or cpu quota).
 */
import type { LinuxResources } from '../spec/schema';
import { jsonPointer } from '../spec/json-pointer';
import {
  CgroupWrite,
  checkCpuQuota,
  checkCpuShares,
  checkCpusetList,
  checkMemoryAndSwap,
  checkMemoryValue,
  deviceNumber,
  rdmaLimitLine,
  RESOURCES,
  resourceError,
} from './resources';

/**
 * The writes for a v1 (or hybrid) host whose mounted subsystems are `mounted`. Throws a ConfigError
 * naming the field for a value the kernel would refuse and for a controller the host does not mount.
 */
export function v1ResourceWrites(resources: LinuxResources | undefined, mounted: ReadonlySet<string>): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  const add = (controller: string, pointer: string, file: string, value: string | number | bigint, fallback?: CgroupWrite['fallback']): void => {
    if (!mounted.has(controller)) throw resourceError(pointer, `the ${controller} cgroup controller is not mounted on this host (cgroup v1)`);
    writes.push({ pointer, controller, file, value: String(value), ...(fallback ? { fallback } : {}) });
  };
  if (resources === undefined) return writes;
  const { memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified } = resources;

  if (unified !== undefined && Object.keys(unified).length > 0) {
    // As runc's fs manager: v2 file names have no meaning on v1 controllers.
    throw resourceError(`${RESOURCES}/unified`, 'needs a cgroup v2 host; this host has its controllers on cgroup v1');
  }

  // cpuset first: a process cannot join a cpuset cgroup without cpus and mems.
  if (cpu?.cpus !== undefined && cpu.cpus !== '') {
    checkCpusetList(`${RESOURCES}/cpu/cpus`, cpu.cpus);
    add('cpuset', `${RESOURCES}/cpu/cpus`, 'cpuset.cpus', cpu.cpus);
  }
  if (cpu?.mems !== undefined && cpu.mems !== '') {
    checkCpusetList(`${RESOURCES}/cpu/mems`, cpu.mems);
    add('cpuset', `${RESOURCES}/cpu/mems`, 'cpuset.mems', cpu.mems);
  }

  if (memory !== undefined) {
    const pointer = `${RESOURCES}/memory`;
    const limit = memory.limit ?? 0;
    const swap = memory.swap ?? 0;
    checkMemoryAndSwap(limit, swap);
    const writeLimit = (): void => {
      if (limit !== 0) add('memory', `${pointer}/limit`, 'memory.limit_in_bytes', limit);
    };
    const writeSwap = (): void => {
      if (swap !== 0) add('memory', `${pointer}/swap`, 'memory.memsw.limit_in_bytes', swap);
    };
    // The kernel keeps memsw >= limit at every step: raising memsw to unlimited goes first.
    if (swap === -1) {
      writeSwap();
      writeLimit();
    } else {
      writeLimit();
      writeSwap();
    }
    for (const [field, file] of [
      ['reservation', 'memory.soft_limit_in_bytes'],
      ['kernel', 'memory.kmem.limit_in_bytes'],
      ['kernelTCP', 'memory.kmem.tcp.limit_in_bytes'],
    ] as const) {
      const value = memory[field] ?? 0;
      checkMemoryValue(`${pointer}/${field}`, value);
      if (value !== 0) add('memory', `${pointer}/${field}`, file, value);
    }
    if (memory.swappiness !== undefined) {
      if (memory.swappiness > 100) throw resourceError(`${pointer}/swappiness`, `${memory.swappiness} is outside 0-100`);
      add('memory', `${pointer}/swappiness`, 'memory.swappiness', memory.swappiness);
    }
    if (memory.disableOOMKiller !== undefined) {
      // A new memory cgroup inherits its parent's setting, so false is written too.
      add('memory', `${pointer}/disableOOMKiller`, 'memory.oom_control', memory.disableOOMKiller ? 1 : 0);
    }
    if (memory.useHierarchy !== undefined) {
      add('memory', `${pointer}/useHierarchy`, 'memory.use_hierarchy', memory.useHierarchy ? 1 : 0);
    }
    // checkBeforeUpdate guards an update against a limit below current usage; a new cgroup uses nothing.
  }

  if (cpu !== undefined) {
    const pointer = `${RESOURCES}/cpu`;
    const rtPeriod = cpu.realtimePeriod ?? 0;
    const rtRuntime = cpu.realtimeRuntime ?? 0;
    if (rtPeriod > 0 && rtRuntime > rtPeriod) {
      throw resourceError(`${pointer}/realtimeRuntime`, `${rtRuntime} exceeds realtimePeriod ${rtPeriod}`);
    }
    // The period first, so that the runtime is checked against the new period.
    if (rtPeriod !== 0) add('cpu', `${pointer}/realtimePeriod`, 'cpu.rt_period_us', rtPeriod);
    if (rtRuntime !== 0) add('cpu', `${pointer}/realtimeRuntime`, 'cpu.rt_runtime_us', rtRuntime);
    if ((cpu.shares ?? 0) !== 0) {
      checkCpuShares(cpu.shares!);
      add('cpu', `${pointer}/shares`, 'cpu.shares', cpu.shares!);
    }
    if ((cpu.period ?? 0) !== 0) add('cpu', `${pointer}/period`, 'cpu.cfs_period_us', cpu.period!);
    if ((cpu.quota ?? 0) !== 0) {
      checkCpuQuota(cpu.quota!);
      add('cpu', `${pointer}/quota`, 'cpu.cfs_quota_us', cpu.quota!);
    }
    // The kernel refuses a burst above the quota, so after it.
    if (cpu.burst !== undefined) add('cpu', `${pointer}/burst`, 'cpu.cfs_burst_us', cpu.burst);
    if (cpu.idle !== undefined) add('cpu', `${pointer}/idle`, 'cpu.idle', cpu.idle);
  }

  if (pids !== undefined) {
    // runc: a limit of 0 or below is no limit.
    add('pids', `${RESOURCES}/pids/limit`, 'pids.max', pids.limit > 0 ? pids.limit : 'max');
  }

  if (blockIO !== undefined) {
    const pointer = `${RESOURCES}/blockIO`;
    // blkio.weight is CFQ's; with the BFQ scheduler the kernel names the files blkio.bfq.*.
    if ((blockIO.weight ?? 0) !== 0) {
      add('blkio', `${pointer}/weight`, 'blkio.weight', blockIO.weight!, { file: 'blkio.bfq.weight', value: String(blockIO.weight) });
    }
    if ((blockIO.leafWeight ?? 0) !== 0) add('blkio', `${pointer}/leafWeight`, 'blkio.leaf_weight', blockIO.leafWeight!);
    (blockIO.weightDevice ?? []).forEach((device, index) => {
      const devicePointer = `${pointer}/weightDevice/${index}`;
      const number = deviceNumber(devicePointer, device);
      if ((device.weight ?? 0) !== 0) {
        const line = `${number} ${device.weight}`;
        add('blkio', `${devicePointer}/weight`, 'blkio.weight_device', line, { file: 'blkio.bfq.weight_device', value: line });
      }
      if ((device.leafWeight ?? 0) !== 0) {
        add('blkio', `${devicePointer}/leafWeight`, 'blkio.leaf_weight_device', `${number} ${device.leafWeight}`);
      }
    });
    for (const [field, file] of [
      ['throttleReadBpsDevice', 'blkio.throttle.read_bps_device'],
      ['throttleWriteBpsDevice', 'blkio.throttle.write_bps_device'],
      ['throttleReadIOPSDevice', 'blkio.throttle.read_iops_device'],
      ['throttleWriteIOPSDevice', 'blkio.throttle.write_iops_device'],
    ] as const) {
      (blockIO[field] ?? []).forEach((device, index) => {
        const devicePointer = `${pointer}/${field}/${index}`;
        // A rate of 0 removes the device's limit.
        add('blkio', devicePointer, file, `${deviceNumber(devicePointer, device)} ${device.rate ?? 0}`);
      });
    }
  }

  (hugepageLimits ?? []).forEach((hugepage, index) => {
    add('hugetlb', `${RESOURCES}/hugepageLimits/${index}`, `hugetlb.${hugepage.pageSize}.limit_in_bytes`, hugepage.limit);
  });

  if (network?.classID !== undefined) add('net_cls', `${RESOURCES}/network/classID`, 'net_cls.classid', network.classID);
  (network?.priorities ?? []).forEach((priority, index) => {
    add('net_prio', `${RESOURCES}/network/priorities/${index}`, 'net_prio.ifpriomap', `${priority.name} ${priority.priority}`);
  });

  for (const [device, limits] of Object.entries(rdma ?? {})) {
    const line = rdmaLimitLine(device, limits);
    if (line !== null) add('rdma', `${RESOURCES}/rdma${jsonPointer(device)}`, 'rdma.max', line);
  }
  return writes;
}
