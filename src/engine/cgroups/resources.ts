/**
 * linux.resources (other than devices) as an ordered list of cgroup file writes. Each driver turns
 * the config into such a list with a pure function (v1-resources.ts, v2-resources.ts), checked
 * before anything is created; applyCgroupWrites then performs it once the directories exist.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfigError, errnoText } from '../errors';
import type { Integer64 } from '../spec/schema';

/** The JSON Pointer below which every field handled here lives. */
export const RESOURCES = '/linux/resources';

export interface CgroupFileValue {
  file: string;
  value: string;
}

export interface CgroupWrite extends CgroupFileValue {
  /** The config field the value comes from, e.g. /linux/resources/memory/limit. */
  pointer: string;
  /** v1: the subsystem whose directory holds the file; v2: the controller it belongs to ("" for cgroup.*). */
  controller: string;
  /** Written instead when the host has no `file` (e.g. io.weight when the BFQ scheduler's io.bfq.weight is absent). */
  fallback?: CgroupFileValue;
}

/** The error for a value cista refuses before touching the host. */
export function resourceError(pointer: string, message: string): ConfigError {
  return new ConfigError(pointer, message);
}

/** A cpuset list as the kernel parses it: "0-3,5,7-8" (ranges ascending). */
export function checkCpusetList(pointer: string, list: string): void {
  const valid = list.split(',').every((item) => {
    const range = /^(\d+)(?:-(\d+))?$/.exec(item.trim());
    return range !== null && (range[2] === undefined || Number(range[1]) <= Number(range[2]));
  });
  if (!valid) throw resourceError(pointer, `${JSON.stringify(list)} is not a list like "0-3,5"`);
}

/** "major:minor", refusing negative numbers (the schema allows any int64). */
export function deviceNumber(pointer: string, device: { major: Integer64; minor: Integer64 }): string {
  if (device.major < 0 || device.minor < 0) throw resourceError(pointer, `device ${device.major}:${device.minor} has a negative number`);
  return `${device.major}:${device.minor}`;
}

/** The range the kernel keeps cpu.shares in (it clamps silently; runc then errors, cista refuses up front). */
export const MIN_CPU_SHARES = 2;
export const MAX_CPU_SHARES = 262144;

/** A memory value: a byte count, or -1 for unlimited. */
export function checkMemoryValue(pointer: string, value: Integer64): void {
  if (value < -1) throw resourceError(pointer, `${value} is neither a byte count nor -1 (unlimited)`);
}

/** limit and swap (v1's memory+swap) as the kernel would accept them; 0 is unset. */
export function checkMemoryAndSwap(limit: Integer64, swap: Integer64): void {
  checkMemoryValue(`${RESOURCES}/memory/limit`, limit);
  checkMemoryValue(`${RESOURCES}/memory/swap`, swap);
  if (swap > 0 && limit <= 0) throw resourceError(`${RESOURCES}/memory/swap`, 'a memory+swap limit needs memory.limit set too');
  if (swap > 0 && swap < limit) {
    throw resourceError(`${RESOURCES}/memory/swap`, `memory+swap limit ${swap} is below the memory limit ${limit}`);
  }
}

export function checkCpuShares(shares: Integer64): void {
  if (shares < MIN_CPU_SHARES || shares > MAX_CPU_SHARES) {
    throw resourceError(`${RESOURCES}/cpu/shares`, `${shares} is outside the kernel's range ${MIN_CPU_SHARES}-${MAX_CPU_SHARES}`);
  }
}

export function checkCpuQuota(quota: Integer64): void {
  if (quota < -1) throw resourceError(`${RESOURCES}/cpu/quota`, `${quota} is neither a positive number of microseconds nor -1 (unlimited)`);
}

/** "mlx5_0 hca_handle=2 hca_object=2000" (the same on v1 and v2); null when neither limit is set. */
export function rdmaLimitLine(device: string, limits: { hcaHandles?: number; hcaObjects?: number }): string | null {
  const parts: string[] = [];
  if (limits.hcaHandles !== undefined) parts.push(`hca_handle=${limits.hcaHandles}`);
  if (limits.hcaObjects !== undefined) parts.push(`hca_object=${limits.hcaObjects}`);
  return parts.length === 0 ? null : `${device} ${parts.join(' ')}`;
}

/** Performs the writes in order; the first failure names the config field and the file. */
export function applyCgroupWrites(writes: readonly CgroupWrite[], directoryOf: (controller: string) => string): void {
  for (const write of writes) {
    const dir = directoryOf(write.controller);
    const target = write.fallback !== undefined && !fs.existsSync(path.join(dir, write.file)) ? write.fallback : write;
    try {
      // Without O_CREAT: a file the kernel does not provide is ENOENT, not a confusing EACCES.
      const fd = fs.openSync(path.join(dir, target.file), fs.constants.O_WRONLY);
      try {
        fs.writeSync(fd, target.value);
      } finally {
        fs.closeSync(fd);
      }
    } catch (error) {
      throw resourceError(write.pointer, `writing ${target.file}: ${errnoText(error)}`);
    }
  }
}
