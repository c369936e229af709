import type { Warn } from '../hooks/run';
import { type Effect, runSync } from '../host/effect';
import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { type OciState, deriveStatus, ociState } from '../state/status';
import { DamagedStateError, containerDir, listContainerIds, readRecord } from '../state/store';

/** Containers looked at (a record, /proc, the freezer each) between two turns other API work gets. */
const CONTAINERS_PER_TURN = 64;

/**
 * Every container under the root with a readable record; half-made ones without a record are
 * skipped, and each one whose state.json is damaged is one warning, so the others still show.
 */
export function* listSteps(root: string, warn: Warn, host: LookupHost): Effect<OciState[]> {
  const states: OciState[] = [];
  for (const [index, id] of listContainerIds(host.fs, root).entries()) {
    if (index > 0 && index % CONTAINERS_PER_TURN === 0) yield* host.waits.letOthersRun();
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

export function listContainers(root: string, warn: Warn = () => {}, host: LookupHost = realLookupHost): OciState[] {
  return runSync(listSteps(root, warn, host));
}
