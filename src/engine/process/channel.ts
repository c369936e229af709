import * as fs from 'node:fs';

import { CistaError } from '../errors';

/**
 * The runtime's end of the sync socket (SOCK_SEQPACKET) to the init helper; the other end is
 * native/init/channel.cc. runtime -> init: the encoded plan. init -> runtime: 'R' when set up,
 * or 'E' + an error message.
 */
export function sendPlan(syncFd: number, encodedPlan: Buffer): void {
  fs.writeSync(syncFd, encodedPlan);
}

const MAX_REPLY = 64 * 1024;

export function awaitReady(syncFd: number): void {
  const buffer = Buffer.alloc(MAX_REPLY);
  let n: number;
  try {
    n = fs.readSync(syncFd, buffer, 0, buffer.length, null);
  } catch (e) {
    throw new CistaError(`reading from the container init: ${(e as Error).message}`);
  }
  if (n === 0) throw new CistaError('container init exited during setup without a reason');
  const kind = String.fromCharCode(buffer[0]);
  if (kind === 'R') return;
  if (kind === 'E') throw new CistaError(`container init failed: ${buffer.toString('utf8', 1, n)}`);
  throw new CistaError('container init sent an unknown message');
}
