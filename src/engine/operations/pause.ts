import { CistaError, ContainerStateError } from '../errors';
import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { withContainer } from './lookup';

/** Freezes every process of a created or running container (runc pause). */
export function pauseContainer(root: string, id: string, host: LookupHost = realLookupHost): void {
  withContainer(host, root, id, true, ({ record, status }) => {
    if (status !== 'created' && status !== 'running') throw new ContainerStateError('container not running', status);
    if (record.cgroup === null) throw new CistaError('the container has no cgroup to freeze');
    host.freezer.setFrozen(record.cgroup, true);
  });
}

/** Thaws a paused container (runc resume). */
export function resumeContainer(root: string, id: string, host: LookupHost = realLookupHost): void {
  withContainer(host, root, id, true, ({ record, status }) => {
    if (status !== 'paused' || record.cgroup === null) throw new ContainerStateError('container not paused', status);
    host.freezer.setFrozen(record.cgroup, false);
  });
}
