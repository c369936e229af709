/**
 * A rootless container without cgroups: the caller may not write the cgroups it would get, and the
 * config names no cgroupsPath (runc's rootless cgroup manager then skips them too). Asking for a
 * limit is an error naming the field; a "cgroup" mount shows an empty read-only tmpfs, as runc masks it.
 */
import { DestinationKind, MountKind, type MountStep } from '../plan/plan';
import { MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY } from '../plan/mount-flags';
import type { LinuxResources } from '../spec/schema';
import { CistaError } from '../errors';
import type { DeviceRule } from './devices';
import type { ContainerStats } from './stats';
import { type CgroupWrite, resourceError } from './resources';
import type { CgroupDriver, CgroupManager } from './index';

export class NoCgroupManager implements CgroupManager {
  readonly paths: Record<string, string> = {};

  /**
   * @param writesOf the host driver's resource writes, to name the first field that needs a cgroup.
   * @param reasonFor why there is no cgroup for a controller, completing "cannot set this limit: ...".
   */
  constructor(
    readonly driver: CgroupDriver,
    private readonly writesOf: (resources: LinuxResources | undefined) => CgroupWrite[],
    private readonly reasonFor: (controller: string) => string,
  ) {}

  create(): void {}

  createdDirectories(): string[] {
    return [];
  }

  missingDirectories(): string[] {
    return [];
  }

  join(): void {}

  /** The devices cgroup is the kernel's business only with a cgroup: a rootless container gets the devices its user may open. */
  applyDevices(_rules: DeviceRule[]): void {}

  planResources(resources: LinuxResources | undefined): CgroupWrite[] {
    const [first] = this.writesOf(resources);
    if (first !== undefined) throw resourceError(first.pointer, `cannot set this limit: ${this.reasonFor(first.controller)}`);
    return [];
  }

  applyResources(): void {}

  pids(): number[] {
    return [];
  }

  stats(): ContainerStats {
    throw new CistaError('the container has no cgroup of its own (rootless, no cgroupsPath): there is no resource usage to report');
  }

  oomKills(): bigint {
    return 0n;
  }

  destroy(): void {}

  mountSteps(destination: string, options: { readonly: boolean; flags: number }): MountStep[] {
    return [
      {
        kind: MountKind.Filesystem,
        source: 'tmpfs',
        destination,
        fstype: 'tmpfs',
        flags: MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY | (options.flags & ~MS_RDONLY),
        remountFlags: 0,
        propagation: [],
        data: 'nr_blocks=1,nr_inodes=2,mode=555',
        destinationKind: DestinationKind.Directory,
      },
    ];
  }
}
