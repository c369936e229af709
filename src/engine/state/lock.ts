import type { Effect } from '../host/effect';
import type { Host } from '../host/host';

/**
 * Runs `fn` holding flock() on the container's directory: exclusive for operations that change the
 * container, shared for those that only look. The lock dies with the process, so a killed
 * `create` never leaves it held. `gone` runs instead when the directory does not exist (any more:
 * a concurrent delete may remove it between a look and the lock). The host's waits take the lock:
 * blocking for the CLI, on the event loop for the API.
 */
export function* withContainerLock<T>(host: Pick<Host, 'waits'>, dir: string, exclusive: boolean, fn: () => Effect<T>, gone: () => T): Effect<T> {
  let fd: number;
  try {
    fd = yield* host.waits.lock(dir, exclusive);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return gone();
    throw e;
  }
  try {
    return yield* fn();
  } finally {
    host.waits.unlock(fd);
  }
}
