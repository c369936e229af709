import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';

import { loadWithCodeCache, writeWithCodeCache } from '../../src/engine/code-cache';

const dirs: string[] = [];

function tempFile(name: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-code-cache-'));
  dirs.push(dir);
  return path.join(dir, name);
}

afterEach(() => {
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('files loaded with a V8 code cache', () => {
  it('run as require() runs them: exports, module, require, __filename and __dirname', () => {
    const file = tempFile('m.js');
    writeWithCodeCache(file, "exports.where = [__filename, __dirname]; module.exports.sep = require('node:path').sep;");
    expect(fs.existsSync(`${file}.v8cache`)).toBe(true);
    expect(loadWithCodeCache(file)).toEqual({ where: [file, path.dirname(file)], sep: '/' });
  });

  it('ignore a cache made from another build, even of the same length (V8 itself would run the old code)', () => {
    const file = tempFile('m.js');
    writeWithCodeCache(file, 'module.exports = 1;');
    const stale = fs.readFileSync(`${file}.v8cache`);
    writeWithCodeCache(file, 'module.exports = 2;');
    fs.writeFileSync(`${file}.v8cache`, stale);
    expect(loadWithCodeCache(file)).toBe(2);
  });

  it('run without a cache, or with one that is damaged', () => {
    const file = tempFile('m.js');
    writeWithCodeCache(file, 'module.exports = 3;');
    const cache = fs.readFileSync(`${file}.v8cache`);
    fs.writeFileSync(`${file}.v8cache`, Buffer.concat([cache.subarray(0, 17), Buffer.from('not a code cache')]));
    expect(loadWithCodeCache(file)).toBe(3);
    fs.rmSync(`${file}.v8cache`);
    expect(loadWithCodeCache(file)).toBe(3);
  });
});
