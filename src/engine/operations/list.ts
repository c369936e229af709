import type { Warn } from '../hooks/run';
import { type OciState, deriveStatus, ociState } from '../state/status';
import { DamagedStateError, containerDir, listContainerIds, readRecord } from '../state/store';

/**
 * Every container under the root with a readable record; half-made ones without a record are
 * skipped, and each one whose state.json is damaged is one warning, so the others still show.
 */
export function listContainers(root: string, warn: Warn = () => {}): OciState[] {
  const states: OciState[] = [];
  for (const id of listContainerIds(root)) {
    const dir = containerDir(root, id);
    try {
      const record = readRecord(dir);
      if (record !== undefined) states.push(ociState(record, deriveStatus(dir, record)));
    } catch (e) {
      if (!(e instanceof DamagedStateError)) throw e;
      warn(e.message);
    }
  }
  return states;
}
