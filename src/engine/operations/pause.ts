import { CistaError, ContainerStateError } from '../errors';
import { type Effect, runSync } from '../host/effect';
import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { withContainer } from './lookup';

/** Freezes every process of a created or running container (runc pause), or thaws a paused one (runc resume). */
export function* freezeSteps(root: string, id: string, frozen: boolean, host: LookupHost): Effect<void> {
  yield* withContainer(host, root, id, true, function* ({ record, status }) {
    if (frozen) {
      if (status !== 'created' && status !== 'running') throw new ContainerStateError('container not running', status);
      if (record.cgroup === null) throw new CistaError('the container has no cgroup to freeze');
    } else if (status !== 'paused' || record.cgroup === null) throw new ContainerStateError('container not paused', status);
    host.freezer.setFrozen(record.cgroup, frozen);
  });
}

export function pauseContainer(root: string, id: string, host: LookupHost = realLookupHost): void {
  runSync(freezeSteps(root, id, true, host));
}

export function resumeContainer(root: string, id: string, host: LookupHost = realLookupHost): void {
  runSync(freezeSteps(root, id, false, host));
}
