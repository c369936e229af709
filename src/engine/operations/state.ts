import { type OciState, ociState } from '../state/status';
import { withContainer } from './lookup';

export function containerState(root: string, id: string): OciState {
  return withContainer(root, id, false, ({ record, status }) => ociState(record, status));
}
