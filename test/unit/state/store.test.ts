import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { realFiles } from '../../../src/engine/host/real-lookup';
import { JOURNAL_FILE, appendJournal, readJournal } from '../../../src/engine/state/journal';
import { type ContainerRecord, DamagedStateError, MAX_ID_LENGTH, readRecord, validateContainerId, writeRecord } from '../../../src/engine/state/store';

let dir: string;

beforeEach(() => {
  dir = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'cista-store-')), 'c1');
  fs.mkdirSync(dir);
});
afterEach(() => fs.rmSync(path.dirname(dir), { recursive: true, force: true }));

const record: ContainerRecord = {
  ociVersion: '1.3.0',
  id: 'c1',
  phase: 'created',
  init: { pid: 10, startTime: 20 },
  creator: { pid: 11, startTime: 21 },
  bundle: '/b',
  rootfs: '/b/rootfs',
  created: '2026-12-01T00:00:00.000Z',
  owner: 'root',
  annotations: {},
  cgroup: { driver: 'v1', layout: 'v1', paths: { devices: '/sys/fs/cgroup/devices/c1' }, created: ['/sys/fs/cgroup/devices/c1'] },
  exec: { process: { cwd: '/', rlimits: [{ type: 'RLIMIT_CORE', soft: 18446744073709551615n, hard: 18446744073709551615n }] }, seccomp: null, sessionKeyring: null },
};

describe('readRecord', () => {
  it('reads back what writeRecord wrote, 64-bit values exact', () => {
    writeRecord(realFiles, dir, record);
    expect(readRecord(realFiles, dir)).toStrictEqual(record);
  });

  it('is undefined without a state.json', () => {
    expect(readRecord(realFiles, dir)).toBeUndefined();
  });

  it.each<[string, (file: string) => void, string]>([
    ['truncated', (file) => fs.writeFileSync(file, '{"ociVersion":"1.3'), 'is not valid JSON: unterminated string at line 1, column 19'],
    ['garbage', (file) => fs.writeFileSync(file, 'garbage'), 'is not valid JSON: unexpected "g" at line 1, column 1'],
    ['not an object', (file) => fs.writeFileSync(file, '[1]'), 'is not a JSON object'],
    ['{}', (file) => fs.writeFileSync(file, '{}'), 'lacks a valid "ociVersion"'],
    ['without init', (file) => fs.writeFileSync(file, JSON.stringify({ ...record, exec: {}, init: { pid: 'x' } }, (_, v) => (typeof v === 'bigint' ? 0 : v))), 'lacks a valid "init"'],
    ['a directory', (file) => fs.mkdirSync(file), 'is a directory, not a file'],
  ])('names the file and what is wrong when it is %s', (_kind, damage, problem) => {
    const file = path.join(dir, 'state.json');
    damage(file);
    expect(() => readRecord(realFiles, dir)).toThrow(DamagedStateError);
    expect(() => readRecord(realFiles, dir)).toThrow(`container c1: ${file} ${problem} (cista delete --force c1 removes the container)`);
  });
});

describe('the journal', () => {
  it('merges its entries in order, later ones winning', () => {
    appendJournal(realFiles, dir, { creator: record.creator, cgroup: { driver: 'v2', layout: 'v2', paths: { '': '/a/b' }, created: ['/a', '/a/b'] } });
    appendJournal(realFiles, dir, { cgroup: { driver: 'v2', layout: 'v2', paths: { '': '/a/b' }, created: ['/a/b'] } });
    appendJournal(realFiles, dir, { init: record.init });
    expect(readJournal(realFiles, dir)).toEqual({ creator: record.creator, cgroup: { driver: 'v2', layout: 'v2', paths: { '': '/a/b' }, created: ['/a/b'] }, init: record.init });
  });

  it('skips a torn last line and damaged lines', () => {
    appendJournal(realFiles, dir, { init: record.init });
    fs.appendFileSync(path.join(dir, JOURNAL_FILE), 'garbage\n{"cgroup":{"driver":"v1","pa');
    expect(readJournal(realFiles, dir)).toEqual({ init: record.init });
  });

  it('is empty when there is none', () => {
    expect(readJournal(realFiles, dir)).toEqual({});
  });
});

describe('container ids', () => {
  it(`allows ${MAX_ID_LENGTH} characters, the longest file name`, () => {
    expect(() => validateContainerId('a'.repeat(MAX_ID_LENGTH))).not.toThrow();
    expect(() => validateContainerId('a'.repeat(MAX_ID_LENGTH + 1))).toThrow(`invalid container id: ${MAX_ID_LENGTH + 1} characters, at most ${MAX_ID_LENGTH}`);
  });

  it('quotes an id with a newline so the error stays one line', () => {
    expect(() => validateContainerId('a\nb')).toThrow('invalid container id "a\\nb": use letters, digits and _ + - . (not starting with .)');
  });
});
