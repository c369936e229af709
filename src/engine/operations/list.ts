import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { type OciState, deriveStatus, ociState } from '../state/status';
import { containerDir, listContainerIds, readRecord } from '../state/store';

/** Every container under the root with a readable record; half-made ones without a record are skipped. */
export function listContainers(root: string, host: LookupHost = realLookupHost): OciState[] {
  const states: OciState[] = [];
  for (const id of listContainerIds(host.fs, root)) {
    const dir = containerDir(root, id);
    const record = readRecord(host.fs, dir);
    if (record !== undefined) states.push(ociState(record, deriveStatus(host, dir, record)));
  }
  return states;
}
