import * as path from 'node:path';

import { CistaError, errnoText } from '../errors';
import type { HostFiles } from '../host/host';
import { parseJson, stringifyJson } from '../json';
import type { NetDevicesRecord } from '../net-devices';
import type { HostMountRecord } from '../rootfs/host-mounts';
import type { Hook, LinuxMemoryPolicy, LinuxPersonality, LinuxSeccomp, Process } from '../spec/schema';
import type { ProcessIdentity } from './status';
import type { RecordedCgroups } from '../cgroups/manager';

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
  /** The container's cgroups as its driver describes them (null: none). */
  cgroup: RecordedCgroups | null;
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
  /** /linux/personality and /linux/memoryPolicy, which exec'd processes get too (absent in older records). */
  personality?: LinuxPersonality | null;
  memoryPolicy?: LinuxMemoryPolicy | null;
}

const ID_PATTERN = /^[A-Za-z0-9_+-][A-Za-z0-9_+.-]*$/;
/** NAME_MAX: the state directory and the container's cgroup are named after the id. */
export const MAX_ID_LENGTH = 255;

export function validateContainerId(id: string): void {
  if (id === '') throw new CistaError('container id cannot be empty');
  if (id.length > MAX_ID_LENGTH) throw new CistaError(`invalid container id: ${id.length} characters, at most ${MAX_ID_LENGTH}`);
  if (!ID_PATTERN.test(id)) {
    // JSON.stringify: a newline or a control character in the id must not break the one-line error.
    throw new CistaError(`invalid container id ${JSON.stringify(id)}: use letters, digits and _ + - . (not starting with .)`);
  }
}

/** The error for a --root that exists but is no directory. */
function rootNotDirectory(root: string): CistaError {
  return new CistaError(`--root ${root}: not a directory`);
}

/** mkdir -p of the state root (create). */
export function makeRootDirectory(files: HostFiles, root: string): void {
  try {
    files.mkdir(root, 0o700, true);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (['EEXIST', 'ENOTDIR'].includes(code)) throw rootNotDirectory(root);
    if (['EACCES', 'EPERM', 'EROFS'].includes(code)) {
      throw new CistaError(`cannot create the state directory ${root}: ${errnoText(e)}: pass --root a directory you may write (rootless cista keeps its state in $XDG_RUNTIME_DIR/cista: set XDG_RUNTIME_DIR)`);
    }
    throw e;
  }
}

export function containerDir(root: string, id: string): string {
  return path.join(root, id);
}

/** state.json cannot be read as a record: the message names the file and what is wrong with it. */
export class DamagedStateError extends CistaError {
  constructor(dir: string, problem: string) {
    const id = path.basename(dir);
    super(`container ${id}: ${path.join(dir, STATE_FILE)} ${problem} (cista delete --force ${id} removes the container)`);
  }
}

const isObject = (value: unknown): value is Record<string, unknown> => value !== null && typeof value === 'object' && !Array.isArray(value);
const isIdentity = (value: unknown) => isObject(value) && typeof value.pid === 'number' && typeof value.startTime === 'number';

/** The first field a record needs to derive a status and tear down that is missing or of the wrong kind. */
function missingField(record: Record<string, unknown>): string | undefined {
  const checks: Record<string, (value: unknown) => boolean> = {
    ociVersion: (v) => typeof v === 'string',
    id: (v) => typeof v === 'string',
    phase: (v) => v === 'creating' || v === 'created',
    init: isIdentity,
    creator: isIdentity,
    bundle: (v) => typeof v === 'string',
    rootfs: (v) => typeof v === 'string',
    created: (v) => typeof v === 'string',
    annotations: isObject,
    cgroup: (v) => v === null || (isObject(v) && ['v1', 'v2', 'systemd'].includes(v.driver as string) && isObject(v.paths)),
    exec: isObject,
  };
  return Object.keys(checks).find((field) => !checks[field](record[field]));
}

/** The container's record; undefined when there is none (a create that had not written it yet). */
export function readRecord(files: HostFiles, dir: string): ContainerRecord | undefined {
  let text: string;
  try {
    text = files.readText(path.join(dir, STATE_FILE));
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw new DamagedStateError(dir, code === 'EISDIR' ? 'is a directory, not a file' : `cannot be read: ${errnoText(e)}`);
  }
  let value: unknown;
  try {
    value = parseJson(text);
  } catch (e) {
    throw new DamagedStateError(dir, `is not valid JSON: ${(e as Error).message}`);
  }
  if (!isObject(value)) throw new DamagedStateError(dir, 'is not a JSON object');
  const missing = missingField(value);
  if (missing !== undefined) throw new DamagedStateError(dir, `lacks a valid "${missing}"`);
  return value as unknown as ContainerRecord;
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
  writeFileAtomic(files, path.join(dir, STATE_FILE), stringifyJson(record));
}

export function listContainerIds(files: HostFiles, root: string): string[] {
  try {
    return files.listDirectories(root);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return [];
    if ((e as NodeJS.ErrnoException).code === 'ENOTDIR') throw rootNotDirectory(root);
    throw e;
  }
}
