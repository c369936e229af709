/**
 * The systemd driver (--systemd-cgroup), as runc's "systemd + fs" managers: systemd owns the
 * container's cgroup as a transient scope started over D-Bus with the init's pid, delegation,
 * accounting, the device rules and the resources as unit properties; then the cgroupfs driver of
 * the host's layout writes every file (what has no unit property, and the rest again, as runc's
 * fs Set does), and does everything that is a file operation: join, pids, the freezer.
 */
import * as fs from 'node:fs';
import { CistaError, ConfigError } from '../errors';
import { removeCgroupDir } from './cgroupfs';
import type { DeviceRule } from './devices';
import type { CgroupLayout, CgroupManager, CgroupMountLayout, OomWatch, RecordedCgroups, RecordedSystemdUnit, ResourcePlan, UnitProperty } from './manager';
import { deviceUnitProperties, resourceUnitProperties, scopeProperties } from './systemd-properties';
import { type SystemdBus, type SystemdBusError, systemdBus } from './systemd-bus';
import type { LinuxResources } from '../spec/schema';
import type { ContainerStats } from './stats';
import type { V1CgroupManager } from './v1';
import type { V2CgroupManager } from './v2';

/** How long systemd may take for a job, as runc waits. */
const JOB_TIMEOUT_MS = 30000;

/** The hierarchies whose cgroups systemd makes for a unit ("" is cgroup2), as runc's legacy manager counts them. */
const SYSTEMD_MANAGED = new Set(['', 'name=systemd', 'cpu', 'cpuacct', 'memory', 'blkio', 'devices', 'pids']);

const NO_SUCH_UNIT = 'org.freedesktop.systemd1.NoSuchUnit';
const UNIT_EXISTS = 'org.freedesktop.systemd1.UnitExists';

/** runc's check (sd_booted): systemd is PID 1 when /run/systemd/system is a directory. */
export function systemdIsRunning(): boolean {
  try {
    return fs.lstatSync('/run/systemd/system').isDirectory();
  } catch {
    return false;
  }
}

function dbusName(error: unknown): string | undefined {
  return (error as SystemdBusError | undefined)?.dbusName;
}

function messageOf(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** Whether a cgroup directory holds child cgroups (a slice something else uses too). */
function hasChildCgroups(dir: string): boolean {
  try {
    return fs.readdirSync(dir, { withFileTypes: true }).some((entry) => entry.isDirectory());
  } catch {
    return false;
  }
}

export class SystemdCgroupManager implements CgroupManager {
  readonly driver = 'systemd';

  /**
   * @param files the cgroupfs driver for the scope's directories on this host's layout.
   * @param containerId given when opened for create (the unit's description).
   */
  constructor(
    private readonly unit: RecordedSystemdUnit,
    private readonly layout: CgroupLayout,
    private readonly files: V1CgroupManager | V2CgroupManager,
    private readonly containerId = '',
    private readonly bus: () => SystemdBus = systemdBus,
  ) {}

  get paths(): Record<string, string> {
    return this.files.paths;
  }

  /**
   * The cgroupfs driver's record, less the directories of the hierarchies systemd manages: systemd
   * makes and removes those (on v2 all of them), cista only the others (v1's cpuset, freezer, ...).
   */
  record(): RecordedCgroups {
    const files = this.files.record();
    const managed = Object.entries(this.paths)
      .filter(([subsystem]) => SYSTEMD_MANAGED.has(subsystem))
      .map(([, dir]) => dir);
    const created = (files.created ?? []).filter((dir) => !managed.some((own) => own === dir || own.startsWith(`${dir}/`)));
    return { ...files, driver: this.driver, layout: this.layout, created, systemd: { ...this.unit } };
  }

  planResources(resources: LinuxResources | undefined): ResourcePlan {
    return { writes: this.files.planResources(resources).writes, unitProperties: resourceUnitProperties(resources, this.layout) };
  }

  mountLayout(): CgroupMountLayout {
    return this.files.mountLayout();
  }

  /** Starts the scope with pid in it, waits for systemd's job, then makes the cgroupfs driver's writes. */
  create(pid: number, devices: DeviceRule[], resources: ResourcePlan, devicesRefused?: (error: unknown) => void): void {
    const properties = [...scopeProperties(this.containerId, this.unit.slice, pid), ...deviceUnitProperties(devices), ...resources.unitProperties];
    this.startScope(properties);
    this.files.create(pid, devices, resources, devicesRefused);
  }

  private startScope(properties: UnitProperty[]): void {
    const bus = this.bus();
    let result: string;
    try {
      try {
        result = bus.startTransientUnit(this.unit.unit, JOB_TIMEOUT_MS, properties);
      } catch (error) {
        if (dbusName(error) !== UNIT_EXISTS) throw error;
        // Maybe a failed scope of an earlier container of this name: reset it and try once more, as runc does.
        this.resetFailed(this.unit.unit);
        result = bus.startTransientUnit(this.unit.unit, JOB_TIMEOUT_MS, properties);
      }
    } catch (error) {
      throw this.refusal(error, properties);
    }
    if (result !== 'done') {
      // A failed job leaves a failed unit behind until reset.
      this.resetFailed(this.unit.unit);
      throw new CistaError(`systemd could not start ${this.unit.unit}: its job ended with "${result}"`);
    }
  }

  /** systemd's refusal as one line; naming the config field when systemd names one of its properties. */
  private refusal(error: unknown, properties: UnitProperty[]): CistaError {
    const message = messageOf(error);
    const property = properties.find((p) => p.pointer !== undefined && new RegExp(`\\b${p.name}\\b`).test(message));
    if (property?.pointer !== undefined) return new ConfigError(property.pointer, `systemd refuses ${property.name}: ${message}`);
    return new CistaError(`systemd: ${message}`);
  }

  join(pid: number): void {
    this.files.join(pid);
  }

  procsFiles(): string[] {
    return this.files.procsFiles();
  }

  /** SetUnitProperties (runtime only, as runc), then the files. */
  update(resources: ResourcePlan): void {
    if (resources.unitProperties.length > 0) {
      try {
        this.bus().setUnitProperties(this.unit.unit, JOB_TIMEOUT_MS, resources.unitProperties);
      } catch (error) {
        throw this.refusal(error, resources.unitProperties);
      }
    }
    this.files.update(resources);
  }

  pids(): number[] {
    return this.files.pids();
  }

  /** The scope's cgroup files, read as the cgroupfs driver reads them. */
  stats(): ContainerStats {
    return this.files.stats();
  }

  /** The scope's cgroup files follow the host's layout. */
  watchOom(onOom: () => void, keepAlive: boolean): OomWatch | null {
    return this.files.watchOom(onOom, keepAlive);
  }

  frozen(): boolean {
    return this.files.frozen();
  }

  freeze(frozen: boolean): void {
    this.files.freeze(frozen);
  }

  /**
   * Stops the scope (gone already is fine), removes what is left of its directories and what the
   * cgroupfs driver made, then the slices create started, innermost first, while nothing else is in them.
   */
  destroy(): void {
    this.stop(this.unit.unit);
    for (const dir of new Set(Object.values(this.paths))) removeCgroupDir(dir);
    this.files.destroy();
    for (let i = this.unit.startedSlices.length - 1; i >= 0; i--) {
      if (hasChildCgroups(this.unit.startedSliceDirs[i])) break;
      this.stop(this.unit.startedSlices[i]);
    }
  }

  private stop(unit: string): void {
    let result: string;
    try {
      result = this.bus().stopUnit(unit, JOB_TIMEOUT_MS);
    } catch (error) {
      if (dbusName(error) === NO_SUCH_UNIT) return;
      throw new CistaError(`systemd: ${messageOf(error)}`);
    }
    // A unit that failed stays loaded until its failure is reset.
    this.resetFailed(unit);
    if (result !== 'done') throw new CistaError(`systemd could not stop ${unit}: its job ended with "${result}"`);
  }

  /** Best effort, as in runc: a unit that is not failed or not there needs no reset. */
  private resetFailed(unit: string): void {
    try {
      this.bus().resetFailedUnit(unit, JOB_TIMEOUT_MS);
    } catch {
      // Nothing to reset.
    }
  }
}
