import * as path from 'node:path';

import { CistaError } from '../errors';
import type { HostFiles } from '../host/host';
import type { HostMountRecord } from '../rootfs/host-mounts';
import type { Hook, LinuxSeccomp, Process } from '../spec/schema';
import type { ProcessIdentity } from './status';

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

export function readRecord(files: HostFiles, dir: string): ContainerRecord | undefined {
  let text: string;
  try {
    text = files.readText(path.join(dir, STATE_FILE));
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw e;
  }
  return JSON.parse(text) as ContainerRecord;
}

/** Writes a file atomically: a temp file in the same directory, then rename(2). */
export function writeFileAtomic(files: HostFiles, file: string, content: string, mode = 0o600): void {
  const temp = `${file}.${process.pid}.tmp`;
  try {
    files.writeText(temp, content, mode);
    files.rename(temp, file);
  } catch (e) {
    files.remove(temp);
    throw e;
  }
}

export function writeRecord(files: HostFiles, dir: string, record: ContainerRecord): void {
  writeFileAtomic(files, path.join(dir, STATE_FILE), JSON.stringify(record));
}

export function listContainerIds(files: HostFiles, root: string): string[] {
  try {
    return files.listDirectories(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw e;
  }
}
