/** The cgroup v1 driver (also for hybrid hosts): one directory per mounted hierarchy, like runc's fs manager. */
import * as path from 'node:path';
import { DestinationKind, MountKind, MountStep } from '../plan/plan';
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REC } from '../plan/mount-flags';
import {
  cgroupPidsRecursive,
  makeCgroupDir,
  missingCgroupDirs,
  readCgroupFile,
  removeCgroupDir,
  removeCgroupDirIfUnused,
  writeCgroupFile,
} from './cgroupfs';
import { DeviceRule, deviceRuleString, resolveDeviceRules } from './devices';
import { CgroupHierarchy, UNIFIED } from './path';
import { applyCgroupWrites, CgroupWrite, resourceError } from './resources';
import { v1ResourceWrites } from './v1-resources';
import { type ContainerStats, v1OomKills, v1Stats } from './stats';
import type { LinuxResources } from '../spec/schema';
import type { CgroupManager, CgroupMountOptions } from './index';

/** runc's flags for the tmpfs that holds the per-hierarchy mounts. */
const TMPFS_FLAGS = MS_NOEXEC | MS_NOSUID | MS_NODEV;

export class V1CgroupManager implements CgroupManager {
  readonly driver = 'v1';
  /** Directories create() made, outermost first per hierarchy; null when unknown (a state.json of an older cista). */
  private created: string[] | null;

  /**
   * @param paths subsystem -> directory, "" for the unified hierarchy of a hybrid host.
   * @param hierarchies the host's mounted hierarchies, to lay out a "cgroup" mount in the container.
   * @param created reopened from state: the directories create() made.
   * @param skipped rootless: subsystem -> why the container has no cgroup there (a limit for it is an error).
   */
  constructor(
    readonly paths: Record<string, string>,
    private readonly hierarchies: CgroupHierarchy[],
    created?: string[],
    private readonly skipped: Record<string, string> = {},
  ) {
    this.created = created ?? null;
  }

  /** Each directory once, though co-mounted subsystems (cpu,cpuacct) share one. */
  private directories(): string[] {
    return [...new Set(Object.values(this.paths))];
  }

  create(): void {
    const created: string[] = [];
    this.created = created;
    for (const dir of this.directories()) {
      const made = makeCgroupDir(dir);
      created.push(...made);
      // A new cpuset cgroup has no cpus or mems, and a process cannot join it until it has some.
      if (dir === this.paths.cpuset) {
        for (const cpusetDir of made) {
          for (const file of ['cpuset.cpus', 'cpuset.mems']) {
            if (readCgroupFile(cpusetDir, file).trim() === '') {
              writeCgroupFile(cpusetDir, file, readCgroupFile(path.dirname(cpusetDir), file));
            }
          }
        }
      }
    }
  }

  missingDirectories(): string[] {
    return this.directories().flatMap(missingCgroupDirs);
  }

  createdDirectories(): string[] {
    return [...(this.created ?? [])];
  }

  join(pid: number): void {
    for (const dir of this.directories()) writeCgroupFile(dir, 'cgroup.procs', String(pid));
  }

  /** Deny everything, then write the exceptions that the rules leave, so the list ends as the rules say. */
  applyDevices(rules: DeviceRule[]): void {
    const dir = this.paths.devices;
    if (dir === undefined) return;
    const resolved = resolveDeviceRules(rules);
    const all: DeviceRule = { allow: true, type: 'a', major: null, minor: null, access: 'rwm' };
    writeCgroupFile(dir, 'devices.deny', deviceRuleString(all));
    if (resolved.defaultAllow) writeCgroupFile(dir, 'devices.allow', deviceRuleString(all));
    for (const exception of resolved.exceptions) {
      writeCgroupFile(dir, exception.allow ? 'devices.allow' : 'devices.deny', deviceRuleString(exception));
    }
  }

  planResources(resources: LinuxResources | undefined): CgroupWrite[] {
    const writes = v1ResourceWrites(resources, new Set([...Object.keys(this.paths), ...Object.keys(this.skipped)]));
    const unset = writes.find((write) => this.skipped[write.controller] !== undefined);
    if (unset !== undefined) throw resourceError(unset.pointer, `cannot set this limit: ${this.skipped[unset.controller]}`);
    return writes;
  }

  applyResources(writes: readonly CgroupWrite[]): void {
    applyCgroupWrites(writes, (subsystem) => this.paths[subsystem]);
  }

  pids(): number[] {
    // Every container process is in the devices cgroup: runc reads the pids from there too. A
    // rootless container may lack that one; any other of its cgroups holds them all as well.
    const dir = this.paths.devices ?? Object.values(this.paths)[0];
    return dir === undefined ? [] : cgroupPidsRecursive(dir);
  }

  stats(): ContainerStats {
    return v1Stats(this.paths);
  }

  oomKills(): bigint {
    return v1OomKills(this.paths.memory);
  }

  /** Removes the directories create() made; when that is unknown, the container's own directories (as runc). */
  destroy(): void {
    const own = new Set(this.directories());
    for (const dir of [...(this.created ?? own)].reverse()) {
      if (own.has(dir)) removeCgroupDir(dir);
      else removeCgroupDirIfUnused(dir);
    }
    this.created = [];
  }

  /**
   * As runc's mountCgroupV1: a tmpfs, in it one mount per v1 hierarchy named like its host mount
   * point, showing the container's own cgroup (a bind of it, or with a cgroup namespace a fresh
   * cgroup mount), symlinks for co-mounted subsystems, then the tmpfs made read-only if asked.
   * The unified hierarchy of a hybrid host is not shown, as in runc.
   */
  mountSteps(destination: string, options: CgroupMountOptions): MountStep[] {
    const mountFlags = options.flags | (options.readonly ? MS_RDONLY : 0);
    const steps: MountStep[] = [
      {
        kind: MountKind.Filesystem,
        source: 'tmpfs',
        destination,
        fstype: 'tmpfs',
        // The init keeps a read-only tmpfs writable until the rootfs is finished, so the
        // hierarchies below can still be mounted onto it.
        flags: TMPFS_FLAGS | (options.readonly ? MS_RDONLY : 0),
        remountFlags: 0,
        propagation: [],
        data: 'mode=755',
        destinationKind: DestinationKind.Directory,
      },
    ];
    const v1Hierarchies = this.hierarchies.filter(
      (h) => !h.subsystems.includes(UNIFIED) && h.subsystems.some((s) => this.paths[s] !== undefined),
    );
    for (const hierarchy of v1Hierarchies) {
      const hierarchyDestination = path.posix.join(destination, path.posix.basename(hierarchy.mountPoint));
      steps.push(
        options.cgroupNamespace
          ? {
              kind: MountKind.Filesystem,
              source: 'cgroup',
              destination: hierarchyDestination,
              fstype: 'cgroup',
              flags: mountFlags,
              remountFlags: 0,
              propagation: [],
              data: hierarchy.subsystems.join(','),
              destinationKind: DestinationKind.Directory,
            }
          : {
              kind: MountKind.Bind,
              source: this.paths[hierarchy.subsystems.find((s) => this.paths[s] !== undefined)!],
              destination: hierarchyDestination,
              fstype: 'bind',
              flags: MS_BIND | MS_REC | mountFlags,
              remountFlags: mountFlags,
              propagation: [],
              data: '',
              destinationKind: DestinationKind.Directory,
            },
      );
    }
    for (const hierarchy of v1Hierarchies) {
      const name = path.posix.basename(hierarchy.mountPoint);
      if (!name.includes(',')) continue;
      for (const subsystem of name.split(',')) {
        steps.push({
          kind: MountKind.Symlink,
          source: name,
          destination: path.posix.join(destination, subsystem),
          fstype: '',
          flags: 0,
          remountFlags: 0,
          propagation: [],
          data: '',
          destinationKind: DestinationKind.File,
        });
      }
    }
    return steps;
  }
}
