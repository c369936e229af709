import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as vm from 'node:vm';

import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { codeCacheFile, readCodeCache, writeCodeCache } from '../../../src/shim/code-cache';

describe("the shim's code cache", () => {
  let dir: string;
  let bundle: string;
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-code-cache-'));
    bundle = path.join(dir, 'bundle.js');
    fs.writeFileSync(bundle, 'module.exports = function twice(x) { return 2 * x; };\n');
  });
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('is one file per build of the bundle: a rewritten bundle names another', () => {
    const cacheDir = path.join(dir, 'run');
    const first = codeCacheFile(bundle, cacheDir);
    expect(path.dirname(first)).toBe(cacheDir);
    expect(codeCacheFile(bundle, cacheDir)).toBe(first);
    fs.writeFileSync(bundle, 'module.exports = function thrice(x) { return 3 * x; };\n');
    fs.utimesSync(bundle, new Date(), new Date(Date.now() + 5000));
    expect(codeCacheFile(bundle, cacheDir)).not.toBe(first);
  });

  it('writes what V8 then accepts, makes its directory, and removes the caches of other builds', () => {
    const cacheDir = path.join(dir, 'run');
    const source = fs.readFileSync(bundle, 'utf8');
    const old = path.join(cacheDir, 'shim-code-1-2-3.v8cache');
    const unrelated = path.join(cacheDir, 'cista-test');
    fs.mkdirSync(unrelated, { recursive: true });
    fs.writeFileSync(old, 'stale');
    const file = codeCacheFile(bundle, cacheDir);
    expect(readCodeCache(file)).toBeUndefined();
    writeCodeCache(file, new vm.Script(source).createCachedData());
    expect(new vm.Script(source, { cachedData: readCodeCache(file) }).cachedDataRejected).toBe(false);
    expect(fs.readdirSync(cacheDir).sort()).toEqual(['cista-test', path.basename(file)]);
  });

  it('leaves nothing behind when it cannot write', () => {
    const blocked = path.join(dir, 'not-a-directory');
    fs.writeFileSync(blocked, '');
    const file = path.join(blocked, 'shim-code-1-2-3.v8cache');
    expect(() => writeCodeCache(file, Buffer.from('x'))).not.toThrow();
    expect(fs.readdirSync(dir).sort()).toEqual(['bundle.js', 'not-a-directory']);
  });
});
