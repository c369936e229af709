import { type Effect, runSync } from '../host/effect';
import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { type OciState, ociState } from '../state/status';
import { withContainer } from './lookup';

export function* stateSteps(root: string, id: string, host: LookupHost): Effect<OciState> {
  return yield* withContainer(host, root, id, false, function* ({ record, status }) {
    return ociState(record, status);
  });
}

export function containerState(root: string, id: string, host: LookupHost = realLookupHost): OciState {
  return runSync(stateSteps(root, id, host));
}
