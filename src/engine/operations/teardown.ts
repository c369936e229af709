import * as fs from 'node:fs';

import { type CgroupManager, reopenCgroupManager } from '../cgroups';
import { isFrozen, setFrozen } from '../cgroups/freezer';
import { native } from '../native';
import { moveNetDevicesBack } from '../net-devices';
import { detachHostMounts } from '../rootfs/host-mounts';
import { isAlive } from '../state/process';
import type { ContainerRecord } from '../state/store';
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
function reopenRecordedCgroup(record: ContainerRecord): CgroupManager | undefined {
  if (record.cgroup === null) return undefined;
  try {
    return reopenCgroupManager(record.cgroup.driver, record.cgroup.paths, record.cgroup.created);
  } catch {
    return undefined;
  }
}

/**
 * Removes everything a container has on the host, whatever step it reached: its processes (SIGKILL,
 * then waits until they have exited), the mounts it made in the host's mount table, its cgroups
 * and its state directory. Used by `delete` and to roll back a failed `create`.
 */
export function teardownContainer(dir: string, record: ContainerRecord | undefined): void {
  if (record !== undefined) {
    const cgroup = reopenRecordedCgroup(record);
    // While the init lives, so does its network namespace, with the devices in it.
    if (record.netDevices !== undefined) moveNetDevicesBack(record.netDevices, isAlive(record.init) ? record.init.pid : null);
    if (isAlive(record.init)) signal(record.init.pid, SIGKILL);
    // Without a pid namespace of its own, the container's other processes outlive its init.
    for (const pid of cgroup?.pids() ?? []) signal(pid, SIGKILL);
    // Frozen processes die only once thawed.
    if (record.cgroup !== null && isFrozen(record.cgroup)) setFrozen(record.cgroup, false);
    const deadline = Date.now() + EXIT_WAIT_MS;
    while (isAlive(record.init) && Date.now() < deadline) sleepSync(5);
    // When we are its parent (a create rolling back), no zombie stays behind.
    if (record.init.pid > 0) native().reapChild(record.init.pid);
    if (record.hostMounts !== undefined) detachHostMounts(record.hostMounts);
    cgroup?.destroy();
  }
  fs.rmSync(dir, { recursive: true, force: true });
}
