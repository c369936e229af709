import { CistaError } from '../errors';
import { runSync } from '../host/effect';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { withContainer } from './lookup';

/** The host pids of every process in the container's cgroup (containerd's shim asks with `ps --format json`). */
export function containerPids(root: string, id: string, host: Host = realHost): number[] {
  return runSync(withContainer(host, root, id, false, function* ({ record, status }) {
    if (status === 'stopped') return [];
    if (record.cgroup === null) throw new CistaError(`container ${id} has no cgroup to list`);
    return host.cgroups
      .reopen(record.cgroup)
      .pids()
      .sort((a, b) => a - b);
  }));
}
