import type { CgroupManager } from '../cgroups';
import type { Effect } from '../host/effect';
import type { Host } from '../host/host';
import { moveNetDevicesBack } from '../net-devices';
import { detachHostMounts } from '../rootfs/host-mounts';
import type { OwnedResources } from '../state/journal';
import { isAlive } from '../state/status';

const SIGKILL = 9;
const EXIT_WAIT_MS = 5000;
/** How often the blocking host looks whether the init has exited. */
const EXIT_POLL_MS = 5;

/**
 * The container's cgroups; none when the record names no usable ones (a create that died early).
 * A host that fails to say (an errno) fails the teardown before the state is gone, so that
 * `delete --force` can be tried again; going on would leave the cgroups and their processes.
 */
function reopenRecordedCgroup(host: Host, owned: OwnedResources): CgroupManager | undefined {
  if (owned.cgroup === null || owned.cgroup === undefined) return undefined;
  try {
    return host.cgroups.reopen(owned.cgroup);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== undefined) throw e;
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
export function* teardownContainer(host: Host, dir: string, owned: OwnedResources): Effect<void> {
  const init = owned.init ?? { pid: 0, startTime: 0 };
  const cgroup = reopenRecordedCgroup(host, owned);
  if (owned.netDevices !== undefined) moveNetDevicesBack(host, owned.netDevices);
  if (isAlive(host.proc, init)) host.proc.signal(init.pid, SIGKILL);
  // Without a pid namespace of its own, the container's other processes outlive its init.
  const others = cgroup?.pids() ?? [];
  for (const pid of others) host.proc.signal(pid, SIGKILL);
  // Frozen processes die only once thawed.
  if (cgroup?.frozen()) cgroup.freeze(false);
  const deadline = host.clock.now() + EXIT_WAIT_MS;
  while (isAlive(host.proc, init) && host.clock.now() < deadline) yield* host.waits.idle(EXIT_POLL_MS, { pid: init.pid });
  // When we are its parent (a create rolling back), no zombie stays behind: neither the init nor a
  // clone of it (SyncTag.Forked) that the create failed to record, which is our child too.
  for (const pid of new Set([init.pid, ...others])) if (pid > 0) host.addon.reapChild(pid);
  if (owned.hostMounts !== undefined) detachHostMounts(host, owned.hostMounts);
  cgroup?.destroy();
  host.fs.remove(dir);
}
