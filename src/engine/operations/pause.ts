import { reopenCgroupManager } from '../cgroups';
import { CistaError } from '../errors';
import { withContainer } from './lookup';

/** Freezes every process of a created or running container (runc pause). */
export function pauseContainer(root: string, id: string): void {
  withContainer(root, id, true, ({ record, status }) => {
    if (status !== 'created' && status !== 'running') throw new CistaError('container not running');
    if (record.cgroup === null) throw new CistaError('the container has no cgroup to freeze');
    reopenCgroupManager(record.cgroup).freeze(true);
  });
}

/** Thaws a paused container (runc resume). */
export function resumeContainer(root: string, id: string): void {
  withContainer(root, id, true, ({ record, status }) => {
    if (status !== 'paused' || record.cgroup === null) throw new CistaError('container not paused');
    reopenCgroupManager(record.cgroup).freeze(false);
  });
}
