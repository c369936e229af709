import { NoContainerError } from '../errors';
import type { Effect } from '../host/effect';
import type { LookupHost } from '../host/host';
import { withContainerLock } from '../state/lock';
import { type Status, deriveStatus } from '../state/status';
import { type ContainerRecord, containerDir, readRecord, validateContainerId } from '../state/store';

export interface LockedContainer {
  dir: string;
  record: ContainerRecord;
  status: Status;
}

/**
 * Runs `fn` on a container under its lock. A container whose directory vanished while we waited
 * for the lock (a concurrent delete) does not exist; one whose state.json is damaged is a
 * DamagedStateError naming the file.
 */
export function* withContainer<T>(host: LookupHost, root: string, id: string, exclusive: boolean, fn: (c: LockedContainer) => Effect<T>): Effect<T> {
  validateContainerId(id);
  const dir = containerDir(root, id);
  const missing = (): never => {
    throw new NoContainerError(id);
  };
  return yield* withContainerLock(
    host,
    dir,
    exclusive,
    function* () {
      const record = readRecord(host.fs, dir) ?? missing();
      return yield* fn({ dir, record, status: deriveStatus(host, dir, record) });
    },
    missing,
  );
}
