import * as fs from 'node:fs';

import { native } from '../native';

/**
 * Runs `fn` holding flock() on the container's directory: exclusive for operations that change the
 * container, shared for those that only look. The lock dies with the process, so a killed
 * `create` never leaves it held.
 */
export function withContainerLock<T>(dir: string, exclusive: boolean, fn: () => T): T {
  const fd = native().lockFile(dir, exclusive);
  try {
    return fn();
  } finally {
    fs.closeSync(fd);
  }
}
