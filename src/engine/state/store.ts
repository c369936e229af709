import * as fs from 'node:fs';
import * as path from 'node:path';

import { CistaError } from '../errors';
import type { NetDevicesRecord } from '../net-devices';
import type { HostMountRecord } from '../rootfs/host-mounts';
import type { Hook, LinuxSeccomp, Process } from '../spec/schema';
import type { ProcessIdentity } from './process';

export const DEFAULT_ROOT = '/run/cista';
export const STATE_FILE = 'state.json';
export const EXEC_FIFO = 'exec.fifo';

/** What cista records about a container. The OCI state is derived from it (status.ts). */
export interface ContainerRecord {
  ociVersion: string;
  id: string;
  /** 'creating' until the init reports ready, then 'created'; 'running' and 'stopped' are derived. */
  phase: 'creating' | 'created';
  /** The container's init; pid 0 before it exists. */
  init: ProcessIdentity;
  /** The `create` (or `run`) process, to tell an abandoned create from one in progress. */
  creator: ProcessIdentity;
  bundle: string;
  rootfs: string;
  created: string;
  owner: string;
  annotations: Record<string, string>;
  /** created: the directories create made, outermost first (absent in records of older cista versions). */
  cgroup: { driver: 'v1' | 'v2'; paths: Record<string, string>; created?: string[] } | null;
  /** What `exec` takes from config.json as it was at create. */
  exec: ExecDefaults;
  /** The hooks `start` and `delete` run, as config.json had them at create (later edits must not count); absent when none. */
  hooks?: { poststart: Hook[]; poststop: Hook[] };
  /** Without a mount namespace of its own: what to detach from the host's mount table at teardown. */
  hostMounts?: HostMountRecord;
  /** linux.netDevices: what teardown moves back to the host. */
  netDevices?: NetDevicesRecord;
}

export interface ExecDefaults {
  /** /process, which `exec` without --process starts from (runc's behaviour); null without one. */
  process: Process | null;
  /** /linux/seccomp: exec'd processes get the container's filter. */
  seccomp: LinuxSeccomp | null;
  sessionKeyring: string | null;
}

const ID_PATTERN = /^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$/;
const MAX_ID_LENGTH = 1024;

export function validateContainerId(id: string): void {
  if (id === '') throw new CistaError('container id cannot be empty');
  if (id.length > MAX_ID_LENGTH || !ID_PATTERN.test(id) || id === '.' || id === '..') {
    throw new CistaError(`invalid container id "${id}": use letters, digits and _ + - . (not starting with .), at most ${MAX_ID_LENGTH} characters`);
  }
}

export function containerDir(root: string, id: string): string {
  return path.join(root, id);
}

export function readRecord(dir: string): ContainerRecord | undefined {
  let text: string;
  try {
    text = fs.readFileSync(path.join(dir, STATE_FILE), 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as ContainerRecord;
}

/** Writes a file atomically: a temp file in the same directory, then rename(2). */
export function writeFileAtomic(file: string, content: string, mode = 0o600): void {
  const temp = `${file}.${process.pid}.tmp`;
  fs.writeFileSync(temp, content, { mode });
  fs.renameSync(temp, file);
}

export function writeRecord(dir: string, record: ContainerRecord): void {
  writeFileAtomic(path.join(dir, STATE_FILE), JSON.stringify(record));
}

export function listContainerIds(root: string): string[] {
  try {
    return fs
      .readdirSync(root, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort();
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
