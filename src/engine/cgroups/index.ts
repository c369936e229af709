/**
 * Container cgroups: one driver per host layout (v1/hybrid, v2) behind one interface, like runc's
 * cgroupfs managers. File I/O is done here with node:fs; only bpf() goes through the addon.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CistaError, ConfigError, errnoText } from '../errors';
import { MountStep } from '../plan/plan';
import { DeviceFilterLoader, loadDeviceFilterWithAddon } from './device-filter-loader';
import { DeviceRule } from './devices';
import type { CgroupWrite } from './resources';
import type { ContainerStats } from './stats';
import type { LinuxResources } from '../spec/schema';
import { parseMountInfo } from '../mountinfo';
import { cgroupHierarchies, detectLayout, resolveV1Paths, resolveV2Path, UNIFIED } from './path';
import { NoCgroupManager } from './none';
import { V1CgroupManager } from './v1';
import { v1ResourceWrites } from './v1-resources';
import { V2CgroupManager } from './v2';
import { v2ResourceWrites } from './v2-resources';

export type { DeviceRule } from './devices';
export { defaultAllowedDevices, deviceRuleString } from './devices';
export type { DeviceFilterLoader } from './device-filter-loader';
export type { CgroupWrite } from './resources';
export type { ContainerStats } from './stats';

export interface CgroupConfig {
  containerId: string;
  /** linux.cgroupsPath. */
  cgroupsPath: string | undefined;
  /**
   * cista is rootless (see rootless.ts): cgroups the caller may not write are skipped when the config
   * names no cgroupsPath (a limit then needs them), and are an error when it does. `uid` words the errors.
   */
  rootless?: { uid: number };
}

export interface CgroupMountOptions {
  readonly: boolean;
  /** MS_* flags of the config.json mount, without MS_RDONLY (see readonly). */
  flags: number;
  /** The container has a cgroup namespace of its own: mount cgroup filesystems instead of binding directories. */
  cgroupNamespace?: boolean;
}

export type CgroupDriver = 'v1' | 'v2';

export interface CgroupManager {
  readonly driver: CgroupDriver;
  /** Per-hierarchy absolute directories (v1: subsystem -> dir, "" for hybrid's unified; v2: {"": dir}); recorded in state.json. */
  readonly paths: Record<string, string>;
  /** mkdir -p, remembering which directories were created so that destroy() removes only those. */
  create(): void;
  /** What create() would make now, outermost first per hierarchy: recorded before create() (a kill may come at any mkdir). */
  missingDirectories(): string[];
  /** What create() made, outermost first per hierarchy: to record in state.json for delete. */
  createdDirectories(): string[];
  /** Moves pid into the container's cgroup in every hierarchy. */
  join(pid: number): void;
  /** v1: devices.deny/devices.allow writes; v2: an eBPF program attached with BPF_F_ALLOW_MULTI. */
  applyDevices(rules: DeviceRule[]): void;
  /**
   * linux.resources other than devices as the ordered file writes applyResources will make. Checks
   * values and that the host has the controllers; creates nothing.
   */
  planResources(resources: LinuxResources | undefined): CgroupWrite[];
  /** Makes planned writes: after create(), before join() (a cpuset cgroup must have cpus before a process joins). */
  applyResources(writes: readonly CgroupWrite[]): void;
  /** All pids in the container's cgroup(s), including sub-cgroups, sorted. */
  pids(): number[];
  /** Resource usage as `runc events` reports it. */
  stats(): ContainerStats;
  /** How often the OOM killer has acted in the container's cgroup (`events` reports each increase). */
  oomKills(): bigint;
  /**
   * rmdir of the container's cgroups (and any below them), retrying briefly while killed processes
   * exit, then of the parents create() made, as far as no other cgroup still uses them; gone is fine.
   */
  destroy(): void;
  /** How a config.json mount of type "cgroup" at destination appears inside the container. */
  mountSteps(destination: string, options: CgroupMountOptions): MountStep[];
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
  if (detectLayout(mounts) === 'v2') {
    const dir = resolveV2Path(inputs);
    if (unwritableDirectories(config, { [UNIFIED]: dir })[UNIFIED] !== undefined) {
      return new NoCgroupManager('v2', v2ResourceWrites, () => rootlessReason(config, dir));
    }
    return new V2CgroupManager(dir, host.loadDeviceFilter ?? loadDeviceFilterWithAddon);
  }
  const paths = resolveV1Paths(inputs);
  const unwritable = unwritableDirectories(config, paths);
  const hierarchies = cgroupHierarchies(mounts);
  const skipped = Object.keys(unwritable);
  if (skipped.length === 0) return new V1CgroupManager(paths, hierarchies);
  const reasons = Object.fromEntries(Object.entries(unwritable).map(([subsystem, dir]) => [subsystem, rootlessReason(config, dir)]));
  if (skipped.length === Object.keys(paths).length) {
    const mounted = new Set(Object.keys(paths));
    return new NoCgroupManager('v1', (resources) => v1ResourceWrites(resources, mounted), (subsystem) => reasons[subsystem]);
  }
  const usable = Object.fromEntries(Object.entries(paths).filter(([subsystem]) => unwritable[subsystem] === undefined));
  return new V1CgroupManager(usable, hierarchies, undefined, reasons);
}

/** A manager for the cgroups recorded in state.json (delete, kill, ps). */
export function reopenCgroupManager(
  driver: CgroupDriver,
  paths: Record<string, string>,
  created?: string[],
  host: CgroupHostAccess = {},
): CgroupManager {
  if (driver === 'v2') {
    const dir = paths[UNIFIED];
    if (dir === undefined) throw new CistaError('cgroup: state has no cgroup v2 path');
    return new V2CgroupManager(dir, host.loadDeviceFilter ?? loadDeviceFilterWithAddon, created);
  }
  return new V1CgroupManager(paths, cgroupHierarchies(parseMountInfo(readProcFile('/proc/self/mountinfo'))), created);
}
