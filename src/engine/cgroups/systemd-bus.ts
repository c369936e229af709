/**
 * The bridge to the systemd addon (native/systemd): D-Bus calls to systemd's manager with sd-bus.
 * Loaded on first use, so that only the systemd driver ever loads libsystemd.
 */
import * as path from 'node:path';
import { BUILD_DIR } from '../native';
import type { UnitProperty } from './manager';

export interface SystemdBus {
  /** StartTransientUnit(unit, "replace", properties); the job's result ("done" when the unit runs). */
  startTransientUnit(unit: string, timeoutMs: number, properties: UnitProperty[]): string;
  /** StopUnit(unit, "replace"); the job's result. */
  stopUnit(unit: string, timeoutMs: number): string;
  resetFailedUnit(unit: string, timeoutMs: number): void;
  /** SetUnitProperties(unit, runtime = true, properties). */
  setUnitProperties(unit: string, timeoutMs: number, properties: UnitProperty[]): void;
}

/** A D-Bus error as the addon throws it: the message, and the error's D-Bus name. */
export interface SystemdBusError extends Error {
  dbusName?: string;
}

let addon: SystemdBus | undefined;

export function systemdBus(): SystemdBus {
  addon ??= require(path.join(BUILD_DIR, 'cista_systemd.node')) as SystemdBus;
  return addon;
}
