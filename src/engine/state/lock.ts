import type { Host } from '../host/host';

/**
 * Runs `fn` holding flock() on the container's directory: exclusive for operations that change the
 * container, shared for those that only look. The lock dies with the process, so a killed
 * `create` never leaves it held.
 */
export function withContainerLock<T>(host: Pick<Host, 'addon' | 'fs'>, dir: string, exclusive: boolean, fn: () => T): T {
  const fd = host.addon.lockFile(dir, exclusive);
  try {
    return fn();
  } finally {
    host.fs.close(fd);
  }
}
