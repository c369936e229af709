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
