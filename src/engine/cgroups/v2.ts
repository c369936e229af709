/** The cgroup v2 driver: one directory in the unified hierarchy, devices through an eBPF filter. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DestinationKind, MountKind, MountStep } from '../plan/plan';
import { MS_BIND, MS_RDONLY } from '../plan/mount-flags';
import {
  cgroupPidsRecursive,
  makeCgroupDir,
  missingCgroupDirs,
  readCgroupFile,
  removeCgroupDir,
  removeCgroupDirIfUnused,
  writeCgroupFile,
} from './cgroupfs';
import { compileDeviceFilter } from './device-filter';
import { DeviceFilterLoader } from './device-filter-loader';
import { DeviceRule } from './devices';
import { CGROUP_ROOT, UNIFIED } from './path';
import { errnoText } from '../errors';
import { applyCgroupWrites, CgroupWrite, resourceError } from './resources';
import { v2ResourceWrites } from './v2-resources';
import { type ContainerStats, v2OomKills, v2Stats } from './stats';
import type { LinuxResources } from '../spec/schema';
import type { CgroupManager, CgroupMountOptions } from './index';

export class V2CgroupManager implements CgroupManager {
  readonly driver = 'v2';
  readonly paths: Record<string, string>;
  /** Directories create() made, outermost first; null when unknown (a state.json of an older cista). */
  private created: string[] | null;

  constructor(
    private readonly dir: string,
    private readonly loadDeviceFilter: DeviceFilterLoader,
    created?: string[],
  ) {
    this.paths = { [UNIFIED]: dir };
    this.created = created ?? null;
  }

  create(): void {
    this.created = makeCgroupDir(this.dir);
  }

  missingDirectories(): string[] {
    return missingCgroupDirs(this.dir);
  }

  createdDirectories(): string[] {
    return [...(this.created ?? [])];
  }

  join(pid: number): void {
    writeCgroupFile(this.dir, 'cgroup.procs', String(pid));
  }

  applyDevices(rules: DeviceRule[]): void {
    this.loadDeviceFilter(compileDeviceFilter(rules), this.dir);
  }

  planResources(resources: LinuxResources | undefined): CgroupWrite[] {
    const writes = v2ResourceWrites(resources);
    if (writes.some((write) => write.controller !== '')) {
      let existing = path.dirname(this.dir);
      while (!fs.existsSync(existing)) existing = path.dirname(existing);
      const available = words(readCgroupFile(existing, 'cgroup.controllers'));
      for (const [controller, pointer] of firstUses(writes)) {
        if (!available.has(controller)) {
          throw resourceError(pointer, `the ${controller} controller is not available below ${existing} (cgroup.controllers)`);
        }
      }
    }
    return writes;
  }

  /**
   * Enables the controllers the writes need in cgroup.subtree_control from the hierarchy's root down
   * to the container's parent (as runc does, including parents cista did not create), then writes.
   */
  applyResources(writes: readonly CgroupWrite[]): void {
    const uses = firstUses(writes);
    if (uses.size > 0) {
      const relative = path.relative(CGROUP_ROOT, path.dirname(this.dir));
      let parent = CGROUP_ROOT;
      for (const component of ['', ...(relative === '' ? [] : relative.split('/'))]) {
        parent = path.join(parent, component);
        const enabled = words(readCgroupFile(parent, 'cgroup.subtree_control'));
        for (const [controller, pointer] of uses) {
          if (enabled.has(controller)) continue;
          try {
            fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), `+${controller}`);
          } catch (error) {
            throw resourceError(pointer, `enabling the ${controller} controller in ${parent}: ${errnoText(error)}`);
          }
        }
      }
    }
    applyCgroupWrites(writes, () => this.dir);
  }

  pids(): number[] {
    return cgroupPidsRecursive(this.dir);
  }

  stats(): ContainerStats {
    return v2Stats(this.dir);
  }

  oomKills(): bigint {
    return v2OomKills(this.dir);
  }

  /** Removes the directories create() made; when that is unknown, the container's directory (as runc). */
  destroy(): void {
    for (const dir of [...(this.created ?? [this.dir])].reverse()) {
      if (dir === this.dir) removeCgroupDir(dir);
      else removeCgroupDirIfUnused(dir);
    }
    this.created = [];
  }

  /**
   * With a cgroup namespace, a fresh cgroup2 mount (rooted at the container's cgroup by the
   * namespace); without one, a bind of the container's cgroup, which is what a fresh mount
   * would show through a namespace (runc's fallback).
   */
  mountSteps(destination: string, options: CgroupMountOptions): MountStep[] {
    const mountFlags = options.flags | (options.readonly ? MS_RDONLY : 0);
    if (options.cgroupNamespace) {
      return [
        {
          kind: MountKind.Filesystem,
          source: 'cgroup2',
          destination,
          fstype: 'cgroup2',
          flags: mountFlags,
          remountFlags: 0,
          propagation: [],
          data: '',
          destinationKind: DestinationKind.Directory,
        },
      ];
    }
    return [
      {
        kind: MountKind.Bind,
        source: this.dir,
        destination,
        fstype: 'bind',
        flags: MS_BIND | mountFlags,
        remountFlags: mountFlags,
        propagation: [],
        data: '',
        destinationKind: DestinationKind.Directory,
      },
    ];
  }
}

function words(text: string): Set<string> {
  return new Set(text.split(/\s+/).filter((word) => word !== ''));
}

/** Controller -> the first field that needs it, for each controller the writes use. */
function firstUses(writes: readonly CgroupWrite[]): Map<string, string> {
  const uses = new Map<string, string>();
  for (const write of writes) if (write.controller !== '' && !uses.has(write.controller)) uses.set(write.controller, write.pointer);
  return uses;
}
