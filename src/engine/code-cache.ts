/**
 * The two large generated files a CLI call may load, the CLI bundle (dist/cli/cista.js, by
 * bin/cista) and the config validator (by create and run), loaded with the V8 code cache that the
 * build writes next to each (FILE.v8cache). Node 20's require() compiles such a file anew on every
 * call, about 3.5 ms of each `cista state` for the bundle and 2-5 ms of a create for the validator;
 * the cache saves most of it (see README, Start-up). Node 22's module.enableCompileCache() would
 * do this, but not on Node 20.
 *
 * A cache is written by the build only, never at run time: root and rootless callers read the same
 * file and nobody needs to be able to write it. It starts with the id of the file it was made from,
 * which that file's last line names too; a cache from another build is ignored, and V8 itself
 * refuses one from another Node (version or flags): the file is then compiled as if there were no
 * cache. The file is run as require() would run it (the same wrapper and arguments), but is not put
 * in require.cache: it must not use require.main or import(). runCommonJs is also how the shim's
 * entry runs the server's bundle, with the cache a previous shim wrote (src/shim/entry.ts).
 */
import * as fs from 'node:fs';
import { createRequire, wrap } from 'node:module';
import * as path from 'node:path';
import * as vm from 'node:vm';

/** A file's last line: `//# cista-build-id=<id>`; its cache starts with `<id>\n`. */
const ID_LINE = '\n//# cista-build-id=';
const ID_LENGTH = 16;

type Wrapper = (exports: unknown, require: NodeJS.Require, module: { exports: unknown }, filename: string, dirname: string) => void;

/**
 * Runs `source`, the text of the CommonJS `file`, compiled with `cachedData` if V8 accepts it (the
 * script says whether it did, and makes the cache for next time), and returns its exports.
 */
export function runCommonJs(file: string, source: string, cachedData: Buffer | undefined): { script: vm.Script; exports: unknown } {
  const script = new vm.Script(wrap(source), { filename: file, cachedData });
  const module = { exports: {} as unknown };
  (script.runInThisContext() as Wrapper).call(module.exports, module.exports, createRequire(file), module, file, path.dirname(file));
  return { script, exports: module.exports };
}

/** The build id a file's last line names; undefined if it has none. */
function idOf(source: string): string | undefined {
  const at = source.lastIndexOf(ID_LINE);
  return at === -1 ? undefined : source.slice(at + ID_LINE.length, at + ID_LINE.length + ID_LENGTH);
}

function readCache(file: string, source: string): Buffer | undefined {
  const id = idOf(source);
  if (id === undefined) return undefined;
  let data: Buffer;
  try {
    data = fs.readFileSync(`${file}.v8cache`);
  } catch {
    return undefined;
  }
  return data.toString('latin1', 0, ID_LENGTH + 1) === `${id}\n` ? data.subarray(ID_LENGTH + 1) : undefined;
}

/** Runs a CommonJS file written by writeWithCodeCache (with its cache when it is this build's) and returns its exports. */
export function loadWithCodeCache(file: string): unknown {
  const source = fs.readFileSync(file, 'utf8');
  return runCommonJs(file, source, readCache(file, source)).exports;
}

function buildId(code: string): string {
  // Required here, not imported: every CLI call loads this module and only the build needs crypto.
  const { createHash } = require('node:crypto') as typeof import('node:crypto');
  return createHash('sha256').update(code).digest('hex').slice(0, ID_LENGTH);
}

/** `code` as written to its file: with its build id as the last line. */
export function withBuildId(code: string): string {
  return `${code}${ID_LINE}${buildId(code)}\n`;
}

/**
 * Build time: writes `code` (CommonJS) to `file` with its build id, runs it, lets `warm` call what
 * every use calls (V8 caches the functions compiled so far), and writes the cache.
 */
export function writeWithCodeCache(file: string, code: string, warm: (exports: unknown) => void = () => {}): void {
  const source = withBuildId(code);
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, source);
  const { script, exports } = runCommonJs(file, source, undefined);
  warm(exports);
  fs.writeFileSync(`${file}.v8cache`, Buffer.concat([Buffer.from(`${idOf(source)}\n`, 'latin1'), script.createCachedData()]));
}
