import type { CgroupManager } from '../cgroups';
import type { Host } from '../host/host';
import { detachHostMounts } from '../rootfs/host-mounts';
import { isAlive } from '../state/status';
import type { ContainerRecord } from '../state/store';

const SIGKILL = 9;
const EXIT_WAIT_MS = 5000;

/**
 * The container's cgroups; none when the record names no usable ones (a create that died early).
 * A host that fails to say (an errno) fails the teardown before the state is gone, so that
 * `delete --force` can be tried again; going on would leave the cgroups and their processes.
 */
function reopenRecordedCgroup(host: Host, record: ContainerRecord): CgroupManager | undefined {
  if (record.cgroup === null) return undefined;
  try {
    return host.cgroups.reopen(record.cgroup);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== undefined) throw e;
    return undefined;
  }
}

/**
 * Removes everything a container has on the host, whatever step it reached: its processes (SIGKILL,
 * then waits until they have exited), the mounts it made in the host's mount table, its cgroups
 * and its state directory. Used by `delete` and to roll back a failed `create`.
 */
export function teardownContainer(host: Host, dir: string, record: ContainerRecord | undefined): void {
  if (record !== undefined) {
    const cgroup = reopenRecordedCgroup(host, record);
    if (isAlive(host.proc, record.init)) host.proc.signal(record.init.pid, SIGKILL);
    // Without a pid namespace of its own, the container's other processes outlive its init.
    for (const pid of cgroup?.pids() ?? []) host.proc.signal(pid, SIGKILL);
    // Frozen processes die only once thawed.
    if (record.cgroup !== null && host.freezer.isFrozen(record.cgroup)) host.freezer.setFrozen(record.cgroup, false);
    const deadline = host.clock.now() + EXIT_WAIT_MS;
    while (isAlive(host.proc, record.init) && host.clock.now() < deadline) host.clock.sleep(5);
    // When we are its parent (a create rolling back), no zombie stays behind.
    if (record.init.pid > 0) host.addon.reapChild(record.init.pid);
    if (record.hostMounts !== undefined) detachHostMounts(host, record.hostMounts);
    cgroup?.destroy();
  }
  host.fs.remove(dir);
}
