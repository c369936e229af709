import * as fs from 'node:fs';

import { ContainerStateError, NoContainerError } from '../errors';
import { type Warn, hookState, runHooksWarning } from '../hooks/run';
import { withContainerLock } from '../state/lock';
import { deriveStatus } from '../state/status';
import { readJournal } from '../state/journal';
import { isAlive } from '../state/process';
import { type ContainerRecord, DamagedStateError, containerDir, readRecord, validateContainerId } from '../state/store';
import { teardownContainer } from './teardown';

/**
 * Deletes a stopped container; with `force`, any container, killing it first. `force` on a
 * container that does not exist succeeds, as clients call it after every delete, and so do 20 at
 * once. A container whose state.json is damaged is torn down from its journal. The poststop hooks
 * run once everything is gone; one that fails is a warning.
 */
export function deleteContainer(root: string, id: string, force: boolean, warn: Warn = () => {}): void {
  validateContainerId(id);
  const dir = containerDir(root, id);
  const gone = (): undefined => {
    if (force) return undefined;
    throw new NoContainerError(id);
  };
  const deleted = withContainerLock(
    dir,
    true,
    (): ContainerRecord | undefined => {
      let record: ContainerRecord | undefined;
      try {
        record = readRecord(dir);
      } catch (e) {
        if (!(e instanceof DamagedStateError)) throw e;
      }
      // Removed while we waited for the lock.
      if (!fs.existsSync(dir)) return gone();
      const owned = record ?? readJournal(dir);
      if (!force) {
        const status = record !== undefined ? deriveStatus(dir, record) : owned.init && isAlive(owned.init) ? 'running' : 'stopped';
        if (status !== 'stopped') throw new ContainerStateError(`cannot delete container ${id} that is not stopped: ${status}`, status);
      }
      teardownContainer(dir, owned);
      return record;
    },
    gone,
  );
  const poststop = deleted?.hooks?.poststop ?? [];
  if (poststop.length > 0) runHooksWarning('poststop', poststop, hookState(deleted!, 'stopped', undefined), warn);
}
