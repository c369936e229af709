/**
 * The shim server's process entry, dist/shim/server.js (what the launcher runs): runs the server's
 * bundle, dist/shim/bundle.js, compiled with V8's code cache when there is one. Most of a fresh shim's
 * time in Node goes to compiling: the bundle at load, then, lazily, every function its first Create,
 * Start and Delete call. A server that served and shut down cleanly leaves the code it compiled (all
 * of that) in the cache (src/shim/code-cache.ts), in cista's directory under /run (gone at reboot);
 * the next shims start from it. V8 refuses a cache from another V8 version or flags, and the bundle
 * is then compiled as without one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { runCommonJs } from '../engine/code-cache';
import { codeCacheFile, readCodeCache, writeCodeCache } from './code-cache';
import { CISTA_RUN_DIR } from './flags';

const BUNDLE = path.join(__dirname, 'bundle.js');

interface Server {
  main(argv: string[], saveCodeCache?: () => void): void;
}

const cacheFile = codeCacheFile(BUNDLE, CISTA_RUN_DIR);
const cachedData = readCodeCache(cacheFile);
const { script, exports: bundleExports } = runCommonJs(BUNDLE, fs.readFileSync(BUNDLE, 'utf8'), cachedData);
const server = bundleExports as Server;
const cached = cachedData !== undefined && !script.cachedDataRejected;
server.main(process.argv.slice(2), cached ? undefined : () => writeCodeCache(cacheFile, script.createCachedData()));
