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

type Message = { data: Buffer; fd: number };

/** Where a conversation with the init stands: the pty master once sent, and the outcome once known. */
interface Conversation {
  consoleFd: number | null;
  done: boolean;
}

function receiveFailed(e: unknown): CistaError {
  return new CistaError(`reading from the container init: ${errnoText(e)}`);
}

/** Acts on one message of the init; sets `done` at Ready, throws at Error or anything unexpected. */
function handleMessage(
  host: Pick<Host, 'fs'>,
  syncFd: number,
  message: Message,
  conversation: Conversation,
  failure: string,
  runHooks?: () => string,
): void {
  const { data, fd } = message;
  if (data.length === 0) throw new CistaError('container init exited during setup without a reason');
  const kind = String.fromCharCode(data[0]);
  if (kind === SyncTag.Console && fd >= 0 && conversation.consoleFd === null) {
    conversation.consoleFd = fd;
    return;
  }
  if (fd >= 0) host.fs.close(fd);
  if (kind === SyncTag.Ready) conversation.done = true;
  else if (kind === SyncTag.RunHooks && runHooks !== undefined) host.fs.write(syncFd, Buffer.from(SyncTag.HooksDone + runHooks(), 'utf8'));
  else if (kind === SyncTag.Error) throw new CistaError(`${failure}: ${data.toString('utf8', 1)}`);
  else throw new CistaError('container init sent an unknown message');
}

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
  const conversation: Conversation = { consoleFd: null, done: false };
  try {
    while (!conversation.done) {
      let message: Message;
      try {
        message = host.addon.receiveMessage(syncFd, MAX_REPLY);
      } catch (e) {
        throw receiveFailed(e);
      }
      handleMessage(host, syncFd, message, conversation, failure, runHooks);
    }
    return { consoleFd: conversation.consoleFd };
  } catch (e) {
    if (conversation.consoleFd !== null) host.fs.close(conversation.consoleFd);
    throw e;
  }
}

/** One message of the init, received once the event loop sees the socket readable: never blocks. */
export async function receiveFromInit(host: Pick<Host, 'addon'>, syncFd: number, signal?: AbortSignal): Promise<Message> {
  for (;;) {
    let message: Message | null;
    try {
      message = host.addon.receiveMessage(syncFd, MAX_REPLY, true);
    } catch (e) {
      throw receiveFailed(e);
    }
    if (message !== null) return message;
    await whenReadable(syncFd, { signal });
  }
}

/** awaitReady for the long-lived API: the same conversation, waiting on the event loop. */
export async function awaitReadyAsync(
  host: Pick<Host, 'fs' | 'addon'>,
  syncFd: number,
  failure: string,
  runHooks?: () => string,
  signal?: AbortSignal,
): Promise<{ consoleFd: number | null }> {
  const conversation: Conversation = { consoleFd: null, done: false };
  try {
    while (!conversation.done) handleMessage(host, syncFd, await receiveFromInit(host, syncFd, signal), conversation, failure, runHooks);
    return { consoleFd: conversation.consoleFd };
  } catch (e) {
    if (conversation.consoleFd !== null) host.fs.close(conversation.consoleFd);
    throw e;
  }
}
