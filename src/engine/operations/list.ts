import type { Warn } from '../hooks/run';
import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { type OciState, deriveStatus, ociState } from '../state/status';
import { DamagedStateError, containerDir, listContainerIds, readRecord } from '../state/store';

/**
 * Every container under the root with a readable record; half-made ones without a record are
 * skipped, and each one whose state.json is damaged is one warning, so the others still show.
 */
export function listContainers(root: string, warn: Warn = () => {}, host: LookupHost = realLookupHost): OciState[] {
  const states: OciState[] = [];
  for (const id of listContainerIds(host.fs, root)) {
    const dir = containerDir(root, id);
    try {
      const record = readRecord(host.fs, dir);
      if (record !== undefined) states.push(ociState(record, deriveStatus(host, dir, record)));
    } catch (e) {
      if (!(e instanceof DamagedStateError)) throw e;
      warn(e.message);
    }
  }
  return states;
}
