import * as fs from 'node:fs';

import { type ExitStatus, native } from '../native';
import { whenReadable } from './readable';

export type { ExitStatus } from '../native';

/** How long the status of a process that is not our child is looked for after it exited (its parent must reap it first). */
const UNKNOWN_STATUS_RETRIES = 20;
const UNKNOWN_STATUS_INTERVAL_MS = 5;

/**
 * A process's exit, watched through a pidfd: resolves with its status (our child is reaped then, so
 * it never stays a zombie), or with both fields null when it is not our child and the kernel keeps
 * no status for it (Linux before 6.15). Keeps Node running until it exits unless `keepAlive` is false.
 */
export async function waitForExit(pid: number, options: { keepAlive?: boolean; signal?: AbortSignal } = {}): Promise<ExitStatus> {
  const pidfd = native().openPidfd(pid);
  try {
    // Readable means exited; only then can the status of a process that is not our child be asked for.
    await whenReadable(pidfd, options);
    for (let unknown = 0; ; ) {
      const status = native().exitStatusOf(pidfd);
      if (typeof status === 'object') return status;
      if (status === 'running') await whenReadable(pidfd, options);
      else if (++unknown > UNKNOWN_STATUS_RETRIES) return { code: null, signal: null };
      else await new Promise((resolve) => setTimeout(resolve, UNKNOWN_STATUS_INTERVAL_MS));
    }
  } finally {
    fs.closeSync(pidfd);
  }
}
