/**
 * Container cgroups: one driver per host layout and manager (cgroupfs v1/hybrid, cgroupfs v2,
 * systemd) behind the interface of manager.ts, like runc's managers. This file picks and reopens
 * drivers; file I/O is done with node:fs, bpf() and D-Bus go through addons loaded on first use.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CistaError, ConfigError, errnoText } from '../errors';
import { parseMountInfo } from '../mountinfo';
import type { LinuxResources } from '../spec/schema';
import { DeviceFilterLoader, loadDeviceFilterWithAddon } from './device-filter-loader';
import type { CgroupLayout, CgroupManager, RecordedCgroups } from './manager';
import { cgroupHierarchies, detectLayout, type PathInputs, resolveV1Paths, resolveV2Path, UNIFIED } from './path';
import { NoCgroupManager } from './none';
import { SystemdCgroupManager, systemdIsRunning } from './systemd';
import { systemdCgroupName } from './systemd-unit';
import { V1CgroupManager } from './v1';
import { v1ResourceWrites } from './v1-resources';
import { V2CgroupManager } from './v2';
import { v2ResourceWrites } from './v2-resources';

export type { DeviceRule } from './devices';
export { defaultAllowedDevices, deviceRuleString } from './devices';
export type { DeviceFilterLoader } from './device-filter-loader';
export type { CgroupWrite } from './resources';
export type { ContainerStats } from './stats';
export type * from './manager';
export { cgroupMountSteps } from './mount-steps';

export interface CgroupConfig {
  containerId: string;
  /** linux.cgroupsPath. */
  cgroupsPath: string | undefined;
  /** --systemd-cgroup: systemd's transient scope instead of a cgroup cista makes itself. */
  systemd?: boolean;
  /**
   * cista is rootless (see rootless.ts): cgroups the caller may not write are skipped when the config
   * names no cgroupsPath (a limit then needs them), and are an error when it does. `uid` words the errors.
   */
  rootless?: { uid: number };
}

export interface CgroupHostAccess {
  /** Defaults to the addon's loadDeviceFilter. */
  loadDeviceFilter?: DeviceFilterLoader;
}

function readProcFile(file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new CistaError(`cgroup: read ${file}: ${errnoText(error)}`);
  }
}

function hostHierarchies(): ReturnType<typeof cgroupHierarchies> {
  return cgroupHierarchies(parseMountInfo(readProcFile('/proc/self/mountinfo')));
}

/** Whether mkdir -p of dir (and joining it) can work for this caller: the nearest existing directory is writable. */
function mayCreate(dir: string): boolean {
  let existing = dir;
  while (!fs.existsSync(existing)) existing = path.dirname(existing);
  try {
    fs.accessSync(existing, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

/**
 * For a rootless caller: the directories of `paths` it cannot create. With a cgroupsPath they are
 * an error (runc's rootless manager fails then too); without one they are left out.
 */
function unwritableDirectories(config: CgroupConfig, paths: Record<string, string>): Record<string, string> {
  const unwritable: Record<string, string> = {};
  if (config.rootless === undefined) return unwritable;
  for (const [subsystem, dir] of Object.entries(paths)) {
    if (mayCreate(dir)) continue;
    if (config.cgroupsPath !== undefined && config.cgroupsPath !== '') {
      throw new ConfigError(
        '/linux/cgroupsPath',
        `cista runs rootless (uid ${config.rootless.uid}) and cannot create ${dir}: ` +
          'delegate that cgroup subtree to the user, or leave cgroupsPath out to run without cgroups',
      );
    }
    unwritable[subsystem] = dir;
  }
  return unwritable;
}

function rootlessReason(config: CgroupConfig, dir: string): string {
  return `cista runs rootless (uid ${config.rootless?.uid}) and cannot create the container's cgroup ${dir}: delegate a writable cgroup subtree to the user, or remove the limit`;
}

/** Resolves the container's cgroup directories for this host's layout. Creates nothing. */
export function openCgroupManager(config: CgroupConfig, host: CgroupHostAccess = {}): CgroupManager {
  const mountInfo = readProcFile('/proc/self/mountinfo');
  const procSelfCgroup = readProcFile('/proc/self/cgroup');
  const mounts = parseMountInfo(mountInfo);
  const inputs = { containerId: config.containerId, cgroupsPath: config.cgroupsPath, mountInfo, procSelfCgroup };
  const layout = detectLayout(mounts);
  if (config.systemd === true) return openSystemdManager(config, inputs, layout, host);
  return openFiles(config, inputs, layout, host);
}

/**
 * The cgroupfs driver of the host's layout for the container's directories. `accounting`: v2's create
 * enables the controllers the stats read (not under systemd, which owns the parents).
 */
function fileDriver(inputs: PathInputs, layout: CgroupLayout, host: CgroupHostAccess, accounting: boolean): V1CgroupManager | V2CgroupManager {
  if (layout === 'v2') return new V2CgroupManager(resolveV2Path(inputs), host.loadDeviceFilter ?? loadDeviceFilterWithAddon, undefined, accounting);
  const hierarchies = cgroupHierarchies(parseMountInfo(inputs.mountInfo));
  return new V1CgroupManager(resolveV1Paths(inputs), () => hierarchies);
}

/**
 * The cgroupfs driver, less what a rootless caller cannot create: no cgroups at all
 * (NoCgroupManager) when it can write none, v1's writable hierarchies when it can write some.
 */
function openFiles(config: CgroupConfig, inputs: PathInputs, layout: CgroupLayout, host: CgroupHostAccess): CgroupManager {
  const files = fileDriver(inputs, layout, host, true);
  const unwritable = unwritableDirectories(config, files.paths);
  const skipped = Object.keys(unwritable);
  if (skipped.length === 0) return files;
  const reasonFor = (controller: string): string => rootlessReason(config, unwritable[layout === 'v2' ? UNIFIED : controller]);
  if (skipped.length === Object.keys(files.paths).length) {
    const mounted = new Set(Object.keys(files.paths));
    const writesOf = layout === 'v2' ? v2ResourceWrites : (resources: LinuxResources | undefined) => v1ResourceWrites(resources, mounted);
    return new NoCgroupManager(layout, writesOf, reasonFor);
  }
  // Only v1 has several hierarchies to choose from.
  const usable = Object.fromEntries(Object.entries(files.paths).filter(([subsystem]) => unwritable[subsystem] === undefined));
  const reasons = Object.fromEntries(skipped.map((subsystem) => [subsystem, reasonFor(subsystem)]));
  const hierarchies = cgroupHierarchies(parseMountInfo(inputs.mountInfo));
  return new V1CgroupManager(usable, () => hierarchies, undefined, reasons);
}

/**
 * The systemd driver: the scope's directories are where systemd puts it (the slice's nesting below
 * each hierarchy's root), handled by the cgroupfs driver of the host's layout. The slices that have
 * no cgroup yet are the ones this create will start, to stop again at delete.
 */
function openSystemdManager(config: CgroupConfig, inputs: PathInputs, layout: CgroupLayout, host: CgroupHostAccess): SystemdCgroupManager {
  const name = systemdCgroupName(inputs.cgroupsPath, inputs.containerId);
  if (!systemdIsRunning()) {
    throw new CistaError('--systemd-cgroup: systemd is not running on this host (no /run/systemd/system); leave the flag out for the cgroupfs driver');
  }
  if (config.rootless !== undefined) throw new CistaError('--systemd-cgroup: rootless containers (in the user\'s systemd instance) are not supported yet');
  const files = fileDriver({ ...inputs, cgroupsPath: name.cgroup }, layout, host, false);
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
  // A rootless container's record may lack some hierarchies (those its user could not write).
  return new V1CgroupManager(recorded.paths, hostHierarchies, recorded.created);
}
