import * as path from 'node:path';

import type { HostProcesses, LookupHost } from '../host/host';
import { type ContainerRecord, EXEC_FIFO } from './store';

/** A process identity that survives pid reuse: the pid plus its start time in clock ticks since boot. */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

/** The identity of a live process; startTime 0 when it is already gone. */
export function identityOf(proc: HostProcesses, pid: number): ProcessIdentity {
  return { pid, startTime: proc.stat(pid)?.startTime ?? 0 };
}

/** Alive means: running or stopped, not a zombie, and the same process that was recorded. */
export function isAlive(proc: HostProcesses, identity: ProcessIdentity): boolean {
  if (identity.pid <= 0) return false;
  const stat = proc.stat(identity.pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === identity.startTime;
}

/** The runtime-spec's statuses and runc's `paused`. */
export type Status = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

/** The status is derived from the live processes every time, never trusted from disk. */
export function deriveStatus(host: Pick<LookupHost, 'fs' | 'proc' | 'freezer'>, dir: string, record: ContainerRecord): Status {
  if (record.phase === 'creating') return isAlive(host.proc, record.creator) ? 'creating' : 'stopped';
  if (!isAlive(host.proc, record.init)) return 'stopped';
  if (record.cgroup !== null && host.freezer.isFrozen(record.cgroup)) return 'paused';
  return host.fs.exists(path.join(dir, EXEC_FIFO)) ? 'created' : 'running';
}

/** The runtime-spec state plus runc's extra fields (rootfs, created, owner), as `runc state` prints it. */
export interface OciState {
  ociVersion: string;
  id: string;
  pid: number;
  status: Status;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations?: Record<string, string>;
}

export function ociState(record: ContainerRecord, status: Status): OciState {
  const state: OciState = {
    ociVersion: record.ociVersion,
    id: record.id,
    pid: status === 'stopped' ? 0 : record.init.pid,
    status,
    bundle: record.bundle,
    rootfs: record.rootfs,
    created: record.created,
    owner: record.owner,
  };
  if (Object.keys(record.annotations).length > 0) state.annotations = record.annotations;
  return state;
}
