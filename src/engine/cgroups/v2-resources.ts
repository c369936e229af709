/**
 * linux.resources -> cgroup v2 file writes, converting v1-style values as runc's fs2 manager does
 * (cpu.shares -> cpu.weight, memory+swap -> memory.swap.max, blkio weight -> io.weight, ...).
 * Fields with no v2 equivalent are refused rather than ignored, unless set to what v2 always does.
 * As in runc, a numeric limit of 0 means "not set".
 */
import type { Integer64, LinuxResources } from '../spec/schema';
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

/** runc's mapping of cpu.shares (2..262144) onto cpu.weight (1..10000). */
export function cpuSharesToWeight(shares: number): number {
  return 1 + Math.floor(((shares - 2) * 9999) / 262142);
}

/** runc's mapping of a blkio weight (10..1000) onto io.weight (1..10000). */
export function blkioWeightToIoWeight(weight: number): number {
  return 1 + Math.floor(((weight - 10) * 9999) / 990);
}

/** -1 is "max" in v2 files. */
function limitValue(value: Integer64): string {
  return value === -1 ? 'max' : String(value);
}

function checkBlkioWeight(pointer: string, weight: number): void {
  if (weight < 10 || weight > 1000) throw resourceError(pointer, `${weight} is outside the blkio weight range 10-1000`);
}

/**
 * The writes for a cgroup v2 host; each write's controller is the one to enable in the parents'
 * cgroup.subtree_control ("" for cgroup.* files). Throws a ConfigError naming the field for values
 * the kernel would refuse and for fields v2 cannot honour.
 */
export function v2ResourceWrites(resources: LinuxResources | undefined): CgroupWrite[] {
  const writes: CgroupWrite[] = [];
  const add = (controller: string, pointer: string, file: string, value: string | number | bigint, fallback?: CgroupWrite['fallback']): void => {
    writes.push({ pointer, controller, file, value: String(value), ...(fallback ? { fallback } : {}) });
  };
  const refuse = (pointer: string, what: string): never => {
    throw resourceError(pointer, `cgroup v2 has no ${what}`);
  };
  if (resources === undefined) return writes;
  const { memory, cpu, pids, blockIO, hugepageLimits, network, rdma, unified } = resources;

  if (pids !== undefined) add('pids', `${RESOURCES}/pids/limit`, 'pids.max', pids.limit > 0 ? pids.limit : 'max');

  if (memory !== undefined) {
    const pointer = `${RESOURCES}/memory`;
    const limit = memory.limit ?? 0;
    const swap = memory.swap ?? 0;
    checkMemoryAndSwap(limit, swap);
    // v2 limits swap alone: memory.swap.max = (memory+swap) - memory; written before memory.max as runc does.
    if (swap !== 0) add('memory', `${pointer}/swap`, 'memory.swap.max', swap === -1 ? 'max' : BigInt(swap) - BigInt(limit));
    if (limit !== 0) add('memory', `${pointer}/limit`, 'memory.max', limitValue(limit));
    const reservation = memory.reservation ?? 0;
    checkMemoryValue(`${pointer}/reservation`, reservation);
    if (reservation !== 0) add('memory', `${pointer}/reservation`, 'memory.low', limitValue(reservation));
    if ((memory.kernel ?? 0) !== 0) refuse(`${pointer}/kernel`, 'kernel memory limit');
    if ((memory.kernelTCP ?? 0) !== 0) refuse(`${pointer}/kernelTCP`, 'kernel TCP memory limit');
    if (memory.swappiness !== undefined) refuse(`${pointer}/swappiness`, 'per-cgroup swappiness');
    if (memory.disableOOMKiller === true) refuse(`${pointer}/disableOOMKiller`, 'switch to disable the OOM killer');
    if (memory.useHierarchy === false) refuse(`${pointer}/useHierarchy`, 'non-hierarchical memory accounting');
    // checkBeforeUpdate guards an update against a limit below current usage; a new cgroup uses nothing.
  }

  if (blockIO !== undefined) {
    const pointer = `${RESOURCES}/blockIO`;
    // The BFQ scheduler's io.bfq.weight takes blkio weights as they are; without BFQ, io.weight converted.
    if ((blockIO.weight ?? 0) !== 0) {
      checkBlkioWeight(`${pointer}/weight`, blockIO.weight!);
      add('io', `${pointer}/weight`, 'io.bfq.weight', blockIO.weight!, {
        file: 'io.weight',
        value: String(blkioWeightToIoWeight(blockIO.weight!)),
      });
    }
    if ((blockIO.leafWeight ?? 0) !== 0) refuse(`${pointer}/leafWeight`, 'leaf weight');
    (blockIO.weightDevice ?? []).forEach((device, index) => {
      const devicePointer = `${pointer}/weightDevice/${index}`;
      const number = deviceNumber(devicePointer, device);
      if ((device.weight ?? 0) !== 0) {
        checkBlkioWeight(`${devicePointer}/weight`, device.weight!);
        add('io', `${devicePointer}/weight`, 'io.bfq.weight', `${number} ${device.weight}`, {
          file: 'io.weight',
          value: `${number} ${blkioWeightToIoWeight(device.weight!)}`,
        });
      }
      if ((device.leafWeight ?? 0) !== 0) refuse(`${devicePointer}/leafWeight`, 'leaf weight');
    });
    for (const [field, key] of [
      ['throttleReadBpsDevice', 'rbps'],
      ['throttleWriteBpsDevice', 'wbps'],
      ['throttleReadIOPSDevice', 'riops'],
      ['throttleWriteIOPSDevice', 'wiops'],
    ] as const) {
      (blockIO[field] ?? []).forEach((device, index) => {
        const devicePointer = `${pointer}/${field}/${index}`;
        // As with v1's rate 0, no rate removes the device's limit.
        const rate = (device.rate ?? 0) === 0 ? 'max' : device.rate;
        add('io', devicePointer, 'io.max', `${deviceNumber(devicePointer, device)} ${key}=${rate}`);
      });
    }
  }

  if (cpu !== undefined) {
    const pointer = `${RESOURCES}/cpu`;
    if ((cpu.realtimePeriod ?? 0) !== 0) refuse(`${pointer}/realtimePeriod`, 'realtime cpu scheduling controls');
    if ((cpu.realtimeRuntime ?? 0) !== 0) refuse(`${pointer}/realtimeRuntime`, 'realtime cpu scheduling controls');
    if (cpu.idle !== undefined) add('cpu', `${pointer}/idle`, 'cpu.idle', cpu.idle);
    if ((cpu.shares ?? 0) !== 0) {
      checkCpuShares(cpu.shares!);
      add('cpu', `${pointer}/shares`, 'cpu.weight', cpuSharesToWeight(Number(cpu.shares!)));
    }
    const quota = cpu.quota ?? 0;
    const period = cpu.period ?? 0;
    checkCpuQuota(quota);
    if (quota !== 0 || period !== 0) {
      const max = `${quota > 0 ? quota : 'max'}${period !== 0 ? ` ${period}` : ''}`;
      add('cpu', quota !== 0 ? `${pointer}/quota` : `${pointer}/period`, 'cpu.max', max);
    }
    // The kernel refuses a burst above the quota, so after cpu.max.
    if (cpu.burst !== undefined) add('cpu', `${pointer}/burst`, 'cpu.max.burst', cpu.burst);
    if (cpu.cpus !== undefined && cpu.cpus !== '') {
      checkCpusetList(`${pointer}/cpus`, cpu.cpus);
      add('cpuset', `${pointer}/cpus`, 'cpuset.cpus', cpu.cpus);
    }
    if (cpu.mems !== undefined && cpu.mems !== '') {
      checkCpusetList(`${pointer}/mems`, cpu.mems);
      add('cpuset', `${pointer}/mems`, 'cpuset.mems', cpu.mems);
    }
  }

  (hugepageLimits ?? []).forEach((hugepage, index) => {
    add('hugetlb', `${RESOURCES}/hugepageLimits/${index}`, `hugetlb.${hugepage.pageSize}.max`, hugepage.limit);
  });

  if (network?.classID !== undefined) refuse(`${RESOURCES}/network/classID`, 'net_cls controller');
  if ((network?.priorities ?? []).length > 0) refuse(`${RESOURCES}/network/priorities`, 'net_prio controller');

  for (const [device, limits] of Object.entries(rdma ?? {})) {
    const line = rdmaLimitLine(device, limits);
    if (line !== null) add('rdma', `${RESOURCES}/rdma${jsonPointer(device)}`, 'rdma.max', line);
  }

  // Last, so that a file named here wins over the same file written for a field above (as in runc).
  for (const [file, value] of Object.entries(unified ?? {})) {
    const pointer = `${RESOURCES}/unified${jsonPointer(file)}`;
    const dot = file.indexOf('.');
    if (file.includes('/') || dot <= 0 || dot === file.length - 1) {
      throw resourceError(pointer, `${JSON.stringify(file)} is not a cgroup file name like "memory.high"`);
    }
    if (file === 'cgroup.procs' || file === 'cgroup.threads') throw resourceError(pointer, 'moves processes; it is not a resource limit');
    const prefix = file.slice(0, dot);
    add(prefix === 'cgroup' ? '' : prefix, pointer, file, value);
  }
  return writes;
}
