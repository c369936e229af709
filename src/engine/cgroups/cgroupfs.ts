/** File operations on cgroup directories shared by the v1 and v2 drivers. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { CistaError, errnoText } from '../errors';
import { sleepSync } from '../sleep';

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | undefined)?.code;
}

/** The directories of `dir`'s path that do not exist yet, outermost first: what makeCgroupDir would make. */
export function missingCgroupDirs(dir: string): string[] {
  const missing: string[] = [];
  for (let current = dir; !fs.existsSync(current); current = path.dirname(current)) missing.unshift(current);
  return missing;
}

/** mkdir -p that returns the directories it created, outermost first. */
export function makeCgroupDir(dir: string): string[] {
  const created: string[] = [];
  for (const missing of missingCgroupDirs(dir)) {
    try {
      fs.mkdirSync(missing);
      created.push(missing);
    } catch (error) {
      // Another runtime may create a shared parent at the same moment; then it is not ours.
      if (errorCode(error) === 'EEXIST') continue;
      throw new CistaError(`cgroup: mkdir ${missing}: ${errnoText(error)}`);
    }
  }
  return created;
}

export function writeCgroupFile(dir: string, file: string, value: string): void {
  try {
    fs.writeFileSync(path.join(dir, file), value);
  } catch (error) {
    throw cgroupWriteError(path.join(dir, file), value, error);
  }
}

export function cgroupWriteError(file: string, value: string, error: unknown): CistaError {
  return new CistaError(`cgroup: write ${JSON.stringify(value)} to ${file}: ${errnoText(error)}`);
}

export function readCgroupFile(dir: string, file: string): string {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8');
  } catch (error) {
    throw new CistaError(`cgroup: read ${path.join(dir, file)}: ${errnoText(error)}`);
  }
}

/**
 * A cgroup removed while it is being read: ENOENT for its path, ENODEV for a file of it opened or
 * listed just before the rmdir (systemd removes an emptied scope by itself, at any moment).
 */
function removedMeanwhile(error: unknown): boolean {
  return ['ENOENT', 'ENODEV'].includes(errorCode(error) ?? '');
}

/** The pids in a cgroup and all cgroups below it, sorted; none when the cgroup is gone. */
export function cgroupPidsRecursive(dir: string): number[] {
  const pids = new Set<number>();
  const visit = (current: string): void => {
    let entries: fs.Dirent[];
    let procs: string;
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
      procs = fs.readFileSync(path.join(current, 'cgroup.procs'), 'utf8');
    } catch (error) {
      // Removed meanwhile (systemd removes an emptied scope by itself).
      if (removedMeanwhile(error)) return;
      throw new CistaError(`cgroup: read ${current}: ${errnoText(error)}`);
    }
    for (const line of procs.split('\n')) {
      if (line !== '') pids.add(Number(line));
    }
    for (const entry of entries) if (entry.isDirectory()) visit(path.join(current, entry.name));
  };
  visit(dir);
  return [...pids].sort((a, b) => a - b);
}

/** rmdir of a parent cgroup create() made, unless another container's cgroup is still in it. */
export function removeCgroupDirIfUnused(dir: string): void {
  try {
    fs.rmdirSync(dir);
  } catch (error) {
    if (['ENOENT', 'ENOTEMPTY', 'EBUSY'].includes(errorCode(error) ?? '')) return;
    throw new CistaError(`cgroup: rmdir ${dir}: ${errnoText(error)}`);
  }
}

/**
 * rmdir of a cgroup and any cgroups below it, deepest first. EBUSY is retried for a short while
 * because a killed process stays in its cgroup until it has fully exited; a missing dir is fine.
 */
export function removeCgroupDir(dir: string): void {
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    if (removedMeanwhile(error)) return;
    throw new CistaError(`cgroup: read ${dir}: ${errnoText(error)}`);
  }
  for (const entry of entries) if (entry.isDirectory()) removeCgroupDir(path.join(dir, entry.name));
  for (let delayMs = 10; ; delayMs *= 2) {
    try {
      fs.rmdirSync(dir);
      return;
    } catch (error) {
      if (errorCode(error) === 'ENOENT') return;
      if (errorCode(error) !== 'EBUSY' || delayMs > 640) throw new CistaError(`cgroup: rmdir ${dir}: ${errnoText(error)}`);
      sleepSync(delayMs);
    }
  }
}

/** A cgroup file's content trimmed, or undefined when it cannot be read (the cgroup is gone). */
export function readCgroupFileIfPresent(dir: string, file: string): string | undefined {
  try {
    return fs.readFileSync(path.join(dir, file), 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** How long a freeze may take to settle: a process in an uninterruptible sleep delays it. */
const FREEZE_SETTLE_MS = 5000;

/** A freezer file and its values: v1's freezer.state, v2's cgroup.freeze. */
export interface FreezerControl {
  dir: string;
  file: string;
  frozenValue: string;
  thawedValue: string;
  /** Whether the kernel has finished freezing (frozen true) or thawing. */
  settled(frozen: boolean): boolean;
}

/** Writes the freezer until the kernel reports it done; a freeze that does not settle is undone. */
export function setFreezer(control: FreezerControl, frozen: boolean): void {
  const file = path.join(control.dir, control.file);
  const wanted = frozen ? control.frozenValue : control.thawedValue;
  const deadline = Date.now() + FREEZE_SETTLE_MS;
  for (;;) {
    try {
      // v1 may stay FREEZING when a task was busy; writing FROZEN again retries (as runc does).
      fs.writeFileSync(file, wanted);
    } catch (e) {
      throw new CistaError(`${frozen ? 'freezing' : 'thawing'} the container: ${file}: ${errnoText(e)}`);
    }
    if (control.settled(frozen)) return;
    if (Date.now() > deadline) {
      if (frozen) fs.writeFileSync(file, control.thawedValue);
      throw new CistaError(`the container did not ${frozen ? 'freeze' : 'thaw'} within ${FREEZE_SETTLE_MS / 1000} s`);
    }
    sleepSync(1);
  }
}
