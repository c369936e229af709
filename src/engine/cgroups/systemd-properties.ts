/**
 * linux.resources and device rules as systemd unit properties, mapped as runc's systemd driver maps
 * them (libcontainer/cgroups/systemd: genV2ResourcesProperties, genV1ResourcesProperties, the device
 * properties), plus the properties of the container's scope itself. Pure: tested against runc's values.
 */
import { jsonPointer } from '../spec/json-pointer';
import type { Integer64, LinuxResources } from '../spec/schema';
import { type DeviceRule, resolveDeviceRules } from './devices';
import type { CgroupLayout, UnitProperty } from './manager';
import { RESOURCES, resourceError } from './resources';
import { blkioWeightToIoWeight, cpuSharesToWeight } from './v2-resources';

/** systemd's "infinity" for limits and USEC_INFINITY for times: (uint64)-1, as runc's uint64(-1) gives. */
export const SYSTEMD_INFINITY = (1n << 64n) - 1n;

/** The kernel's default cpu.cfs_period_us (100 ms), which runc assumes when only a quota is given. */
const DEFAULT_CPU_QUOTA_PERIOD = 100000;

function t(name: string, value: Integer64, pointer?: string): UnitProperty {
  return { name, type: 't', value: BigInt.asUintN(64, BigInt(value)), ...(pointer === undefined ? {} : { pointer }) };
}

/** A limit where -1 is unlimited, as the uint64 runc's conversion makes of it. */
function limit(name: string, value: Integer64, pointer: string): UnitProperty {
  return t(name, BigInt(value) === -1n ? SYSTEMD_INFINITY : value, pointer);
}

/** The properties of the container's scope, as runc's systemd Apply sets them. */
export function scopeProperties(containerName: string, slice: string, pid: number): UnitProperty[] {
  return [
    { name: 'Description', type: 's', value: `cista container ${containerName}` },
    { name: 'Slice', type: 's', value: slice },
    { name: 'PIDs', type: 'au', value: [pid] },
    // The container's cgroup is the runtime's to manage below the scope (and the init's to see).
    { name: 'Delegate', type: 'b', value: true },
    // Always on, as in runc: the same accounting as the cgroupfs drivers, and the kernel handles
    // joining the memory controller later badly.
    { name: 'MemoryAccounting', type: 'b', value: true },
    { name: 'CPUAccounting', type: 'b', value: true },
    { name: 'IOAccounting', type: 'b', value: true },
    { name: 'TasksAccounting', type: 'b', value: true },
    { name: 'DefaultDependencies', type: 'b', value: false },
  ];
}

/**
 * cpuset list -> systemd's CPU set bytes (AllowedCPUs, AllowedMemoryNodes): bit n of byte k is
 * cpu 8k+n, as runc's RangeToBits lays them out. The list is checked already (checkCpusetList).
 */
export function cpusetBits(list: string): Buffer {
  const members: number[] = [];
  for (const item of list.split(',')) {
    const [first, last] = item.trim().split('-').map(Number);
    for (let n = first; n <= (last ?? first); n++) members.push(n);
  }
  const bytes = Buffer.alloc((Math.max(...members) >> 3) + 1);
  for (const n of members) bytes[n >> 3] |= 1 << (n & 7);
  return bytes;
}

/**
 * runc's addCpuQuota: CPUQuotaPeriodUSec when a period is given, and CPUQuotaPerSecUSec (infinity
 * without a positive quota) rounded up to whole 10 ms, since systemd keeps it as a percentage.
 */
function cpuQuotaProperties(quotaValue: Integer64, periodValue: Integer64, pointer: string): UnitProperty[] {
  const quota = BigInt(quotaValue);
  const period = BigInt(periodValue);
  const properties: UnitProperty[] = [];
  if (period !== 0n) properties.push(t('CPUQuotaPeriodUSec', period, `${pointer}/period`));
  if (quota !== 0n || period !== 0n) {
    let perSecond = SYSTEMD_INFINITY;
    if (quota > 0n) {
      perSecond = (quota * 1000000n) / (period !== 0n ? period : BigInt(DEFAULT_CPU_QUOTA_PERIOD));
      if (perSecond % 10000n !== 0n) perSecond = (perSecond / 10000n + 1n) * 10000n;
    }
    properties.push(t('CPUQuotaPerSecUSec', perSecond, `${pointer}/${quota !== 0n ? 'quota' : 'period'}`));
  }
  return properties;
}

function cpusetProperties(cpu: NonNullable<LinuxResources['cpu']>, pointer: string): UnitProperty[] {
  const properties: UnitProperty[] = [];
  if (cpu.cpus !== undefined && cpu.cpus !== '') properties.push({ name: 'AllowedCPUs', type: 'ay', value: cpusetBits(cpu.cpus), pointer: `${pointer}/cpus` });
  if (cpu.mems !== undefined && cpu.mems !== '') properties.push({ name: 'AllowedMemoryNodes', type: 'ay', value: cpusetBits(cpu.mems), pointer: `${pointer}/mems` });
  return properties;
}

/** runc's ConvertMemorySwapToCgroupV2Value: memory.swap.max from v1's memory+swap. */
function swapMax(swapValue: Integer64, memoryValue: Integer64): bigint {
  const swap = BigInt(swapValue);
  const memory = BigInt(memoryValue);
  if (memory === -1n && swap === 0n) return -1n;
  if (swap === -1n || swap === 0n) return swap;
  return swap - memory;
}

/** The unit property of a `unified` file runc knows one for; none for the others (they are written as files). */
function unifiedProperty(file: string, value: string, pointer: string): UnitProperty[] {
  const text = value.trim();
  const number = (what: string): bigint => {
    if (text === 'max') return SYSTEMD_INFINITY;
    if (!/^\d+$/.test(text)) throw resourceError(pointer, `${JSON.stringify(value)} is not a number or "max" for ${what}`);
    return BigInt(text);
  };
  const memory: Record<string, string> = {
    'memory.high': 'MemoryHigh',
    'memory.low': 'MemoryLow',
    'memory.min': 'MemoryMin',
    'memory.max': 'MemoryMax',
    'memory.swap.max': 'MemorySwapMax',
  };
  if (memory[file] !== undefined) return [t(memory[file], number(file), pointer)];
  if (file === 'pids.max') return [t('TasksMax', number(file), pointer)];
  if (file === 'cpu.weight') {
    if (!/^\d+$/.test(text)) throw resourceError(pointer, `${JSON.stringify(value)} is not a number`);
    return [t('CPUWeight', BigInt(text), pointer)];
  }
  if (file === 'cpuset.cpus' || file === 'cpuset.mems') {
    return [{ name: file === 'cpuset.cpus' ? 'AllowedCPUs' : 'AllowedMemoryNodes', type: 'ay', value: cpusetBits(text), pointer }];
  }
  if (file === 'cpu.max') {
    const fields = text.split(/\s+/);
    if (fields.length > 2 || !fields.every((f, i) => /^\d+$/.test(f) || (i === 0 && f === 'max'))) {
      throw resourceError(pointer, `${JSON.stringify(value)} is not "QUOTA [PERIOD]" with QUOTA a number or "max"`);
    }
    const quota = fields[0] === 'max' ? 0 : Number(fields[0]);
    return cpuQuotaProperties(quota, fields.length === 2 ? Number(fields[1]) : DEFAULT_CPU_QUOTA_PERIOD, pointer).map((p) => ({ ...p, pointer }));
  }
  return [];
}

/** The I/O properties on cgroup v2 (runc leaves I/O to the files there; systemd has these for it). */
function ioProperties(blockIO: NonNullable<LinuxResources['blockIO']>, pointer: string): UnitProperty[] {
  const properties: UnitProperty[] = [];
  if ((blockIO.weight ?? 0) !== 0) properties.push(t('IOWeight', blkioWeightToIoWeight(blockIO.weight!), `${pointer}/weight`));
  const devicePath = (device: { major: Integer64; minor: Integer64 }): string => `/dev/block/${device.major}:${device.minor}`;
  const weights = (blockIO.weightDevice ?? []).filter((device) => (device.weight ?? 0) !== 0);
  if (weights.length > 0) {
    properties.push({
      name: 'IODeviceWeight',
      type: 'a(st)',
      value: weights.map((device) => [devicePath(device), BigInt(blkioWeightToIoWeight(device.weight!))]),
      pointer: `${pointer}/weightDevice`,
    });
  }
  for (const [field, name] of [
    ['throttleReadBpsDevice', 'IOReadBandwidthMax'],
    ['throttleWriteBpsDevice', 'IOWriteBandwidthMax'],
    ['throttleReadIOPSDevice', 'IOReadIOPSMax'],
    ['throttleWriteIOPSDevice', 'IOWriteIOPSMax'],
  ] as const) {
    const devices = blockIO[field] ?? [];
    if (devices.length === 0) continue;
    properties.push({
      name,
      type: 'a(st)',
      // As with the files, no rate removes the device's limit.
      value: devices.map((device) => [devicePath(device), BigInt(device.rate ?? 0) === 0n ? SYSTEMD_INFINITY : BigInt(device.rate!)]),
      pointer: `${pointer}/${field}`,
    });
  }
  return properties;
}

/**
 * linux.resources (devices aside) as unit properties for a host of the given layout. Values are
 * checked by the file plan made alongside (v1-resources.ts, v2-resources.ts); this only maps them.
 */
export function resourceUnitProperties(resources: LinuxResources | undefined, layout: CgroupLayout): UnitProperty[] {
  if (resources === undefined) return [];
  const { memory, cpu, pids, blockIO, unified } = resources;
  const properties: UnitProperty[] = [];
  const memoryLimit = memory?.limit ?? 0;
  if (layout === 'v1') {
    if (memoryLimit !== 0) properties.push(limit('MemoryLimit', memoryLimit, `${RESOURCES}/memory/limit`));
    if ((cpu?.shares ?? 0) !== 0) properties.push(t('CPUShares', cpu!.shares!, `${RESOURCES}/cpu/shares`));
  } else {
    if (memoryLimit !== 0) properties.push(limit('MemoryMax', memoryLimit, `${RESOURCES}/memory/limit`));
    if ((memory?.reservation ?? 0) !== 0) properties.push(limit('MemoryLow', memory!.reservation!, `${RESOURCES}/memory/reservation`));
    const swap = swapMax(memory?.swap ?? 0, memoryLimit);
    if (swap !== 0n) properties.push(limit('MemorySwapMax', swap, `${RESOURCES}/memory/swap`));
    // shares is checked to be 2-262144 by the file plan.
    if ((cpu?.shares ?? 0) !== 0) properties.push(t('CPUWeight', cpuSharesToWeight(Number(cpu!.shares!)), `${RESOURCES}/cpu/shares`));
  }
  properties.push(...cpuQuotaProperties(cpu?.quota ?? 0, cpu?.period ?? 0, `${RESOURCES}/cpu`));
  if (layout === 'v1' && (blockIO?.weight ?? 0) !== 0) properties.push(t('BlockIOWeight', blockIO!.weight!, `${RESOURCES}/blockIO/weight`));
  if (pids !== undefined && (BigInt(pids.limit) > 0n || BigInt(pids.limit) === -1n)) properties.push(limit('TasksMax', pids.limit, `${RESOURCES}/pids/limit`));
  if (cpu !== undefined) properties.push(...cpusetProperties(cpu, `${RESOURCES}/cpu`));
  if (layout === 'v2') {
    if (blockIO !== undefined) properties.push(...ioProperties(blockIO, `${RESOURCES}/blockIO`));
    for (const [file, value] of Object.entries(unified ?? {})) {
      properties.push(...unifiedProperty(file, value, `${RESOURCES}/unified${jsonPointer(file)}`));
    }
  }
  return properties;
}

/**
 * Device rules as DevicePolicy/DeviceAllow, as runc generates them: strict with an allow list
 * ("/dev/char/1:3", "char-136", "char-*"), auto for allow-all; systemd has no deny lists, so another
 * allow-all with exceptions becomes deny-all here and the exceptions are left to the driver's own
 * device filter (runc does the same). "*:n" rules have no systemd form and are left to it too.
 */
export function deviceUnitProperties(rules: DeviceRule[]): UnitProperty[] {
  const resolved = resolveDeviceRules(rules);
  const pointer = `${RESOURCES}/devices`;
  const empty: UnitProperty = { name: 'DeviceAllow', type: 'a(ss)', value: [], pointer };
  if (resolved.defaultAllow) {
    return [{ name: 'DevicePolicy', type: 's', value: resolved.exceptions.length === 0 ? 'auto' : 'strict', pointer }, empty];
  }
  const allowed: Array<[string, string]> = [];
  for (const rule of resolved.exceptions) {
    const group = rule.type === 'b' ? 'block' : 'char';
    if (rule.major === null) {
      if (rule.minor === null) allowed.push([`${group}-*`, rule.access]);
    } else if (rule.minor === null) {
      allowed.push([`${group}-${rule.major}`, rule.access]);
    } else {
      allowed.push([`/dev/${group}/${rule.major}:${rule.minor}`, rule.access]);
    }
  }
  return [{ name: 'DevicePolicy', type: 's', value: 'strict', pointer }, empty, { name: 'DeviceAllow', type: 'a(ss)', value: allowed, pointer }];
}
