/**
 * Container cgroups: one driver per host layout and manager (cgroupfs v1/hybrid, cgroupfs v2,
 * systemd) behind the interface of manager.ts, like runc's managers. This file picks and reopens
 * drivers; file I/O is done with node:fs, bpf() and D-Bus go through addons loaded on first use.
 */
import * as fs from 'node:fs';
import { CistaError } from '../errors';
import { parseMountInfo } from '../mountinfo';
import { DeviceFilterLoader, loadDeviceFilterWithAddon } from './device-filter-loader';
import type { CgroupManager, RecordedCgroups } from './manager';
import { cgroupHierarchies, detectLayout, resolveV1Paths, resolveV2Path, UNIFIED } from './path';
import { V1CgroupManager } from './v1';
import { V2CgroupManager } from './v2';

export type { DeviceRule } from './devices';
export { defaultAllowedDevices, deviceRuleString } from './devices';
export type { DeviceFilterLoader } from './device-filter-loader';
export type { CgroupWrite } from './resources';
export type * from './manager';
export { cgroupMountSteps } from './mount-steps';

export interface CgroupConfig {
  containerId: string;
  /** linux.cgroupsPath. */
  cgroupsPath: string | undefined;
}

export interface CgroupHostAccess {
  /** Defaults to the addon's loadDeviceFilter. */
  loadDeviceFilter?: DeviceFilterLoader;
}

function readProcFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CistaError(`cgroup: read ${file}: ${error instanceof Error ? error.message : String(error)}`);
  }
}

function hostHierarchies(): ReturnType<typeof cgroupHierarchies> {
  return cgroupHierarchies(parseMountInfo(readProcFile('/proc/self/mountinfo')));
}

/** Resolves the container's cgroup directories for this host's layout. Creates nothing. */
export function openCgroupManager(config: CgroupConfig, host: CgroupHostAccess = {}): CgroupManager {
  const mountInfo = readProcFile('/proc/self/mountinfo');
  const procSelfCgroup = readProcFile('/proc/self/cgroup');
  const mounts = parseMountInfo(mountInfo);
  const inputs = { containerId: config.containerId, cgroupsPath: config.cgroupsPath, mountInfo, procSelfCgroup };
  if (detectLayout(mounts) === 'v2') {
    return new V2CgroupManager(resolveV2Path(inputs), host.loadDeviceFilter ?? loadDeviceFilterWithAddon);
  }
  const hierarchies = cgroupHierarchies(mounts);
  return new V1CgroupManager(resolveV1Paths(inputs), () => hierarchies);
}

/** A manager for the cgroups recorded in state.json (delete, kill, ps, pause, state). Reads nothing yet. */
export function reopenCgroupManager(recorded: RecordedCgroups, host: CgroupHostAccess = {}): CgroupManager {
  if (recorded.driver === 'v2') {
    const dir = recorded.paths[UNIFIED];
    if (dir === undefined) throw new CistaError('cgroup: state has no cgroup v2 path');
    return new V2CgroupManager(dir, host.loadDeviceFilter ?? loadDeviceFilterWithAddon, recorded.created);
  }
  if (recorded.paths.devices === undefined) throw new CistaError('cgroup: state has no devices cgroup path');
  return new V1CgroupManager(recorded.paths, hostHierarchies, recorded.created);
}
