/**
 * The in-container checker's JSON reader (test/checker/json.c), built with AddressSanitizer and
 * UndefinedBehaviorSanitizer into a small driver (test/checker/json-test.c): strict JSON, and no
 * read past the document's end on any input.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { REPO, exec } from '../../helpers/cli';
import { requireFile } from '../../helpers/prerequisites';

let dir: string;
let driver: string;

beforeAll(() => {
  requireFile('/usr/bin/gcc', 'gcc builds the checker');
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-json-'));
  driver = path.join(dir, 'json-test');
  const sources = ['json-test.c', 'json.c'].map((f) => path.join(REPO, 'test', 'checker', f));
  const built = exec('gcc', ['-std=c11', '-Wall', '-Wextra', '-Werror', '-g', '-fsanitize=address,undefined', '-fno-sanitize-recover=all', '-o', driver, ...sources]);
  expect(built.stderr).toBe('');
  expect(built.code).toBe(0);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

/** The driver's one line for `text`: the canonical tree, or "error: ...". */
function parse(text: string): string {
  const r = spawnSync(driver, [], { input: Buffer.from(text, 'utf8'), encoding: 'utf8' });
  // A sanitizer finding goes to stderr and makes the exit status non-zero.
  expect(r.stderr).toBe('');
  expect(r.status).toBe(0);
  return r.stdout.trimEnd();
}

describe('the checker reads JSON strictly', () => {
  it.each([
    ['{"a": [1, -2.5e3, 0, true, false, null], "b": {}}', '{"a":[1,-2500,0,true,false,null],"b":{}}'],
    ['"tab\\tquote\\"slash\\/back\\\\"', '"tab\tquote"slash/back\\"'],
    ['"\\u00e9\\u20ac\\ud83d\\ude00"', '"é€😀"'],
    ['  [ ]  ', '[]'],
  ])('reads %s', (text, expected) => {
    expect(parse(text)).toBe(expected);
  });

  it.each([
    ['a string that ends in a backslash', '"abc\\', 'unterminated string'],
    ['a backslash at the very end inside an object', '{"a": "\\', 'unterminated string'],
    ['an unterminated string', '"abc', 'unterminated string'],
    ['a short \\u escape at the end', '"\\u12', 'malformed \\u escape'],
    ['a lone low surrogate', '"\\udc00"', 'malformed \\u escape'],
    ['\\u0000, which a C string cannot hold', '"a\\u0000b"', '\\u0000 in a string'],
    ['an unknown escape', '"\\q"', 'unknown escape in a string'],
    ['a raw control character', '"a\nb"', 'control character in a string'],
    ['trueX', 'trueX', 'unexpected character'],
    ['nullify', '[nullify]', 'unexpected character'],
    ['tru', 'tru', 'unexpected character'],
    ['nan', 'nan', 'unexpected character'],
    ['inf', '[inf]', 'unexpected character'],
    ['a hex number', '0x10', 'trailing characters'],
    ['a leading plus', '+1', 'unexpected character'],
    ['a leading zero', '01', 'trailing characters'],
    ['a bare fraction', '1.', 'malformed number'],
    ['a bare exponent', '1e', 'malformed number'],
    ['a missing colon', '{"a" 1}', "expected ':'"],
    ['a missing comma', '[1 2]', "expected ',' or a closing bracket"],
    ['trailing text', '{} x', 'trailing characters'],
    ['an empty document', '', 'unexpected character'],
    ['deep nesting', '['.repeat(100000), 'nested too deeply'],
  ])('refuses %s', (_, text, error) => {
    expect(parse(text)).toBe(`error: ${error}`);
  });
});
