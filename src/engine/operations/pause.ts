import { setFrozen } from '../cgroups/freezer';
import { CistaError, ContainerStateError } from '../errors';
import { withContainer } from './lookup';

/** Freezes every process of a created or running container (runc pause). */
export function pauseContainer(root: string, id: string): void {
  withContainer(root, id, true, ({ record, status }) => {
    if (status !== 'created' && status !== 'running') throw new ContainerStateError('container not running', status);
    if (record.cgroup === null) throw new CistaError('the container has no cgroup to freeze');
    setFrozen(record.cgroup, true);
  });
}

/** Thaws a paused container (runc resume). */
export function resumeContainer(root: string, id: string): void {
  withContainer(root, id, true, ({ record, status }) => {
    if (status !== 'paused' || record.cgroup === null) throw new ContainerStateError('container not paused', status);
    setFrozen(record.cgroup, false);
  });
}
