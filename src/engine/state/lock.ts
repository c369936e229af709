import type { Host } from '../host/host';

/**
 * Runs `fn` holding flock() on the container's directory: exclusive for operations that change the
 * container, shared for those that only look. The lock dies with the process, so a killed
 * `create` never leaves it held. `gone` runs instead when the directory does not exist (any more:
 * a concurrent delete may remove it between a look and the lock).
 */
export function withContainerLock<T>(host: Pick<Host, 'addon' | 'fs'>, dir: string, exclusive: boolean, fn: () => T, gone: () => T): T {
  let fd: number;
  try {
    fd = host.addon.lockFile(dir, exclusive);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return gone();
    throw e;
  }
  try {
    return fn();
  } finally {
    host.fs.close(fd);
  }
}

/** Retries of a held lock back off up to this interval. */
const MAX_LOCK_RETRY_MS = 50;

/**
 * withContainerLock for the long-lived API: flock() has no fd to watch, so a held lock is tried again
 * (LOCK_NB) on a timer that backs off from 1 ms to 50 ms; no thread is parked and the event loop
 * never blocks. An aborted `signal` stops the wait.
 */
export async function withContainerLockAsync<T>(
  host: Pick<Host, 'addon' | 'fs'>,
  dir: string,
  exclusive: boolean,
  fn: () => Promise<T> | T,
  signal?: AbortSignal,
): Promise<T> {
  let fd = host.addon.lockFile(dir, exclusive, true);
  for (let delay = 1; fd < 0; delay = Math.min(delay * 2, MAX_LOCK_RETRY_MS)) {
    signal?.throwIfAborted();
    await new Promise((resolve) => setTimeout(resolve, delay));
    fd = host.addon.lockFile(dir, exclusive, true);
  }
  try {
    return await fn();
  } finally {
    host.fs.close(fd);
  }
}
