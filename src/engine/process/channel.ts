import { SyncTag } from '../../generated/protocol';
import { CistaError, errnoText } from '../errors';
import type { Host } from '../host/host';
import { whenReadable } from './readable';

/**
 * The runtime's end of the sync socket (SOCK_SEQPACKET) to the init helper; the other end is
 * native/init/channel.cc, the messages are SyncTag of protocol/definition.js. runtime -> init: the
 * encoded plan.
 */
export function sendPlan(host: Pick<Host, 'fs'>, syncFd: number, encodedPlan: Buffer): void {
  host.fs.write(syncFd, encodedPlan);
}

const MAX_REPLY = 64 * 1024;

/** One datagram of the init and the fd it carried (-1: none). */
export type InitMessage = { data: Buffer; fd: number };

function receiveFailed(e: unknown): CistaError {
  return new CistaError(`reading from the container init: ${errnoText(e)}`);
}

/** The pid (in our pid namespace) of the process a pidfd refers to. */
function pidOfPidfd(host: Pick<Host, 'fs'>, fd: number): number {
  const match = /^Pid:\s*(-?\d+)$/m.exec(host.fs.readText(`/proc/self/fdinfo/${fd}`));
  if (match === null || Number(match[1]) <= 0) throw new CistaError('the container init forked a process that is already gone');
  return Number(match[1]);
}

export interface SetupHandlers {
  /** RunHooks: runs the runtime's create-time hooks (an exception fails the create); returns the state JSON to answer. */
  runHooks?: () => string;
  /**
   * Forked: the init went on in a clone born in the new namespaces (the runtime's child too) and
   * its first process exits; `pid` is the clone's. The clone says nothing more before the first one
   * is a zombie, so the caller can reap it without blocking once a later message came.
   */
  forked?: (pid: number) => void;
}

/**
 * Waits until the init is set up; returns the pty master fd if it made a terminal. An init whose
 * plan has no hooks or new time namespace (exec) sends neither RunHooks nor Forked. The init's
 * error message follows `failure` ("exec failed" for an exec, as runc words it).
 */
export function awaitReady(
  host: Pick<Host, 'fs' | 'addon'>,
  syncFd: number,
  failure: string,
  handlers: SetupHandlers = {},
): { consoleFd: number | null } {
  let consoleFd: number | null = null;
  let forked = false;
  try {
    for (;;) {
      let message: InitMessage;
      try {
        message = host.addon.receiveMessage(syncFd, MAX_REPLY);
      } catch (e) {
        throw receiveFailed(e);
      }
      const { data, fd } = message;
      if (data.length === 0) throw new CistaError('container init exited during setup without a reason');
      const kind = String.fromCharCode(data[0]);
      if (kind === SyncTag.Console && fd >= 0 && consoleFd === null) {
        consoleFd = fd;
        continue;
      }
      if (kind === SyncTag.Forked && fd >= 0 && handlers.forked !== undefined && !forked) {
        let pid: number;
        try {
          pid = pidOfPidfd(host, fd);
        } finally {
          host.fs.close(fd);
        }
        forked = true;
        handlers.forked(pid);
        continue;
      }
      if (fd >= 0) host.fs.close(fd);
      if (kind === SyncTag.Ready) return { consoleFd };
      if (kind === SyncTag.RunHooks && handlers.runHooks !== undefined) {
        host.fs.write(syncFd, Buffer.from(SyncTag.HooksDone + handlers.runHooks(), 'utf8'));
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

/**
 * One message of the init, received once the event loop sees the socket readable: never blocks.
 * The long-lived API's form of awaitReady's receive; the conversation goes asynchronous on it next.
 */
export async function receiveFromInit(host: Pick<Host, 'addon'>, syncFd: number, signal?: AbortSignal): Promise<InitMessage> {
  for (;;) {
    let message: InitMessage | null;
    try {
      message = host.addon.receiveMessage(syncFd, MAX_REPLY, true);
    } catch (e) {
      throw receiveFailed(e);
    }
    if (message !== null) return message;
    await whenReadable(syncFd, { signal });
  }
}
