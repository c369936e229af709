import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let bundle: string;
const ID = 'exec-target';

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('exec');
  bundle = scratch.bundle('target', ['sleep', '1000'], (c) => {
    c.process.env.push('FROM_CONFIG=yes');
    c.process.user.additionalGids = [10];
  });
  expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, ID]).code).toBe(0);
});
afterAll(() => {
  cista(scratch.root, ['delete', '--force', ID]);
  expect(leftovers(scratch.root, ID, bundle)).toEqual([]);
  scratch.cleanup();
});

function initPid(): number {
  return JSON.parse(cista(scratch.root, ['state', ID]).stdout).pid;
}

describe('exec', () => {
  it('runs a process in the container\'s namespaces and cgroup, with the config\'s process settings', () => {
    const namespaces = ['mnt', 'pid', 'uts', 'ipc', 'net'];
    const script = `echo $$ $FROM_CONFIG; id; hostname; for ns in ${namespaces.join(' ')}; do readlink /proc/self/ns/$ns; done; cat /proc/self/cgroup`;
    const r = cista(scratch.root, ['exec', ID, 'sh', '-c', script]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    // Not pid 1: in the container's pid namespace, the init is.
    expect(lines[0]).toMatch(/^\d+ yes$/);
    expect(lines[0]).not.toMatch(/^1 /);
    expect(lines[1]).toBe('uid=0(root) gid=0(root) groups=10');
    expect(lines[2]).toBe('cista');
    const pid = initPid();
    expect(lines.slice(3, 3 + namespaces.length)).toEqual(namespaces.map((ns) => fs.readlinkSync(`/proc/${pid}/ns/${ns}`)));
    expect(lines.slice(3 + namespaces.length)).toEqual(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').trim().split('\n'));
  });

  it('takes its command verbatim after the container id, and applies --env, --cwd, --user and --cap', () => {
    const r = cista(scratch.root, ['exec', '-e', 'FROM_CONFIG=overridden', '--env', 'OTHER=1', '--cwd', '/tmp', '-u', '1000:1000', '--cap', 'CAP_SYS_ADMIN', ID, 'sh', '-c', 'echo $FROM_CONFIG $OTHER; pwd; id -u; grep CapBnd /proc/self/status', '-x']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('overridden 1\n/tmp\n1000\nCapBnd:\t0000000020200420\n');
  });

  it('exits with the status of the process', () => {
    expect(cista(scratch.root, ['exec', ID, 'sh', '-c', 'exit 7']).code).toBe(7);
    expect(cista(scratch.root, ['exec', ID, 'sh', '-c', 'kill -TERM $$']).code).toBe(128 + 15);
  });

  it('reads the process from --process, detaches, and writes its host pid to --pid-file', () => {
    const processFile = path.join(scratch.dir, 'process.json');
    const marker = '/dev/shm/detached';
    fs.writeFileSync(processFile, JSON.stringify({ args: ['sh', '-c', `echo ran > ${marker}; sleep 1000`], cwd: '/', env: ['PATH=/bin'], user: { uid: 0, gid: 0 } }));
    const pidFile = path.join(scratch.dir, 'exec.pid');
    const r = cista(scratch.root, ['exec', '--process', processFile, '--detach', '--pid-file', pidFile, ID]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pid = Number(fs.readFileSync(pidFile, 'utf8'));
    // Detached, exec returns once the init is set up: its execve() of the process may still be under way.
    let cmdline = '';
    for (let i = 0; i < 100 && !cmdline.includes('sleep'); i++) {
      cmdline = fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8');
      if (!cmdline.includes('sleep')) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    }
    expect(cmdline).toContain('sleep');
    expect(fs.readlinkSync(`/proc/${pid}/ns/pid`)).toBe(fs.readlinkSync(`/proc/${initPid()}/ns/pid`));
    // It runs in the container's mount namespace: another exec sees what it wrote.
    let seen = '';
    for (let i = 0; i < 100 && seen === ''; i++) seen = cista(scratch.root, ['exec', ID, 'sh', '-c', `cat ${marker} 2>/dev/null || sleep 0.05`]).stdout;
    expect(seen).toBe('ran\n');
    // ps lists it with the container's processes.
    expect(JSON.parse(cista(scratch.root, ['ps', '--format', 'json', ID]).stdout)).toContain(pid);
  });

  it('reports errors in a --process file by file and JSON path, and a missing program like runc', () => {
    const processFile = path.join(scratch.dir, 'bad-process.json');
    fs.writeFileSync(processFile, JSON.stringify({ args: ['true'], cwd: 'relative' }));
    const bad = cista(scratch.root, ['exec', '--process', processFile, ID]);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toBe(`cista: ${processFile}: /cwd: must be an absolute path, not "relative"\n`);
    fs.writeFileSync(processFile, JSON.stringify({ args: ['echo', 'a\u0000b'], cwd: '/' }));
    const nul = cista(scratch.root, ['exec', '--process', processFile, ID]);
    expect(nul.code).not.toBe(0);
    expect(nul.stderr).toBe(`cista: ${processFile}: /args/1: must not contain a NUL byte (\\u0000): C strings end at it\n`);
    const missing = cista(scratch.root, ['exec', ID, '/nonexistent']);
    expect(missing.code).not.toBe(0);
    expect(missing.stderr).toMatch(/^cista: exec failed: exec: "\/nonexistent": stat \/nonexistent: no such file or directory\n$/);
  });

  it('gives the process a terminal with --tty in the foreground', () => {
    requireFile('/usr/bin/script', 'util-linux script gives cista a terminal to run under');
    const r = exec('/usr/bin/script', ['-qec', `${CISTA} --root ${scratch.root} exec -t ${ID} sh -c 'tty; [ -t 0 ] && echo stdin-is-a-tty'`, '/dev/null']);
    expect(r.stdout).toMatch(/\/dev\/pts\/\d+\r*$/m);
    expect(r.stdout).toMatch(/stdin-is-a-tty\r*$/m);
    expect(r.code).toBe(0);
  });

  it('joins a container\'s user namespace first, and runs as its mapped root', () => {
    // The mapped root (host uid 1000) must be able to reach the rootfs: mkdtemp made the scratch dir 0700.
    fs.chmodSync(scratch.dir, 0o755);
    const userns = scratch.bundle('userns', ['sleep', '1000'], (c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 2000 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 2000 }];
    });
    expect(cista(scratch.root, ['run', '-d', '--bundle', userns, 'exec-userns']).code).toBe(0);
    try {
      const r = cista(scratch.root, ['exec', 'exec-userns', 'sh', '-c', 'id -u; cat /proc/self/uid_map']);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')[0]).toBe('0');
      expect(r.stdout.split('\n')[1].trim().split(/\s+/)).toEqual(['0', '1000', '2000']);
    } finally {
      expect(cista(scratch.root, ['delete', '--force', 'exec-userns']).code).toBe(0);
    }
    expect(leftovers(scratch.root, 'exec-userns', userns)).toEqual([]);
  });

  it('refuses a stopped container and an unknown one', () => {
    const stopped = scratch.bundle('stopped', ['true']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', stopped, 'exec-stopped']).code).toBe(0);
    for (let i = 0; i < 100 && JSON.parse(cista(scratch.root, ['state', 'exec-stopped']).stdout).status !== 'stopped'; i++) exec('/bin/sleep', ['0.05']);
    expect(cista(scratch.root, ['exec', 'exec-stopped', 'true'])).toMatchObject({ code: 1, stderr: 'cista: cannot exec in a stopped container\n' });
    expect(cista(scratch.root, ['delete', 'exec-stopped']).code).toBe(0);
    expect(cista(scratch.root, ['exec', 'nope', 'true'])).toMatchObject({ code: 1, stderr: 'cista: container nope does not exist\n' });
  });
});
