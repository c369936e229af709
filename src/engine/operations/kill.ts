import { ContainerStateError } from '../errors';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { withContainer } from './lookup';

/** Sends a signal to the container's init, or with `all` to every process in its cgroup. */
export function killContainer(root: string, id: string, signal: number, all: boolean, host: Host = realHost): void {
  withContainer(host, root, id, false, ({ record, status }) => {
    if (status !== 'created' && status !== 'running' && status !== 'paused') throw new ContainerStateError('container not running', status);
    const pids = all && record.cgroup ? host.cgroups.reopen(record.cgroup).pids() : [record.init.pid];
    for (const pid of pids) host.proc.signal(pid, signal);
  });
}
