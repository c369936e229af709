import { ContainerStateError, NoContainerError } from '../errors';
import { type Warn, hookState, runHooksWarning } from '../hooks/run';
import { type Effect, runSync } from '../host/effect';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { readJournal } from '../state/journal';
import { withContainerLock } from '../state/lock';
import { deriveStatus, isAlive } from '../state/status';
import { type ContainerRecord, DamagedStateError, containerDir, readRecord, validateContainerId } from '../state/store';
import { teardownContainer } from './teardown';

/**
 * Deletes a stopped container; with `force`, any container, killing it first. `force` on a
 * container that does not exist succeeds, as clients call it after every delete, and so do 20 at
 * once. A container whose state.json is damaged is torn down from its journal. The poststop hooks
 * run once everything is gone; one that fails is a warning.
 */
export function* deleteSteps(root: string, id: string, force: boolean, warn: Warn, host: Host): Effect<void> {
  validateContainerId(id);
  const dir = containerDir(root, id);
  const gone = (): undefined => {
    if (force) return undefined;
    throw new NoContainerError(id);
  };
  const deleted = yield* withContainerLock(
    host,
    dir,
    true,
    function* (): Effect<ContainerRecord | undefined> {
      let record: ContainerRecord | undefined;
      try {
        record = readRecord(host.fs, dir);
      } catch (e) {
        if (!(e instanceof DamagedStateError)) throw e;
      }
      // Removed while we waited for the lock.
      if (!host.fs.exists(dir)) return gone();
      const owned = record ?? readJournal(host.fs, dir);
      if (!force) {
        const status = record !== undefined ? deriveStatus(host, dir, record) : owned.init && isAlive(host.proc, owned.init) ? 'running' : 'stopped';
        if (status !== 'stopped') throw new ContainerStateError(`cannot delete container ${id} that is not stopped: ${status}`, status);
      }
      yield* teardownContainer(host, dir, owned);
      return record;
    },
    gone,
  );
  const poststop = deleted?.hooks?.poststop ?? [];
  if (poststop.length > 0) yield* runHooksWarning(host.waits, 'poststop', poststop, hookState(deleted!, 'stopped', undefined), warn);
}

export function deleteContainer(root: string, id: string, force: boolean, warn: Warn = () => {}, host: Host = realHost): void {
  runSync(deleteSteps(root, id, force, warn, host));
}
