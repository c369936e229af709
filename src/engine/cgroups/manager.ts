/**
 * The interface every cgroup driver implements (cgroupfs v1, cgroupfs v2, systemd), and the plain data
 * that crosses it: what state.json records, the planned resource changes, the layout of a "cgroup"
 * mount. Operations and the planner depend on this file only, never on a driver.
 */
import type { LinuxResources } from '../spec/schema';
import type { DeviceRule } from './devices';
import type { CgroupWrite } from './resources';
import type { ContainerStats } from './stats';

export type CgroupDriver = 'v1' | 'v2' | 'systemd';

/** The host's cgroup layout: v1 also covers hybrid hosts (v1 controllers plus an empty cgroup2). */
export type CgroupLayout = 'v1' | 'v2';

/** The systemd unit of a container and what cista asked systemd to start for it. */
export interface RecordedSystemdUnit {
  /** e.g. "cista-ID.scope". */
  unit: string;
  /** The slice the unit is in, e.g. "system.slice". */
  slice: string;
  /** Slices that were not there before create, innermost last: stopped at delete when nothing else is in them. */
  startedSlices: string[];
  /** Their cgroup directories, to see whether they still hold anything (same order). */
  startedSliceDirs: string[];
}

/** What state.json records about a container's cgroups: enough for every later operation, from any process. */
export interface RecordedCgroups {
  driver: CgroupDriver;
  /** The layout the files follow (the systemd driver sits on either). */
  layout: CgroupLayout;
  /** Per-hierarchy absolute directories (v1: subsystem -> dir, "" for hybrid's unified; v2: {"": dir}). */
  paths: Record<string, string>;
  /** The directories create made, outermost first; absent before create got there (and in older records). */
  created?: string[];
  /** The systemd driver's unit. */
  systemd?: RecordedSystemdUnit;
}

/**
 * A systemd unit property as D-Bus carries it: its name, its D-Bus type, a value of that type, and
 * the config field it comes from (to name it when systemd refuses the value).
 */
export type UnitProperty = { name: string; pointer?: string } & (
  | { type: 's'; value: string }
  | { type: 'b'; value: boolean }
  | { type: 't'; value: bigint }
  | { type: 'au'; value: number[] }
  | { type: 'ay'; value: Buffer }
  | { type: 'a(ss)'; value: Array<[string, string]> }
  | { type: 'a(st)'; value: Array<[string, bigint]> }
);

/** linux.resources (other than devices) as a driver will apply them; checked, nothing touched yet. */
export interface ResourcePlan {
  /** Cgroup file writes, in order. */
  writes: CgroupWrite[];
  /** Unit properties set before the writes (systemd driver only; empty for cgroupfs). */
  unitProperties: UnitProperty[];
}

/**
 * How a config.json mount of type "cgroup" is laid out: plain data from the driver, expanded by
 * mount-steps.ts. "none": a rootless container without cgroups.
 */
export type CgroupMountLayout =
  | { layout: 'v2'; dir: string }
  | { layout: 'v1'; hierarchies: Array<{ mountPoint: string; subsystems: string[]; dir: string }> }
  | { layout: 'none' };

export interface CgroupMountOptions {
  readonly: boolean;
  /** MS_* flags of the config.json mount, without MS_RDONLY (see readonly). */
  flags: number;
  /** The container has a cgroup namespace of its own: mount cgroup filesystems instead of binding directories. */
  cgroupNamespace?: boolean;
}

/** A watch of a cgroup's OOM notifications (oom-watch.ts). */
export interface OomWatch {
  /** Resolves once the watch is over: the cgroup was removed (v1) or emptied (v2), or close() was called. */
  readonly ended: Promise<void>;
  /** Stops watching (the notifications' fd is closed); calling it again does nothing. */
  close(): void;
}

export interface CgroupManager {
  readonly driver: CgroupDriver;
  /** Per-hierarchy absolute directories, as in RecordedCgroups. */
  readonly paths: Record<string, string>;
  /**
   * What to record in state.json: valid before create (delete --force of a crashed create) and after;
   * null for a rootless container without cgroups.
   */
  record(): RecordedCgroups | null;
  /** The config's resources as this driver applies them. Checks values and the host's controllers; creates nothing. */
  planResources(resources: LinuxResources | undefined): ResourcePlan;
  /** How a "cgroup" mount shows this container's cgroups. */
  mountLayout(): CgroupMountLayout;
  /**
   * Makes the container's cgroup with its device rules and limits, for pid (the waiting init), which
   * join() then puts in it. What it made is in record() even when it fails half way. Device rules need privileges a
   * rootless caller lacks (writing devices.deny, attaching a BPF program): given devicesRefused,
   * their refusal goes there and create goes on, as runc's rootless manager ignores it.
   */
  create(pid: number, devices: DeviceRule[], resources: ResourcePlan, devicesRefused?: (error: unknown) => void): void;
  /** Moves a process (the init after create(), an exec) into the container's cgroup: its pid written to each of procsFiles(). */
  join(pid: number): void;
  /**
   * The cgroup.procs files join() writes, in no particular order: the API writes them from libuv's
   * thread pool, as the first move into a cgroup after a while waits for an RCU grace period.
   */
  procsFiles(): string[];
  /** Applies planned resources to the existing cgroup (update). */
  update(resources: ResourcePlan): void;
  /** All pids in the container's cgroup(s), including sub-cgroups, sorted; none when it is gone. */
  pids(): number[];
  /** Resource usage as `runc events` reports it. */
  stats(): ContainerStats;
  /**
   * Calls onOom, from the event loop, each time the container's cgroup runs out of memory, until
   * the cgroup is removed (v1) or has no process left (v2), or the watch is closed; null when the
   * container has no memory cgroup. keepAlive: whether the watch alone keeps Node running.
   */
  watchOom(onOom: () => void, keepAlive: boolean): OomWatch | null;
  /** Whether the container's processes are frozen (paused); false when the host has no freezer or the cgroup is gone. */
  frozen(): boolean;
  /** Freezes or thaws every process of the container and waits until the kernel has done it. */
  freeze(frozen: boolean): void;
  /**
   * Removes what create made, whatever step it reached, retrying briefly while killed processes
   * exit; parents only as far as no other cgroup still uses them; gone is fine.
   */
  destroy(): void;
}
