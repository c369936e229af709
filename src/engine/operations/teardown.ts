import * as fs from 'node:fs';

import { type CgroupManager, reopenCgroupManager } from '../cgroups';
import { isFrozen, setFrozen } from '../cgroups/freezer';
import { native } from '../native';
import { detachHostMounts } from '../rootfs/host-mounts';
import { isAlive } from '../state/process';
import type { OwnedResources } from '../state/journal';
import { sleepSync } from '../sleep';

const SIGKILL = 9;
const EXIT_WAIT_MS = 5000;

function signal(pid: number, sig: number): void {
  try {
    process.kill(pid, sig);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
  }
}

/** The container's cgroups; none when the record names no usable ones (a create that died early). */
function reopenRecordedCgroup(record: OwnedResources): CgroupManager | undefined {
  if (record.cgroup === null || record.cgroup === undefined) return undefined;
  try {
    return reopenCgroupManager(record.cgroup.driver, record.cgroup.paths, record.cgroup.created);
  } catch {
    return undefined;
  }
}

/**
 * Removes everything a container has on the host, whatever step it reached: its processes (SIGKILL,
 * then waits until they have exited), the mounts it made in the host's mount table, its cgroups
 * and last its state directory, so that a teardown cut short is finished by the next. Used by
 * `delete` and to roll back a failed `create`; `owned` comes from state.json or, when that is
 * damaged, from the journal.
 */
export function teardownContainer(dir: string, owned: OwnedResources): void {
  const init = owned.init ?? { pid: 0, startTime: 0 };
  const cgroup = reopenRecordedCgroup(owned);
  if (isAlive(init)) signal(init.pid, SIGKILL);
  // Without a pid namespace of its own, the container's other processes outlive its init.
  for (const pid of cgroup?.pids() ?? []) signal(pid, SIGKILL);
  // Frozen processes die only once thawed.
  if (owned.cgroup && isFrozen(owned.cgroup)) setFrozen(owned.cgroup, false);
  const deadline = Date.now() + EXIT_WAIT_MS;
  while (isAlive(init) && Date.now() < deadline) sleepSync(5);
  // When we are its parent (a create rolling back), no zombie stays behind.
  if (init.pid > 0) native().reapChild(init.pid);
  if (owned.hostMounts !== undefined) detachHostMounts(owned.hostMounts);
  cgroup?.destroy();
  fs.rmSync(dir, { recursive: true, force: true });
}
