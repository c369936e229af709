import * as fs from 'node:fs';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch, withoutMountNamespace } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let counter = 0;

/** Runs a shell script in a fresh container of the default config and returns its stdout. */
function inside(script: string, edit: (c: Config) => void = () => {}): string {
  const id = `iso${counter++}`;
  const bundle = scratch.bundle(id, ['sh', '-c', script], edit);
  const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('isolation');
});
afterAll(() => scratch.cleanup());

describe('what the default config looks like from inside', () => {
  it('is pid 1 in its own pid namespace', () => {
    expect(inside('echo $$; cat /proc/1/comm; ls /proc | grep -c "^[0-9]"')).toBe('1\nsh\n3\n');
  });

  it('has its own hostname', () => {
    expect(inside('hostname')).toBe('cista\n');
    expect(inside('hostname', (c) => (c.hostname = 'box7'))).toBe('box7\n');
    expect(os.hostname()).not.toBe('box7');
  });

  it('sees only its own mounts, with the default ones in place', () => {
    const mounts = inside('cat /proc/self/mounts');
    const targets = mounts.split('\n').filter(Boolean).map((l) => l.split(' ')[1]);
    expect(targets[0]).toBe('/');
    for (const m of ['/proc', '/dev', '/dev/pts', '/dev/shm', '/dev/mqueue', '/sys', '/sys/fs/cgroup']) expect(targets).toContain(m);
    expect(targets).not.toContain('/work');
    expect(mounts).toMatch(/^\S+ \/ \S+ ro[ ,]/m);
    expect(mounts).toMatch(/^sysfs \/sys sysfs ro[ ,]/m);
  });

  it('has the default devices and /dev links', () => {
    const out = inside('for d in null zero full random urandom tty; do stat -c "%n %t:%T %a" /dev/$d; done; for l in fd ptmx stdin; do readlink /dev/$l; done');
    expect(out).toBe(
      ['/dev/null 1:3 666', '/dev/zero 1:5 666', '/dev/full 1:7 666', '/dev/random 1:8 666', '/dev/urandom 1:9 666', '/dev/tty 5:0 666', '/proc/self/fd', 'pts/ptmx', '/proc/self/fd/0', ''].join('\n'),
    );
  });

  it('has exactly the configured capabilities', () => {
    const status = inside('grep ^Cap /proc/self/status');
    // CAP_AUDIT_WRITE (29), CAP_KILL (5), CAP_NET_BIND_SERVICE (10).
    expect(status).toBe('CapInh:\t0000000000000000\nCapPrm:\t0000000020000420\nCapEff:\t0000000020000420\nCapBnd:\t0000000020000420\nCapAmb:\t0000000000000000\n');
  });

  it('applies rlimits, no_new_privs, user and umask', () => {
    expect(inside('ulimit -n; ulimit -Hn')).toBe('1024\n1024\n');
    expect(inside('grep ^NoNewPrivs /proc/self/status')).toBe('NoNewPrivs:\t1\n');
    const user = (c: Config) => {
      c.process.user = { uid: 1000, gid: 1000, additionalGids: [20, 30], umask: 0o077 };
      c.root.readonly = false;
    };
    expect(inside('id -u; id -g; id -G; umask', user)).toBe('1000\n1000\n1000 20 30\n0077\n');
  });

  it('masks and write-protects the configured paths', () => {
    // Masked files read as /dev/null, masked directories as an empty tmpfs (this host has these four).
    const out = inside('wc -c < /proc/keys; wc -c < /proc/timer_list; ls /proc/acpi | wc -l; ls /sys/firmware | wc -l; (echo x > /proc/sys/kernel/domainname) 2>/dev/null && echo writable || echo readonly; touch /newfile 2>/dev/null && echo rootrw || echo rootro');
    expect(out).toBe('0\n0\n0\n0\nreadonly\nrootro\n');
  });

  it('applies namespaced sysctls and the OOM score', () => {
    const edit = (c: Config) => {
      c.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.shmmni': '1234' };
      c.process.oomScoreAdj = 123;
    };
    expect(inside('cat /proc/sys/net/ipv4/ip_forward /proc/sys/kernel/shmmni /proc/self/oom_score_adj', edit)).toBe('1\n1234\n123\n');
  });

  it('joins a namespace given by path', () => {
    const holder = scratch.bundle('holder', ['sleep', '1000'], (c) => (c.hostname = 'shared-uts'));
    expect(cista(scratch.root, ['run', '-d', '--bundle', holder, 'holder']).code).toBe(0);
    const pid = JSON.parse(cista(scratch.root, ['state', 'holder']).stdout).pid;
    const out = inside('hostname', (c) => {
      delete c.hostname;
      c.linux.namespaces = c.linux.namespaces.map((ns: { type: string }) => (ns.type === 'uts' ? { type: 'uts', path: `/proc/${pid}/ns/uts` } : ns));
    });
    expect(out).toBe('shared-uts\n');
    expect(cista(scratch.root, ['delete', '--force', 'holder']).code).toBe(0);
  });

  it('without a mount namespace of its own, mounts below root.path in the host table and removes them at delete', () => {
    const hostMounts = () => fs.readFileSync('/proc/self/mountinfo', 'utf8');
    const before = hostMounts();
    const out = inside('readlink /proc/self/ns/mnt; test -d /usr || echo in-rootfs; touch /x 2>/dev/null || echo ro; ls /dev/null /dev/shm', withoutMountNamespace);
    expect(out).toBe(`${fs.readlinkSync('/proc/self/ns/mnt')}\nin-rootfs\nro\n/dev/null\n\n/dev/shm:\n`);
    expect(hostMounts()).toBe(before);

    // While it exists its mounts are in the host's table, all below its rootfs; delete takes them all.
    const bundle = scratch.bundle('no-mount-ns', ['true'], withoutMountNamespace);
    expect(cista(scratch.root, ['create', '--bundle', bundle, 'no-mount-ns']).code).toBe(0);
    try {
      const added = hostMounts().split('\n').filter((line) => !before.includes(line));
      expect(added.length).toBeGreaterThanOrEqual(6);
      for (const line of added) expect(line.split(' ')[4].startsWith(fs.realpathSync(`${bundle}/rootfs`))).toBe(true);
    } finally {
      expect(cista(scratch.root, ['delete', '--force', 'no-mount-ns']).code).toBe(0);
    }
    expect(hostMounts()).toBe(before);
  });

  it('makes bind mounts, read-only when asked', () => {
    const hostDir = fs.mkdtempSync(`${scratch.dir}/hostdir-`);
    fs.writeFileSync(`${hostDir}/greeting`, 'hi\n');
    const out = inside('cat /mnt/data/greeting; touch /mnt/data/x 2>/dev/null && echo rw || echo ro; cat /mnt/file', (c) => {
      c.mounts.push({ destination: '/mnt/data', type: 'bind', source: hostDir, options: ['rbind', 'ro'] });
      c.mounts.push({ destination: '/mnt/file', type: 'bind', source: `${hostDir}/greeting`, options: ['bind'] });
    });
    expect(out).toBe('hi\nro\nhi\n');
  });
});
