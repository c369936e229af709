/** The cgroup v2 driver: one directory in the unified hierarchy, devices through an eBPF filter. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import {
  cgroupPidsRecursive,
  makeCgroupDir,
  missingCgroupDirs,
  readCgroupFile,
  readCgroupFileIfPresent,
  removeCgroupDir,
  removeCgroupDirIfUnused,
  setFreezer,
  writeCgroupFile,
} from './cgroupfs';
import { compileDeviceFilter } from './device-filter';
import type { DeviceFilterLoader } from './device-filter-loader';
import { applyDeviceRules, type DeviceRule } from './devices';
import type { CgroupManager, CgroupMountLayout, OomWatch, RecordedCgroups, ResourcePlan } from './manager';
import { CGROUP_ROOT, UNIFIED } from './path';
import { errnoText } from '../errors';
import { applyCgroupWrites, CgroupWrite, resourceError } from './resources';
import { v2ResourceWrites } from './v2-resources';
import { type ContainerStats, v2Stats } from './stats';
import { watchV2Oom } from './oom-watch';
import type { LinuxResources } from '../spec/schema';

/**
 * The controllers whose files the stats, containerd's Metrics and the OOM watch read: create enables
 * them for every container where the parents offer them, limits or not (runc enables all there are).
 */
const ACCOUNTING_CONTROLLERS = ['cpu', 'io', 'memory', 'pids'];

export class V2CgroupManager implements CgroupManager {
  readonly driver = 'v2';
  readonly paths: Record<string, string>;
  /** Directories create() made, outermost first; null when unknown (a state.json of an older cista). */
  private created: string[] | null;

  /**
   * @param loadDeviceFilter called only by create(): reopened managers never load the addon.
   * @param accounting create() enables ACCOUNTING_CONTROLLERS in the parents; not under systemd,
   *   which owns the parents' subtree_control (its own accounting settings decide there).
   */
  constructor(
    private readonly dir: string,
    private readonly loadDeviceFilter: DeviceFilterLoader,
    created?: string[],
    private readonly accounting = false,
  ) {
    this.paths = { [UNIFIED]: dir };
    this.created = created ?? null;
  }

  /** Before create(), `created` names the directories missing now: what create() will make (a kill may come at any mkdir). */
  record(): RecordedCgroups {
    return { driver: this.driver, layout: 'v2', paths: this.paths, created: [...(this.created ?? missingCgroupDirs(this.dir))] };
  }

  planResources(resources: LinuxResources | undefined): ResourcePlan {
    return { writes: this.planWrites(resources), unitProperties: [] };
  }

  /** The file writes for resources, checked against the controllers the nearest existing parent offers. */
  planWrites(resources: LinuxResources | undefined): CgroupWrite[] {
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

  mountLayout(): CgroupMountLayout {
    return { layout: 'v2', dir: this.dir };
  }

  /** mkdir -p (remembering what it made), the device filter, the limits. */
  create(_pid: number, devices: DeviceRule[], resources: ResourcePlan, devicesRefused?: (error: unknown) => void): void {
    const filter = compileDeviceFilter(devices);
    this.created = [];
    this.created.push(...makeCgroupDir(this.dir));
    applyDeviceRules(() => this.loadDeviceFilter(filter, this.dir), devicesRefused);
    this.applyWrites(resources.writes, this.accounting ? ACCOUNTING_CONTROLLERS : []);
  }

  join(pid: number): void {
    writeCgroupFile(this.dir, 'cgroup.procs', String(pid));
  }

  procsFiles(): string[] {
    return [path.join(this.dir, 'cgroup.procs')];
  }

  update(resources: ResourcePlan): void {
    this.applyWrites(resources.writes);
  }

  /**
   * Enables the controllers the writes need in cgroup.subtree_control from the hierarchy's root down
   * to the container's parent (as runc does, including parents cista did not create), then writes.
   * The `accounting` controllers are enabled too where a parent offers them; a refusal (a parent with
   * processes of its own, one a rootless caller may not write) only leaves their files out.
   */
  private applyWrites(writes: readonly CgroupWrite[], accounting: readonly string[] = []): void {
    const uses = firstUses(writes);
    if (uses.size > 0 || accounting.length > 0) {
      const relative = path.relative(CGROUP_ROOT, path.dirname(this.dir));
      let parent = CGROUP_ROOT;
      for (const component of ['', ...(relative === '' ? [] : relative.split('/'))]) {
        parent = path.join(parent, component);
        const enabled = words(readCgroupFile(parent, 'cgroup.subtree_control'));
        const enable = (controller: string) => fs.writeFileSync(path.join(parent, 'cgroup.subtree_control'), `+${controller}`);
        for (const [controller, pointer] of uses) {
          if (enabled.has(controller)) continue;
          try {
            enable(controller);
          } catch (error) {
            throw resourceError(pointer, `enabling the ${controller} controller in ${parent}: ${errnoText(error)}`);
          }
        }
        const available = accounting.length > 0 ? words(readCgroupFile(parent, 'cgroup.controllers')) : new Set<string>();
        for (const controller of accounting) {
          if (enabled.has(controller) || uses.has(controller) || !available.has(controller)) continue;
          try {
            enable(controller);
          } catch {
            // The container goes without this controller's statistics.
          }
        }
      }
    }
    applyCgroupWrites(writes, () => this.dir);
  }

  pids(): number[] {
    return cgroupPidsRecursive(this.dir);
  }

  /** cgroup.freeze is what was asked; cgroup.events says when the kernel is done. */
  frozen(): boolean {
    return readCgroupFileIfPresent(this.dir, 'cgroup.freeze') === '1';
  }

  freeze(frozen: boolean): void {
    setFreezer(
      {
        dir: this.dir,
        file: 'cgroup.freeze',
        frozenValue: '1',
        thawedValue: '0',
        settled: (wanted) => (readCgroupFileIfPresent(this.dir, 'cgroup.events') ?? '').split('\n').includes(`frozen ${wanted ? 1 : 0}`),
      },
      frozen,
    );
  }

  stats(): ContainerStats {
    return v2Stats(this.dir);
  }

  watchOom(onOom: () => void, keepAlive: boolean): OomWatch | null {
    return watchV2Oom(this.dir, onOom, keepAlive);
  }

  /** Removes the directories create() made; when that is unknown, the container's directory (as runc). */
  destroy(): void {
    for (const dir of [...(this.created ?? [this.dir])].reverse()) {
      if (dir === this.dir) removeCgroupDir(dir);
      else removeCgroupDirIfUnused(dir);
    }
    this.created = [];
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
