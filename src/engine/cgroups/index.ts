/**
 * Container cgroups: one driver per host layout and manager (cgroupfs v1/hybrid, cgroupfs v2,
 * systemd) behind the interface of manager.ts, like runc's managers. This file picks and reopens
 * drivers; file I/O is done with node:fs, bpf() and D-Bus go through addons loaded on first use.
 */
import * as fs from 'node:fs';
import { CistaError } from '../errors';
import { parseMountInfo } from '../mountinfo';
import { DeviceFilterLoader, loadDeviceFilterWithAddon } from './device-filter-loader';
import type { CgroupLayout, CgroupManager, RecordedCgroups } from './manager';
import { cgroupHierarchies, detectLayout, type PathInputs, resolveV1Paths, resolveV2Path, UNIFIED } from './path';
import { SystemdCgroupManager, systemdIsRunning } from './systemd';
import { systemdCgroupName } from './systemd-unit';
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
  /** --systemd-cgroup: systemd's transient scope instead of a cgroup cista makes itself. */
  systemd?: boolean;
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
  const layout = detectLayout(mounts);
  if (config.systemd === true) return openSystemdManager(inputs, layout, host);
  return openFiles(inputs, layout, host);
}

function openFiles(inputs: PathInputs, layout: CgroupLayout, host: CgroupHostAccess): V1CgroupManager | V2CgroupManager {
  if (layout === 'v2') return new V2CgroupManager(resolveV2Path(inputs), host.loadDeviceFilter ?? loadDeviceFilterWithAddon);
  const hierarchies = cgroupHierarchies(parseMountInfo(inputs.mountInfo));
  return new V1CgroupManager(resolveV1Paths(inputs), () => hierarchies);
}

/**
 * The systemd driver: the scope's directories are where systemd puts it (the slice's nesting below
 * each hierarchy's root), handled by the cgroupfs driver of the host's layout. The slices that have
 * no cgroup yet are the ones this create will start, to stop again at delete.
 */
function openSystemdManager(inputs: PathInputs, layout: CgroupLayout, host: CgroupHostAccess): SystemdCgroupManager {
  const name = systemdCgroupName(inputs.cgroupsPath, inputs.containerId);
  if (!systemdIsRunning()) {
    throw new CistaError('--systemd-cgroup: systemd is not running on this host (no /run/systemd/system); leave the flag out for the cgroupfs driver');
  }
  if (process.geteuid?.() !== 0) throw new CistaError('--systemd-cgroup: rootless containers (in the user\'s systemd instance) are not supported yet');
  const files = openFiles({ ...inputs, cgroupsPath: name.cgroup }, layout, host);
  const scopeDir = files.paths[layout === 'v2' ? UNIFIED : files.paths['name=systemd'] !== undefined ? 'name=systemd' : 'devices'];
  const hierarchyRoot = scopeDir.slice(0, scopeDir.length - name.cgroup.length);
  const missing = name.slices.filter((slice) => !fs.existsSync(hierarchyRoot + slice.cgroup));
  const unit = { unit: name.unit, slice: name.slice, startedSlices: missing.map((s) => s.unit), startedSliceDirs: missing.map((s) => hierarchyRoot + s.cgroup) };
  return new SystemdCgroupManager(unit, layout, files, inputs.containerId);
}

/** A manager for the cgroups recorded in state.json (delete, kill, ps, pause, state). Reads nothing yet. */
export function reopenCgroupManager(recorded: RecordedCgroups, host: CgroupHostAccess = {}): CgroupManager {
  if (recorded.driver === 'systemd') {
    if (recorded.systemd === undefined) throw new CistaError('cgroup: state has no systemd unit');
    return new SystemdCgroupManager(recorded.systemd, recorded.layout, reopenFiles(recorded.layout, recorded, host));
  }
  return reopenFiles(recorded.driver, recorded, host);
}

function reopenFiles(layout: CgroupLayout, recorded: RecordedCgroups, host: CgroupHostAccess): V1CgroupManager | V2CgroupManager {
  if (layout === 'v2') {
    const dir = recorded.paths[UNIFIED];
    if (dir === undefined) throw new CistaError('cgroup: state has no cgroup v2 path');
    return new V2CgroupManager(dir, host.loadDeviceFilter ?? loadDeviceFilterWithAddon, recorded.created);
  }
  if (recorded.paths.devices === undefined) throw new CistaError('cgroup: state has no devices cgroup path');
  return new V1CgroupManager(recorded.paths, hostHierarchies, recorded.created);
}
