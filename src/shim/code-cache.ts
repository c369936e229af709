import * as fs from 'node:fs';
import * as path from 'node:path';

const PREFIX = 'shim-code-';
const SUFFIX = '.v8cache';

/**
 * The code cache's file for this build of the bundle, in `dir`: named by the bundle's inode, size and
 * mtime, so that a rebuilt bundle never meets the cache of another (V8 checks only its source's
 * length, its own version and its flags).
 */
export function codeCacheFile(bundle: string, dir: string): string {
  const { ino, size, mtimeMs } = fs.statSync(bundle);
  return path.join(dir, `${PREFIX}${ino}-${size}-${Math.trunc(mtimeMs)}${SUFFIX}`);
}

export function readCodeCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/**
 * Writes the cache (atomically: a rename) and removes the other builds' caches in its directory. A
 * cache is optional: a failure is not the shim's, the next shim compiles and tries again.
 */
export function writeCodeCache(file: string, data: Buffer): void {
  const dir = path.dirname(file);
  const temporary = `${file}.${process.pid}`;
  try {
    // As the engine makes a state root (src/engine/state/store.ts).
    fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, data, { mode: 0o600 });
    fs.renameSync(temporary, file);
    for (const name of fs.readdirSync(dir)) {
      if (name.startsWith(PREFIX) && name.endsWith(SUFFIX) && path.join(dir, name) !== file) fs.rmSync(path.join(dir, name), { force: true });
    }
  } catch {
    try {
      fs.unlinkSync(temporary);
    } catch {
      // Never written.
    }
  }
}
