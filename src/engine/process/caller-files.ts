/**
 * What `create`, `run` and `exec` take from their caller besides the config: the fds passed on with
 * --preserve-fds and the --pid-file they write. Both are checked before anything is made, so that a
 * mistake in them is a one-line error naming the flag rather than a failure halfway through.
 */
import * as path from 'node:path';

import { CistaError, errnoText } from '../errors';
import type { HostFiles } from '../host/host';
import { writeFileAtomic } from '../state/store';

/** Fds the spawn needs above the preserved ones: the sync socket, the state dir, the init's memfd, each moved via a copy. */
const SPAWN_FDS = 6;

/** The soft RLIMIT_NOFILE of this process (Node raises it to the hard limit at start). */
function openFilesLimit(files: HostFiles): number {
  const line = /^Max open files\s+(\d+)/m.exec(files.readText('/proc/self/limits'));
  return line === null ? 1024 : Number(line[1]);
}

/** The child moves fds to 3+N and above, so every one of them must stay below RLIMIT_NOFILE. */
export function checkPreserveFds(files: HostFiles, count: number): void {
  if (count === 0) return;
  const limit = openFilesLimit(files);
  const max = limit - 3 - SPAWN_FDS;
  if (count > max) throw new CistaError(`--preserve-fds ${count}: at most ${max} (fds 3 to ${limit - 1 - SPAWN_FDS}, below the open-files limit ${limit})`);
}

/** Refuses a pid file whose directory does not exist, before the container is made. */
export function checkPidFile(files: HostFiles, file: string): void {
  const dir = path.dirname(path.resolve(file));
  if (files.isDirectory(dir) !== true) throw new CistaError(`--pid-file ${file}: the directory ${dir} does not exist`);
}

/** Digits only, no newline: containerd's shim parses it with Atoi. */
export function writePidFile(files: HostFiles, file: string, pid: number): void {
  try {
    writeFileAtomic(files, path.resolve(file), String(pid), 0o644);
  } catch (e) {
    throw new CistaError(`--pid-file ${file}: ${errnoText(e)}`);
  }
}
