import { SyncTag } from '../../generated/protocol';
import { CistaError, errnoText } from '../errors';
import type { Host } from '../host/host';

/**
 * The runtime's end of the sync socket (SOCK_SEQPACKET) to the init helper; the other end is
 * native/init/channel.cc, the messages are SyncTag of protocol/definition.js. runtime -> init: the
 * encoded plan.
 */
export function sendPlan(host: Pick<Host, 'fs'>, syncFd: number, encodedPlan: Buffer): void {
  host.fs.write(syncFd, encodedPlan);
}

const MAX_REPLY = 64 * 1024;

/**
 * Waits until the init is set up; returns the pty master fd if it made a terminal. On RunHooks, runs
 * `runHooks` (whose exception fails the create) and answers with the state it returns; an init
 * whose plan has no hooks (exec) never sends it. The init's error message follows `failure`
 * ("exec failed" for an exec, as runc words it).
 */
export function awaitReady(
  host: Pick<Host, 'fs' | 'addon'>,
  syncFd: number,
  failure: string,
  runHooks?: () => string,
): { consoleFd: number | null } {
  let consoleFd: number | null = null;
  try {
    for (;;) {
      let message: { data: Buffer; fd: number };
      try {
        message = host.addon.receiveMessage(syncFd, MAX_REPLY);
      } catch (e) {
        throw new CistaError(`reading from the container init: ${errnoText(e)}`);
      }
      const { data, fd } = message;
      if (data.length === 0) throw new CistaError('container init exited during setup without a reason');
      const kind = String.fromCharCode(data[0]);
      if (kind === SyncTag.Console && fd >= 0 && consoleFd === null) {
        consoleFd = fd;
        continue;
      }
      if (fd >= 0) host.fs.close(fd);
      if (kind === SyncTag.Ready) return { consoleFd };
      if (kind === SyncTag.RunHooks && runHooks !== undefined) {
        host.fs.write(syncFd, Buffer.from(SyncTag.HooksDone + runHooks(), 'utf8'));
        continue;
      }
      if (kind === SyncTag.Error) throw new CistaError(`${failure}: ${data.toString('utf8', 1)}`);
      throw new CistaError('container init sent an unknown message');
    }
  } catch (e) {
    if (consoleFd !== null) host.fs.close(consoleFd);
    throw e;
  }
}
