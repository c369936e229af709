/**
 * A rootless container without cgroups: the caller may not write the cgroups it would get, and the
 * config names no cgroupsPath (runc's rootless cgroup manager then skips them too). Asking for a
 * limit is an error naming the field; a "cgroup" mount shows an empty read-only tmpfs, as runc masks it.
 */
import type { LinuxResources } from '../spec/schema';
import { CistaError } from '../errors';
import type { CgroupLayout, CgroupManager, CgroupMountLayout, OomWatch, ResourcePlan } from './manager';
import type { ContainerStats } from './stats';
import { type CgroupWrite, resourceError } from './resources';

export class NoCgroupManager implements CgroupManager {
  readonly paths: Record<string, string> = {};

  /**
   * @param driver the host's layout, whose driver the container would have had.
   * @param writesOf that driver's resource writes, to name the first field that needs a cgroup.
   * @param reasonFor why there is no cgroup for a controller, completing "cannot set this limit: ...".
   */
  constructor(
    readonly driver: CgroupLayout,
    private readonly writesOf: (resources: LinuxResources | undefined) => CgroupWrite[],
    private readonly reasonFor: (controller: string) => string,
  ) {}

  /** state.json records no cgroups (null), so later operations never reopen this driver. */
  record(): null {
    return null;
  }

  planResources(resources: LinuxResources | undefined): ResourcePlan {
    const [first] = this.writesOf(resources);
    if (first !== undefined) throw resourceError(first.pointer, `cannot set this limit: ${this.reasonFor(first.controller)}`);
    return { writes: [], unitProperties: [] };
  }

  mountLayout(): CgroupMountLayout {
    return { layout: 'none' };
  }

  /** Nothing to make: the devices a rootless container may open are those its user may open. */
  create(): void {}

  join(): void {}

  procsFiles(): string[] {
    return [];
  }

  update(): void {}

  pids(): number[] {
    return [];
  }

  stats(): ContainerStats {
    throw new CistaError('the container has no cgroup of its own (rootless, no cgroupsPath): there is no resource usage to report');
  }

  watchOom(): OomWatch | null {
    return null;
  }

  frozen(): boolean {
    return false;
  }

  freeze(): void {
    throw new CistaError('the container has no cgroup to freeze');
  }

  destroy(): void {}
}
