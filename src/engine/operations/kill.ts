import { ContainerStateError } from '../errors';
import { type Effect, runSync } from '../host/effect';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { withContainer } from './lookup';

/**
 * Sends a signal to the container's init, or with `all` to every process in its cgroup. As runc's,
 * `all` also works once the init has exited: containerd's shim sends `kill --all ID 9` on
 * `ctr task delete -f`, and processes left in the cgroup (a shared or the host's pid namespace) must
 * not survive it; a stopped container whose cgroup is gone has nothing left, which is success.
 */
export function* killSteps(root: string, id: string, signal: number, all: boolean, host: Host): Effect<void> {
  yield* withContainer(host, root, id, false, function* ({ record, status }) {
    const live = status === 'created' || status === 'running' || status === 'paused';
    if (!live && !(all && status === 'stopped')) throw new ContainerStateError('container not running', status);
    let pids: number[];
    if (!all) pids = [record.init.pid];
    else if (record.cgroup !== null) pids = host.cgroups.reopen(record.cgroup).pids();
    else pids = live ? [record.init.pid] : [];
    for (const pid of pids) host.proc.signal(pid, signal);
  });
}

export function killContainer(root: string, id: string, signal: number, all: boolean, host: Host = realHost): void {
  runSync(killSteps(root, id, signal, all, host));
}
