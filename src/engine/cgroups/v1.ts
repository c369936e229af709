/** The cgroup v1 driver (also for hybrid hosts): one directory per mounted hierarchy, like runc's fs manager. */
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
import { CistaError } from '../errors';
import { applyDeviceRules, DeviceRule, deviceRuleString, resolveDeviceRules } from './devices';
import type { CgroupManager, CgroupMountLayout, OomWatch, RecordedCgroups, ResourcePlan } from './manager';
import { CgroupHierarchy, UNIFIED } from './path';
import { applyCgroupWrites, CgroupWrite, resourceError } from './resources';
import { v1ResourceWrites } from './v1-resources';
import { type ContainerStats, v1Stats } from './stats';
import { watchV1Oom } from './oom-watch';
import type { LinuxResources } from '../spec/schema';

export class V1CgroupManager implements CgroupManager {
  readonly driver = 'v1';
  /** Directories create() made, outermost first per hierarchy; null when unknown (a state.json of an older cista). */
  private created: string[] | null;

  /**
   * @param paths subsystem -> directory, "" for the unified hierarchy of a hybrid host.
   * @param hierarchies the host's mounted hierarchies, to lay out a "cgroup" mount in the container
   *   (read from mountinfo only when asked: reopened managers do not need them).
   * @param created reopened from state: the directories create() made.
   * @param skipped rootless: subsystem -> why the container has no cgroup there (a limit for it is an error).
   */
  constructor(
    readonly paths: Record<string, string>,
    private readonly hierarchies: () => CgroupHierarchy[],
    created?: string[],
    private readonly skipped: Record<string, string> = {},
  ) {
    this.created = created ?? null;
  }

  /** Before create(), `created` names the directories missing now: what create() will make (a kill may come at any mkdir). */
  record(): RecordedCgroups {
    return { driver: this.driver, layout: 'v1', paths: this.paths, created: [...(this.created ?? this.directories().flatMap(missingCgroupDirs))] };
  }

  /** Each directory once, though co-mounted subsystems (cpu,cpuacct) share one. */
  private directories(): string[] {
    return [...new Set(Object.values(this.paths))];
  }

  /** mkdir -p in every hierarchy (remembering what it made), the device rules, the limits. */
  create(_pid: number, devices: DeviceRule[], resources: ResourcePlan, devicesRefused?: (error: unknown) => void): void {
    this.makeDirectories();
    applyDeviceRules(() => this.applyDevices(devices), devicesRefused);
    this.applyWrites(resources.writes);
  }

  private makeDirectories(): void {
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

  join(pid: number): void {
    for (const dir of this.directories()) writeCgroupFile(dir, 'cgroup.procs', String(pid));
  }

  procsFiles(): string[] {
    return this.directories().map((dir) => path.join(dir, 'cgroup.procs'));
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

  planResources(resources: LinuxResources | undefined): ResourcePlan {
    const writes = v1ResourceWrites(resources, new Set([...Object.keys(this.paths), ...Object.keys(this.skipped)]));
    const unset = writes.find((write) => this.skipped[write.controller] !== undefined);
    if (unset !== undefined) throw resourceError(unset.pointer, `cannot set this limit: ${this.skipped[unset.controller]}`);
    return { writes, unitProperties: [] };
  }

  update(resources: ResourcePlan): void {
    this.applyWrites(resources.writes);
  }

  private applyWrites(writes: readonly CgroupWrite[]): void {
    applyCgroupWrites(writes, (subsystem) => this.paths[subsystem]);
  }

  mountLayout(): CgroupMountLayout {
    const hierarchies = this.hierarchies().filter(
      (h) => !h.subsystems.includes(UNIFIED) && h.subsystems.some((s) => this.paths[s] !== undefined),
    );
    return {
      layout: 'v1',
      hierarchies: hierarchies.map((h) => ({
        mountPoint: h.mountPoint,
        subsystems: h.subsystems,
        dir: this.paths[h.subsystems.find((s) => this.paths[s] !== undefined)!],
      })),
    };
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

  watchOom(onOom: () => void, keepAlive: boolean): OomWatch | null {
    const dir = this.paths.memory;
    return dir === undefined ? null : watchV1Oom(dir, onOom, keepAlive);
  }

  /** FREEZING while the kernel works, FROZEN once paused; false without a freezer hierarchy. */
  frozen(): boolean {
    const dir = this.paths.freezer;
    return dir !== undefined && readCgroupFileIfPresent(dir, 'freezer.state') === 'FROZEN';
  }

  freeze(frozen: boolean): void {
    const dir = this.paths.freezer;
    if (dir === undefined) throw new CistaError('the container has no freezer cgroup: this host mounts no freezer controller');
    setFreezer(
      {
        dir,
        file: 'freezer.state',
        frozenValue: 'FROZEN',
        thawedValue: 'THAWED',
        settled: (wanted) => readCgroupFileIfPresent(dir, 'freezer.state') === (wanted ? 'FROZEN' : 'THAWED'),
      },
      frozen,
    );
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
}
