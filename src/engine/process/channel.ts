import { SyncTag } from '../../generated/protocol';
import { CistaError, errnoText } from '../errors';
import type { Effect } from '../host/effect';
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

/** What the init may ask of the runtime while it sets up; a request without its handler is an error. */
export interface SetupHandlers {
  /**
   * Forked: the init went on in a clone born in the new namespaces (the runtime's child too) and
   * its first process exits; `pid` is the clone's. The clone says nothing more before the first one
   * is a zombie, so the caller can reap it without blocking once a later message came.
   */
  forked?: (pid: number) => void;
  /** Called once, before the first RunHooks or Ready: every namespace of the init exists by then. */
  namespacesMade?: () => void;
  /** RunHooks: runs the runtime's create-time hooks (an exception fails the create); returns the state JSON to answer. */
  runHooks?: () => Effect<string>;
  /** IdmapMount: idmaps the detached bind of plan.mounts[stepIndex]; the caller closes `mountFd`. */
  idmapMount?: (stepIndex: number, mountFd: number) => void;
  /** SeccompListener: hands the seccomp notify fd on to the listener; the caller closes `notifyFd`. */
  seccompListener?: (notifyFd: number) => void;
}

function closeAfter<T>(host: Pick<Host, 'fs'>, fd: number, use: (fd: number) => T): T {
  try {
    return use(fd);
  } finally {
    host.fs.close(fd);
  }
}

/**
 * Waits until the init is set up; returns the pty master fd if it made a terminal, and answers the
 * init's requests meanwhile (an init whose plan asks for none never sends them). The init's error
 * message follows `failure` ("exec failed" for an exec, as runc words it).
 */
export function* awaitReady(
  host: Pick<Host, 'fs' | 'addon' | 'waits'>,
  syncFd: number,
  failure: string,
  handlers: SetupHandlers = {},
): Effect<{ consoleFd: number | null }> {
  let consoleFd: number | null = null;
  let forked = false;
  let namespacesMade = false;
  try {
    for (;;) {
      let message: InitMessage;
      try {
        message = yield* host.waits.receive(syncFd, MAX_REPLY);
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
      const { idmapMount, seccompListener, runHooks } = handlers;
      if (kind === SyncTag.Forked && fd >= 0 && handlers.forked !== undefined && !forked) {
        const pid = closeAfter(host, fd, (pidfd) => pidOfPidfd(host, pidfd));
        forked = true;
        handlers.forked(pid);
        continue;
      }
      // The decimal step index that follows the tag of IdmapMount.
      const stepIndex = data.toString('latin1', 1);
      if (kind === SyncTag.IdmapMount && fd >= 0 && idmapMount !== undefined && /^\d+$/.test(stepIndex)) {
        closeAfter(host, fd, (mountFd) => idmapMount(Number(stepIndex), mountFd));
        host.fs.write(syncFd, Buffer.from(SyncTag.MountIdmapped, 'latin1'));
        continue;
      }
      if ((kind === SyncTag.RunHooks || kind === SyncTag.Ready) && !namespacesMade) {
        namespacesMade = true;
        handlers.namespacesMade?.();
      }
      if (kind === SyncTag.SeccompListener && fd >= 0 && seccompListener !== undefined) {
        closeAfter(host, fd, seccompListener);
        continue;
      }
      if (fd >= 0) host.fs.close(fd);
      if (kind === SyncTag.Ready) return { consoleFd };
      if (kind === SyncTag.RunHooks && runHooks !== undefined) {
        host.fs.write(syncFd, Buffer.from(SyncTag.HooksDone + (yield* runHooks()), 'utf8'));
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
