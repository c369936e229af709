import { CistaError } from '../errors';
import { type Warn, hookState, runHooksWarning } from '../hooks/run';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { withContainerLock } from '../state/lock';
import { deriveStatus } from '../state/status';
import { type ContainerRecord, containerDir, readRecord, validateContainerId } from '../state/store';
import { teardownContainer } from './teardown';

/**
 * Deletes a stopped container; with `force`, any container, killing it first. `force` on a
 * container that does not exist succeeds, as clients call it after every delete. The poststop
 * hooks run once everything is gone; one that fails is a warning.
 */
export function deleteContainer(root: string, id: string, force: boolean, warn: Warn = () => {}, host: Host = realHost): void {
  validateContainerId(id);
  const dir = containerDir(root, id);
  if (!host.fs.exists(dir)) {
    if (force) return;
    throw new CistaError(`container ${id} does not exist`);
  }
  const deleted: ContainerRecord | undefined = withContainerLock(host, dir, true, () => {
    const record = readRecord(host.fs, dir);
    if (record === undefined && !host.fs.exists(dir)) {
      if (force) return undefined;
      throw new CistaError(`container ${id} does not exist`);
    }
    if (record !== undefined && !force) {
      const status = deriveStatus(host, dir, record);
      if (status !== 'stopped') throw new CistaError(`cannot delete container ${id} that is not stopped: ${status}`);
    }
    teardownContainer(host, dir, record);
    return record;
  });
  const poststop = deleted?.hooks?.poststop ?? [];
  if (poststop.length > 0) runHooksWarning(host.proc, 'poststop', poststop, hookState(deleted!, 'stopped', undefined), warn);
}
