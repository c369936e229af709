/**
 * The shim server's process entry, dist/shim/server.js (what the launcher runs): runs the server's
 * bundle, dist/shim/bundle.js, compiled with V8's code cache when there is one. Most of a fresh shim's
 * time in Node goes to compiling: the bundle at load, then, lazily, every function its first Create,
 * Start and Delete call. A server that served and shut down cleanly leaves the code it compiled (all
 * of that) in the cache; the next shims start from it. The cache is a file per build of the bundle
 * (named by its inode, size and mtime) in cista's directory under /run (gone at reboot); V8 itself
 * refuses a cache from another V8 version or flags, and the bundle is then compiled as without one.
 */
import * as fs from 'node:fs';
import { wrap } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

import { CISTA_RUN_DIR } from './flags';

const BUNDLE = path.join(__dirname, 'bundle.js');
const CACHE_PREFIX = 'shim-code-';

interface Server {
  main(argv: string[], saveCodeCache?: () => void): void;
}

function cacheFileOf(bundle: string): string {
  const { ino, size, mtimeMs } = fs.statSync(bundle);
  return path.join(CISTA_RUN_DIR, `${CACHE_PREFIX}${ino}-${size}-${Math.trunc(mtimeMs)}.v8cache`);
}

function readCache(file: string): Buffer | undefined {
  try {
    return fs.readFileSync(file);
  } catch {
    return undefined;
  }
}

/** Writes the cache (atomically: a rename) and removes those of other builds. A cache is optional: a failure is not the shim's. */
function writeCache(file: string, data: Buffer): void {
  const temporary = `${file}.${process.pid}`;
  try {
    // As the engine makes a state root (src/engine/state/store.ts).
    fs.mkdirSync(CISTA_RUN_DIR, { recursive: true, mode: 0o700 });
    fs.writeFileSync(temporary, data, { mode: 0o600 });
    fs.renameSync(temporary, file);
    for (const name of fs.readdirSync(CISTA_RUN_DIR)) {
      if (name.startsWith(CACHE_PREFIX) && name.endsWith('.v8cache') && path.join(CISTA_RUN_DIR, name) !== file) {
        fs.rmSync(path.join(CISTA_RUN_DIR, name), { force: true });
      }
    }
  } catch {
    // No cache this time: the next shim compiles and tries again.
    fs.rmSync(temporary, { force: true });
  }
}

const cacheFile = cacheFileOf(BUNDLE);
const cachedData = readCache(cacheFile);
const script = new vm.Script(wrap(fs.readFileSync(BUNDLE, 'utf8')), { filename: BUNDLE, cachedData });
const server = { exports: {} as Server };
(script.runInThisContext() as (...args: unknown[]) => void)(server.exports, require, server, BUNDLE, __dirname);
const cached = cachedData !== undefined && !script.cachedDataRejected;
server.exports.main(process.argv.slice(2), cached ? undefined : () => writeCache(cacheFile, script.createCachedData()));
