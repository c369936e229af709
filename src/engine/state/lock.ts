import * as fs from 'node:fs';

import { native } from '../native';

/**
 * Runs `fn` holding flock() on the container's directory: exclusive for operations that change the
 * container, shared for those that only look. The lock dies with the process, so a killed
 * `create` never leaves it held. `gone` runs instead when the directory does not exist (any more:
 * a concurrent delete may remove it between a look and the lock).
 */
export function withContainerLock<T>(dir: string, exclusive: boolean, fn: () => T, gone: () => T): T {
  let fd: number;
  try {
    fd = native().lockFile(dir, exclusive);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return gone();
    throw e;
  }
  try {
    return fn();
  } finally {
    fs.closeSync(fd);
  }
}
