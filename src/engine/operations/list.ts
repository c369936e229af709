import { type OciState, deriveStatus, ociState } from '../state/status';
import { containerDir, listContainerIds, readRecord } from '../state/store';

/** Every container under the root with a readable record; half-made ones without a record are skipped. */
export function listContainers(root: string): OciState[] {
  const states: OciState[] = [];
  for (const id of listContainerIds(root)) {
    const dir = containerDir(root, id);
    const record = readRecord(dir);
    if (record !== undefined) states.push(ociState(record, deriveStatus(dir, record)));
  }
  return states;
}
