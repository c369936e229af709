import * as path from 'node:path';

import type { LookupHost } from '../host/host';
import { isAlive } from './process';
import { type ContainerRecord, EXEC_FIFO } from './store';

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
