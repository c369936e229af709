import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { type OciState, ociState } from '../state/status';
import { withContainer } from './lookup';

export function containerState(root: string, id: string, host: LookupHost = realLookupHost): OciState {
  return withContainer(host, root, id, false, ({ record, status }) => ociState(record, status));
}
