/**
 * pause and resume: the freezer of the container's cgroup (v1 freezer.state, v2 cgroup.freeze), as
 * runc's. Kept apart from the drivers: `state` reads it on every call and must load little.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CistaError, errnoText } from '../errors';
import { sleepSync } from '../sleep';

/** The cgroups recorded in state.json. */
export interface RecordedCgroups {
  driver: 'v1' | 'v2';
  paths: Record<string, string>;
}

/** How long a freeze may take to settle: a process in an uninterruptible sleep delays it. */
const SETTLE_MS = 5000;

/** The file that holds the freezer state, or undefined when the host has no freezer for this container. */
function freezerFile(cgroups: RecordedCgroups): string | undefined {
  if (cgroups.driver === 'v2') return cgroups.paths[''] === undefined ? undefined : path.join(cgroups.paths[''], 'cgroup.freeze');
  return cgroups.paths.freezer === undefined ? undefined : path.join(cgroups.paths.freezer, 'freezer.state');
}

function readState(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

/** v1 reports FREEZING while it works; FROZEN is paused. v2's cgroup.freeze is what was asked. */
export function isFrozen(cgroups: RecordedCgroups): boolean {
  const file = freezerFile(cgroups);
  if (file === undefined) return false;
  const state = readState(file);
  return cgroups.driver === 'v2' ? state === '1' : state === 'FROZEN';
}

/** v2: whether the kernel has finished freezing or thawing ("frozen 1" in cgroup.events). */
function v2Settled(dir: string, frozen: boolean): boolean {
  const events = readState(path.join(dir, 'cgroup.events')) ?? '';
  return events.split('\n').includes(`frozen ${frozen ? 1 : 0}`);
}

/** Freezes or thaws every process of the container, and waits until the kernel has done it. */
export function setFrozen(cgroups: RecordedCgroups, frozen: boolean): void {
  const file = freezerFile(cgroups);
  if (file === undefined) throw new CistaError('the container has no freezer cgroup: this host mounts no freezer controller');
  const wanted = cgroups.driver === 'v2' ? (frozen ? '1' : '0') : frozen ? 'FROZEN' : 'THAWED';
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    try {
      // v1 may stay FREEZING when a task was busy; writing FROZEN again retries (as runc does).
      fs.writeFileSync(file, wanted);
    } catch (e) {
      throw new CistaError(`${frozen ? 'freezing' : 'thawing'} the container: ${file}: ${errnoText(e)}`);
    }
    const settled = cgroups.driver === 'v2' ? v2Settled(path.dirname(file), frozen) : readState(file) === wanted;
    if (settled) return;
    if (Date.now() > deadline) {
      if (frozen) fs.writeFileSync(file, cgroups.driver === 'v2' ? '0' : 'THAWED');
      throw new CistaError(`the container did not ${frozen ? 'freeze' : 'thaw'} within ${SETTLE_MS / 1000} s`);
    }
    sleepSync(1);
  }
}
