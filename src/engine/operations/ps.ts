import { reopenCgroupManager } from '../cgroups';
import { CistaError } from '../errors';
import { withContainer } from './lookup';

/** The host pids of every process in the container's cgroup (containerd's shim asks with `ps --format json`). */
export function containerPids(root: string, id: string): number[] {
  return withContainer(root, id, false, ({ record, status }) => {
    if (status === 'stopped') return [];
    if (record.cgroup === null) throw new CistaError(`container ${id} has no cgroup to list`);
    return reopenCgroupManager(record.cgroup)
      .pids()
      .sort((a, b) => a - b);
  });
}
