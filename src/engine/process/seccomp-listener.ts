/**
 * Seccomp notification: the init hands the notify fd of its filter to the runtime, which sends it to
 * the agent listening at linux.seccomp.listenerPath with the "container process state" of the
 * runtime-spec (config-linux.md, seccomp): one connection per fd, the JSON as the data and the fd as
 * SCM_RIGHTS, named "seccompFd" in `fds`.
 */
import * as path from 'node:path';

import { CistaError, errnoText } from '../errors';
import type { HookState } from '../hooks/run';
import type { NativeAddon } from '../native';
import { SPEC_VERSION_MAX } from '../spec/vocabulary';

export interface SeccompListener {
  path: string;
  metadata: string;
}

/** Sends `notifyFd` (not closed here) of the process `pid` to the listener; `state` is the container's. */
export function sendToSeccompListener(addon: NativeAddon, listener: SeccompListener, notifyFd: number, pid: number, state: HookState): void {
  const processState = {
    ociVersion: SPEC_VERSION_MAX,
    fds: ['seccompFd'],
    pid,
    ...(listener.metadata !== '' ? { metadata: listener.metadata } : {}),
    state,
  };
  try {
    addon.sendFdToSocket(path.resolve(listener.path), notifyFd, JSON.stringify(processState), 'seccomp listener');
  } catch (e) {
    throw new CistaError(`linux.seccomp.listenerPath: ${errnoText(e)}`);
  }
}
