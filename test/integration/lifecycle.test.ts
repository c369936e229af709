import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let sleeper: string;

function state(id: string) {
  const r = cista(scratch.root, ['state', id]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return JSON.parse(r.stdout);
}

function waitForStatus(id: string, status: string): void {
  const deadline = Date.now() + 10_000;
  while (Date.now() < deadline) {
    if (state(id).status === status) return;
    Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
  }
  expect(state(id).status).toBe(status);
}

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('lifecycle');
  sleeper = scratch.bundle('sleeper', ['sleep', '1000']);
});

afterAll(() => {
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

describe('create, start, state, kill, delete', () => {
  it('moves through created, running and stopped, and delete removes everything', () => {
    const pidFile = path.join(scratch.dir, 'c1.pid');
    const created = cista(scratch.root, ['create', '--bundle', sleeper, '--pid-file', pidFile, 'c1']);
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const s = state('c1');
    expect(s).toMatchObject({ ociVersion: '1.0.2-dev', id: 'c1', status: 'created', bundle: sleeper, rootfs: path.join(sleeper, 'rootfs'), owner: 'root' });
    expect(fs.readFileSync(pidFile, 'utf8')).toBe(String(s.pid));
    expect(new Date(s.created).getTime()).toBeGreaterThan(Date.now() - 60_000);

    expect(cista(scratch.root, ['start', 'c1'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(state('c1')).toMatchObject({ status: 'running', pid: s.pid });
    // The init is the container's process itself: nothing of Node or of the helper is left.
    expect(fs.readFileSync(`/proc/${s.pid}/cmdline`, 'utf8')).toBe('sleep\u00001000\u0000');
    expect(fs.readlinkSync(`/proc/${s.pid}/exe`)).toBe('/bin/busybox');
    expect(fs.readdirSync(`/proc/${s.pid}/fd`).sort()).toEqual(['0', '1', '2']);

    const again = cista(scratch.root, ['start', 'c1']);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/already running/);

    const refused = cista(scratch.root, ['delete', 'c1']);
    expect(refused.code).toBe(1);
    expect(refused.stderr).toMatch(/not stopped: running/);

    expect(cista(scratch.root, ['kill', 'c1', 'KILL'])).toMatchObject({ code: 0, stderr: '' });
    waitForStatus('c1', 'stopped');
    expect(state('c1').pid).toBe(0);
    const gone = cista(scratch.root, ['kill', 'c1', 'TERM']);
    expect(gone.code).toBe(1);
    expect(gone.stderr).toMatch(/container not running/);

    expect(cista(scratch.root, ['delete', 'c1'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(leftovers(scratch.root, 'c1', sleeper)).toEqual([]);
    expect(cista(scratch.root, ['state', 'c1']).code).toBe(1);
  });

  // SIGKILL in every spelling: the container's pid 1 gets no signal it has no handler for but KILL and STOP.
  it('accepts signals as names with or without SIG and as numbers', () => {
    for (const [i, signal] of ['SIGKILL', '9', 'KILL'].entries()) {
      const id = `sig${i}`;
      expect(cista(scratch.root, ['create', '--bundle', sleeper, id]).code).toBe(0);
      expect(cista(scratch.root, ['start', id]).code).toBe(0);
      expect(cista(scratch.root, ['kill', id, signal])).toMatchObject({ code: 0, stderr: '' });
      waitForStatus(id, 'stopped');
      expect(cista(scratch.root, ['delete', id]).code).toBe(0);
    }
    expect(cista(scratch.root, ['create', '--bundle', sleeper, 'sigbad']).code).toBe(0);
    const bad = cista(scratch.root, ['kill', 'sigbad', 'NOTASIGNAL']);
    expect(bad.code).toBe(1);
    expect(bad.stderr).toMatch(/unknown signal/i);
    expect(state('sigbad').status).toBe('created');
    expect(cista(scratch.root, ['delete', '--force', 'sigbad']).code).toBe(0);
  });

  it('ps lists every process of the container; kill --all reaches them all', () => {
    const bundle = scratch.bundle('family', ['sh', '-c', 'sleep 1000 & sleep 1000 & wait']);
    expect(cista(scratch.root, ['run', '--detach', '--bundle', bundle, 'fam']).code).toBe(0);
    let pids: number[] = [];
    for (let i = 0; i < 100 && pids.length < 3; i++) {
      pids = JSON.parse(cista(scratch.root, ['ps', '--format', 'json', 'fam']).stdout);
      if (pids.length < 3) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    expect(pids).toHaveLength(3);
    expect(pids).toContain(state('fam').pid);
    expect(cista(scratch.root, ['ps', 'fam']).stdout).toMatch(/^PID\tCMD\n(\d+\t(sh -c .*|sleep 1000)\n){3}$/);
    expect(cista(scratch.root, ['kill', '--all', 'fam', 'KILL']).code).toBe(0);
    waitForStatus('fam', 'stopped');
    expect(cista(scratch.root, ['delete', 'fam']).code).toBe(0);
    expect(leftovers(scratch.root, 'fam', bundle)).toEqual([]);
  });

  it('delete --force removes a created or running container, and succeeds for one that does not exist', () => {
    expect(cista(scratch.root, ['create', '--bundle', sleeper, 'f1']).code).toBe(0);
    expect(cista(scratch.root, ['delete', '--force', 'f1'])).toMatchObject({ code: 0, stderr: '' });
    expect(leftovers(scratch.root, 'f1', sleeper)).toEqual([]);
    expect(cista(scratch.root, ['run', '-d', '--bundle', sleeper, 'f2']).code).toBe(0);
    expect(cista(scratch.root, ['delete', '--force', 'f2'])).toMatchObject({ code: 0, stderr: '' });
    expect(leftovers(scratch.root, 'f2', sleeper)).toEqual([]);
    expect(cista(scratch.root, ['delete', '--force', 'never-existed'])).toMatchObject({ code: 0, stdout: '', stderr: '' });
  });

  it('lists containers as a table, as JSON and quietly', () => {
    const root = `${scratch.root}-list`;
    expect(cista(root, ['list']).stdout).toBe('ID   PID   STATUS   BUNDLE   CREATED   OWNER\n');
    expect(cista(root, ['list', '--format', 'json']).stdout).toBe('[]\n');
    expect(cista(root, ['create', '--bundle', sleeper, 'l1']).code).toBe(0);
    const table = cista(root, ['list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^ID\s+PID\s+STATUS\s+BUNDLE\s+CREATED\s+OWNER$/);
    expect(table.stdout).toMatch(/^l1\s+\d+\s+created\s+/m);
    const json = JSON.parse(cista(root, ['list', '--format', 'json']).stdout);
    expect(json).toEqual([expect.objectContaining({ id: 'l1', status: 'created' })]);
    expect(cista(root, ['list', '--format=json']).stdout).toBe(cista(root, ['list', '--format', 'json']).stdout);
    expect(cista(root, ['list', '-q']).stdout).toBe('l1\n');
    expect(cista(root, ['delete', '--force', 'l1']).code).toBe(0);
  });

  it('run in the foreground passes stdio through and exits with the container\'s status', () => {
    const bundle = scratch.bundle('exit3', ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    const r = cista(scratch.root, ['run', '--bundle', bundle, 'r1']);
    expect(r).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' });
    expect(leftovers(scratch.root, 'r1', bundle)).toEqual([]);
  });

  it('create keeps the caller\'s leaked fds out of the container and passes --preserve-fds ones', () => {
    const bundle = scratch.bundle('fds', ['ls', '/proc/self/fd']);
    // fd 3 and 4 are open in cista; only fd 3 is asked to be preserved.
    const leak = fs.openSync('/dev/null', 'r');
    const keep = fs.openSync('/dev/null', 'r');
    const stdio = ['pipe', 'pipe', 'pipe', leak, keep] as const;
    const without = cista(scratch.root, ['run', '--bundle', bundle, 'fd1'], { stdio: [...stdio] });
    expect(without.stdout.split('\n').filter(Boolean).sort()).toEqual(['0', '1', '2', '3']);
    const withOne = cista(scratch.root, ['run', '--preserve-fds', '1', '--bundle', bundle, 'fd2'], { stdio: [...stdio] });
    expect(withOne.stdout.split('\n').filter(Boolean).sort()).toEqual(['0', '1', '2', '3', '4']);
    fs.closeSync(leak);
    fs.closeSync(keep);
  });
});
