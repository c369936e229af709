import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch, editConfig } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let good: string;
let counter = 0;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('bad-input');
  good = scratch.bundle('good', ['sleep', '1000']);
});
afterAll(() => {
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

/** Creates from a broken bundle: one clear line on stderr, exit 1, one JSON log line, nothing left. */
function expectRefused(bundle: string, message: RegExp, id = `bad${counter++}`): void {
  const log = path.join(scratch.dir, `${id}.log`);
  const r = cista(scratch.root, ['--log', log, '--log-format', 'json', 'create', '--bundle', bundle, id]);
  expect(r.code).toBe(1);
  expect(r.stdout).toBe('');
  const lines = r.stderr.split('\n').filter(Boolean);
  expect(lines).toHaveLength(1);
  expect(lines[0]).toMatch(message);
  expect(lines[0]).not.toMatch(/\bat .*\.js:\d+/);
  const logLines = fs.readFileSync(log, 'utf8').split('\n').filter(Boolean);
  expect(logLines).toHaveLength(1);
  expect(JSON.parse(logLines[0])).toEqual({ level: 'error', msg: expect.stringMatching(message), time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/) });
  expect(leftovers(scratch.root, id, bundle)).toEqual([]);
}

function brokenBundle(edit: (c: Config) => void): string {
  const bundle = scratch.bundle(`broken${counter++}`, ['true']);
  editConfig(bundle, edit);
  return bundle;
}

describe('bad input is refused cleanly', () => {
  it('malformed JSON', () => {
    const bundle = scratch.bundle(`json${counter++}`, ['true']);
    fs.writeFileSync(path.join(bundle, 'config.json'), '{"ociVersion": "1.0.2",');
    expectRefused(bundle, /config\.json: invalid JSON/);
  });

  it('a schema violation names the JSON path and the expectation', () => {
    const bundle = brokenBundle((c) => (c.linux.namespaces[2].type = 'bogus'));
    expectRefused(bundle, /config\.json: \/linux\/namespaces\/2\/type: must be one of pid, network, mount, ipc, uts, user, cgroup, time/);
  });

  it('a relative cwd', () => {
    expectRefused(brokenBundle((c) => (c.process.cwd = 'relative')), /config\.json: \/process\/cwd: .*absolute/);
  });

  it('a field cista does not implement yet', () => {
    expectRefused(brokenBundle((c) => (c.windows = { layerFolders: [] })), /config\.json: \/windows: not supported yet/);
  });

  it('a NUL byte in any string, which a C string would cut short', () => {
    expectRefused(brokenBundle((c) => (c.process.env = ['PATH=/bin', 'A=b\u0000c'])), /config\.json: \/process\/env\/1: must not contain a NUL byte/);
    expectRefused(brokenBundle((c) => (c.hostname = 'a\u0000')), /config\.json: \/hostname: must not contain a NUL byte/);
  });

  it('a remount, which the init cannot do, before anything is touched', () => {
    expectRefused(brokenBundle((c) => (c.mounts[1].options = ['nosuid', 'remount'])), /config\.json: \/mounts\/1\/options\/1: "remount" not supported yet/);
  });

  it('a missing rootfs', () => {
    expectRefused(brokenBundle((c) => (c.root.path = 'no-such-rootfs')), /rootfs .*no-such-rootfs/);
  });

  it.each([['/'], ['../../../../../../../..']])('a rootfs that is a symlink to %s, like runc', (target) => {
    const bundle = brokenBundle((c) => (c.root.path = 'rootlink'));
    fs.symlinkSync(target, path.join(bundle, 'rootlink'));
    expectRefused(bundle, /config\.json: \/root\/path: invalid rootfs .*\/rootlink: .*\/rootlink is a symlink/);
  });

  it('a rootfs reached through a symlinked directory in the bundle', () => {
    const bundle = brokenBundle((c) => (c.root.path = 'via/rootfs'));
    fs.symlinkSync('/', path.join(bundle, 'via'));
    expectRefused(bundle, /config\.json: \/root\/path: invalid rootfs .*\/via\/rootfs: .*\/via is a symlink/);
  });

  it('a missing executable fails at create, like runc', () => {
    expectRefused(brokenBundle((c) => (c.process.args = ['/no/such/binary'])), /\/no\/such\/binary.*no such file or directory/i);
  });

  it('a missing bundle', () => {
    expectRefused(path.join(scratch.dir, 'nowhere'), /config\.json/);
  });

  it('invalid container ids', () => {
    for (const id of ['../escape', 'a/b', '.hidden', 'x'.repeat(256)]) {
      const r = cista(scratch.root, ['create', '--bundle', good, id]);
      expect(r.code).toBe(1);
      expect(r.stderr).toMatch(/invalid container id/);
    }
    expect(fs.existsSync(path.join(scratch.dir, 'escape'))).toBe(false);
  });

  it('a duplicate id leaves the first container alone', () => {
    expect(cista(scratch.root, ['create', '--bundle', good, 'dup']).code).toBe(0);
    const r = cista(scratch.root, ['create', '--bundle', good, 'dup']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/container with id exists: dup/);
    expect(JSON.parse(cista(scratch.root, ['state', 'dup']).stdout).status).toBe('created');
    expect(cista(scratch.root, ['delete', '--force', 'dup']).code).toBe(0);
  });

  it('unknown ids', () => {
    for (const args of [['state', 'nope'], ['start', 'nope'], ['kill', 'nope'], ['delete', 'nope']]) {
      const r = cista(scratch.root, args);
      expect(r.code).toBe(1);
      expect(r.stderr).toBe('cista: container nope does not exist\n');
    }
  });

  it('unknown flags and missing arguments', () => {
    expect(cista(scratch.root, ['create', '--no-such-flag', 'x']).code).toBe(1);
    expect(cista(scratch.root, ['start']).code).toBe(1);
  });
});

/** Tens of thousands of mounts: a plan larger than the default socket buffer, or than the init accepts. */
function manyMounts(count: number): (c: Config) => void {
  return (c) => {
    c.root.readonly = false;
    for (let i = 0; i < count; i++) c.mounts.push({ destination: `/tmp/many/m${i}`, type: 'tmpfs', source: 'tmpfs', options: ['size=4k'] });
  };
}

/**
 * Mistakes in what the user passes: each gets one line naming the flag or the JSON path (and the
 * limit where there is one), exit 1, no "internal error", and nothing left behind.
 */
describe('user input errors are one line, never "internal error"', () => {
  const fileAsRoot = () => {
    const file = path.join(scratch.dir, 'not-a-directory');
    fs.writeFileSync(file, '');
    return file;
  };
  const cases: ReadonlyArray<[name: string, args: () => string[], message: RegExp, root?: () => string]> = [
    ['an id of 256 characters', () => ['create', '--bundle', good, 'i'.repeat(256)], /^invalid container id: 256 characters, at most 255$/],
    ['an id of 1024 characters (state)', () => ['state', 'i'.repeat(1024)], /^invalid container id: 1024 characters, at most 255$/],
    ['an id with a newline (create)', () => ['create', '--bundle', good, 'a\nb'], /^invalid container id "a\\nb": use letters/],
    ['an id with a newline (delete --force)', () => ['delete', '--force', 'a\nb'], /^invalid container id "a\\nb": use letters/],
    ['--pid-file in a missing directory', () => ['create', '--bundle', good, '--pid-file', path.join(scratch.dir, 'missing', 'pid'), 'pidfile'], /^--pid-file .*\/missing\/pid: the directory .*\/missing does not exist$/],
    ['--preserve-fds 100000', () => ['create', '--bundle', good, '--preserve-fds', '100000', 'fds'], /^--preserve-fds 100000: at most \d+ \(fds 3 to \d+, below the open-files limit \d+\)$/],
    // A negative number after a flag is its value (no flag looks like one), as runc reads it.
    ['--preserve-fds -1', () => ['create', '--bundle', good, '--preserve-fds', '-1', 'fds'], /^--preserve-fds must be a number, not "-1"$/],
    ['--preserve-fds=-1', () => ['create', '--bundle', good, '--preserve-fds=-1', 'fds'], /^--preserve-fds must be a number, not "-1"$/],
    ['exec --preserve-fds 100000', () => ['exec', '--preserve-fds', '100000', 'none', 'true'], /^--preserve-fds 100000: at most \d+/],
    ['--root naming a file (create)', () => ['create', '--bundle', good, 'rootfile'], /^--root .*not-a-directory: not a directory$/, fileAsRoot],
    ['--root naming a file (list)', () => ['list'], /^--root .*not-a-directory: not a directory$/, fileAsRoot],
    ['100000 mounts', () => ['create', '--bundle', brokenBundle(manyMounts(100000)), 'mounts'], /^config\.json: the launch plan is \d+ bytes, more than the init accepts \(4194304 bytes\): 1000\d\d mounts/],
  ];

  it.each(cases)('%s', (_name, args, message, root = () => scratch.root) => {
    const r = cista(root(), args());
    expect(r.code).toBe(1);
    expect(r.stderr).not.toMatch(/internal error/);
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).toHaveLength(1);
    expect(lines[0].replace(/^cista: /, '')).toMatch(message);
    for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) expect(id).toBe('never');
  });

  it('a plan larger than the socket buffer goes through (6000 mounts)', () => {
    const bundle = brokenBundle(manyMounts(6000));
    editConfig(bundle, (c) => (c.process.args = ['sh', '-c', 'grep -c " /tmp/many/" /proc/self/mountinfo']));
    const r = cista(scratch.root, ['run', '--bundle', bundle, 'many-mounts']);
    expect(r).toMatchObject({ code: 0, stdout: '6000\n', stderr: '' });
    expect(leftovers(scratch.root, 'many-mounts', bundle)).toEqual([]);
  });

  it('an id of 255 characters works', () => {
    const id = 'l'.repeat(255);
    expect(cista(scratch.root, ['create', '--bundle', good, id])).toMatchObject({ code: 0, stderr: '' });
    expect(JSON.parse(cista(scratch.root, ['state', id]).stdout).status).toBe('created');
    expect(cista(scratch.root, ['delete', '--force', id]).code).toBe(0);
    expect(leftovers(scratch.root, id, good)).toEqual([]);
  });
});
