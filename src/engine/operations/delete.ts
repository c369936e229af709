import * as fs from 'node:fs';

import { ContainerStateError, NoContainerError } from '../errors';
import { type Warn, hookState, runHooksWarning } from '../hooks/run';
import { withContainerLock } from '../state/lock';
import { deriveStatus } from '../state/status';
import { type ContainerRecord, containerDir, readRecord, validateContainerId } from '../state/store';
import { teardownContainer } from './teardown';

/**
 * Deletes a stopped container; with `force`, any container, killing it first. `force` on a
 * container that does not exist succeeds, as clients call it after every delete. The poststop
 * hooks run once everything is gone; one that fails is a warning.
 */
export function deleteContainer(root: string, id: string, force: boolean, warn: Warn = () => {}): void {
  validateContainerId(id);
  const dir = containerDir(root, id);
  if (!fs.existsSync(dir)) {
    if (force) return;
    throw new NoContainerError(id);
  }
  const deleted: ContainerRecord | undefined = withContainerLock(dir, true, () => {
    const record = readRecord(dir);
    if (record === undefined && !fs.existsSync(dir)) {
      if (force) return undefined;
      throw new NoContainerError(id);
    }
    if (record !== undefined && !force) {
      const status = deriveStatus(dir, record);
      if (status !== 'stopped') throw new ContainerStateError(`cannot delete container ${id} that is not stopped: ${status}`, status);
    }
    teardownContainer(dir, record);
    return record;
  });
  const poststop = deleted?.hooks?.poststop ?? [];
  if (poststop.length > 0) runHooksWarning('poststop', poststop, hookState(deleted!, 'stopped', undefined), warn);
}
