/** The cgroup v2 driver: one directory in the unified hierarchy, devices through an eBPF filter. */
import { DestinationKind, MountKind, MountStep } from '../plan/plan';
import { MS_BIND, MS_RDONLY } from '../plan/mount-flags';
import { cgroupPidsRecursive, makeCgroupDir, removeCgroupDir, writeCgroupFile } from './cgroupfs';
import { compileDeviceFilter } from './device-filter';
import { DeviceFilterLoader } from './device-filter-loader';
import { DeviceRule } from './devices';
import { UNIFIED } from './path';
import type { CgroupManager, CgroupMountOptions } from './index';

export class V2CgroupManager implements CgroupManager {
  readonly driver = 'v2';
  readonly paths: Record<string, string>;
  /** Directories this manager created, outermost first; null when reopened from state (then unknown). */
  private created: string[] | null = null;

  constructor(
    private readonly dir: string,
    private readonly loadDeviceFilter: DeviceFilterLoader,
  ) {
    this.paths = { [UNIFIED]: dir };
  }

  create(): void {
    this.created = makeCgroupDir(this.dir);
  }

  join(pid: number): void {
    writeCgroupFile(this.dir, 'cgroup.procs', String(pid));
  }

  applyDevices(rules: DeviceRule[]): void {
    this.loadDeviceFilter(compileDeviceFilter(rules), this.dir);
  }

  pids(): number[] {
    return cgroupPidsRecursive(this.dir);
  }

  /** Removes the directories this manager created; reopened from state, the container's directory (as runc). */
  destroy(): void {
    const dirs = this.created ?? [this.dir];
    for (const dir of [...dirs].reverse()) removeCgroupDir(dir);
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
