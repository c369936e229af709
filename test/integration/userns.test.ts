import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let counter = 0;

/** Container ids 0-1999 are host uids 1000-2999, gids 0-2999 host gids 1000-3999 (linux_uid_mappings' maps). */
function inUserNamespace(config: Config): void {
  config.linux.namespaces.push({ type: 'user' });
  config.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 2000 }];
  config.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 3000 }];
  config.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] });
}

function bundle(id: string, args: string[], edit: (c: Config) => void = () => {}): string {
  return scratch.bundle(id, args, (c) => {
    inUserNamespace(c);
    edit(c);
  });
}

/** Runs a script in a new container in a user namespace and returns its stdout. */
function inside(script: string, edit: (c: Config) => void = () => {}): string {
  const id = `userns${counter++}`;
  const r = cista(scratch.root, ['run', '--bundle', bundle(id, ['sh', '-c', script], edit), id]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

function hostStatusField(pid: number, field: string): string {
  const line = fs.readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith(`${field}:`));
  return (line ?? '').slice(field.length + 1).trim().split(/\s+/).join(' ');
}

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('userns');
  // As /tmp is: the container's root is host uid 1000, which must reach its bundle (the rootfs stays
  // owned by host root, and readable to others).
  fs.chmodSync(scratch.dir, 0o755);
});
afterAll(() => scratch.cleanup());

describe('a container in a new user namespace', () => {
  it('sees its mappings and is root inside', () => {
    expect(inside('cat /proc/self/uid_map /proc/self/gid_map; id -u; id -g').split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([
      '0 1000 2000',
      '0 1000 3000',
      '0',
      '0',
      '',
    ]);
  });

  it('is the mapped uid on the host, with its capabilities only inside', () => {
    const id = `userns${counter++}`;
    const dir = bundle(id, ['sleep', '60']);
    try {
      expect(cista(scratch.root, ['create', '--bundle', dir, id]).code).toBe(0);
      expect(cista(scratch.root, ['start', id]).code).toBe(0);
      const pid = JSON.parse(cista(scratch.root, ['state', id]).stdout).pid as number;
      expect(fs.readFileSync(`/proc/${pid}/comm`, 'utf8')).toBe('sleep\n');
      expect(hostStatusField(pid, 'Uid')).toBe('1000 1000 1000 1000');
      expect(hostStatusField(pid, 'Gid')).toBe('1000 1000 1000 1000');
      expect(fs.readlinkSync(`/proc/${pid}/ns/user`)).not.toBe(fs.readlinkSync('/proc/self/ns/user'));
      // The other namespaces of the clone belong to the new user namespace: it may mount in them.
      expect(fs.readlinkSync(`/proc/${pid}/ns/mnt`)).not.toBe(fs.readlinkSync('/proc/self/ns/mnt'));
    } finally {
      cista(scratch.root, ['delete', '-f', id]);
    }
    expect(leftovers(scratch.root, id, dir)).toEqual([]);
  });

  it('mounts proc, sysfs, mqueue, devpts and tmpfs, binds the devices and the cgroup hierarchies', () => {
    const out = inside(
      [
        'for m in /proc /sys /dev/mqueue /dev/pts /dev/shm /tmp /sys/fs/cgroup; do grep -q " $m " /proc/self/mounts && echo "$m mounted"; done',
        'echo data > /dev/null && head -c 2 /dev/zero | od -An -tx1',
        'echo hello > /tmp/file && stat -c "%u:%g %s" /tmp/file',
        'ls /sys/kernel >/dev/null && echo sys readable',
        'stat -c "%u" /bin/busybox',
      ].join('; '),
    );
    expect(out.split('\n')).toEqual([
      '/proc mounted',
      '/sys mounted',
      '/dev/mqueue mounted',
      '/dev/pts mounted',
      '/dev/shm mounted',
      '/tmp mounted',
      '/sys/fs/cgroup mounted',
      ' 00 00',
      '0:0 6',
      'sys readable',
      // Host root's files are nobody's here: nothing was chowned.
      '65534',
      '',
    ]);
  });

  it('binds the host /sys read-only without a network namespace of its own', () => {
    const out = inside('grep " /sys " /proc/self/mounts | cut -d" " -f4 | cut -d, -f1; ls /sys/kernel >/dev/null && echo sys readable', (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== 'network');
    });
    expect(out).toBe('ro\nsys readable\n');
  });

  it('gets its oom_score_adj from the runtime, which may lower it where the init could not', () => {
    // Lowering needs CAP_SYS_RESOURCE, which this host may not give: raising shows the path.
    expect(inside('cat /proc/self/oom_score_adj', (c) => (c.process.oomScoreAdj = 321))).toBe('321\n');
  });

  it('runs the process as a mapped uid and gid with mapped additional gids', () => {
    const out = inside('id', (c) => (c.process.user = { uid: 1999, gid: 2999, additionalGids: [5, 2000] }));
    expect(out).toBe('uid=1999 gid=2999 groups=5,2000\n');
  });
});

describe('a container joining the user namespace of another', () => {
  it('becomes root of that namespace and owns the namespaces it makes there', () => {
    const first = `userns${counter++}`;
    const firstDir = bundle(first, ['sleep', '60']);
    const second = `userns${counter++}`;
    try {
      expect(cista(scratch.root, ['create', '--bundle', firstDir, first]).code).toBe(0);
      expect(cista(scratch.root, ['start', first]).code).toBe(0);
      const pid = JSON.parse(cista(scratch.root, ['state', first]).stdout).pid as number;
      const userNs = fs.readlinkSync(`/proc/${pid}/ns/user`);
      const dir = scratch.bundle(second, ['sh', '-c', 'cat /proc/self/uid_map; id -u; readlink /proc/self/ns/user; pidof sleep; grep -c " /sys sysfs " /proc/self/mounts'], (c) => {
        c.linux.namespaces = c.linux.namespaces.map((ns: { type: string }) => (ns.type === 'pid' ? { type: 'pid', path: `/proc/${pid}/ns/pid` } : ns));
        c.linux.namespaces.push({ type: 'user', path: `/proc/${pid}/ns/user` });
      });
      const r = cista(scratch.root, ['run', '--bundle', dir, second]);
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['0 1000 2000', '0', userNs, '1', '1', '']);
    } finally {
      cista(scratch.root, ['delete', '-f', second]);
      cista(scratch.root, ['delete', '-f', first]);
    }
    expect(leftovers(scratch.root, first, firstDir)).toEqual([]);
  });
});

describe('a new pid namespace in a joined user namespace (a Kubernetes pod without a shared pid namespace)', () => {
  it('is owned by that user namespace, with the init as its pid 1, which cista waits for, kills and deletes', () => {
    const first = `userns${counter++}`;
    const firstDir = bundle(first, ['sleep', '60']);
    const second = `userns${counter++}`;
    try {
      expect(cista(scratch.root, ['run', '-d', '--bundle', firstDir, first]).code).toBe(0);
      const pid = JSON.parse(cista(scratch.root, ['state', first]).stdout).pid as number;
      const script = 'echo $$; cat /proc/self/uid_map; id -u; readlink /proc/self/ns/user; pidof sleep || echo no-sleep';
      const dir = scratch.bundle(second, ['sh', '-c', script], (c) => {
        c.linux.namespaces.push({ type: 'user', path: `/proc/${pid}/ns/user` });
        c.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] });
      });
      // In the foreground: cista waits for the init that the first one handed over to.
      const r = cista(scratch.root, ['run', '--bundle', dir, second]);
      expect(r.stderr).toBe('');
      expect(r.code).toBe(0);
      expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual([
        '1',
        '0 1000 2000',
        '0',
        fs.readlinkSync(`/proc/${pid}/ns/user`),
        // Its own pid namespace: the first container's sleep is not in it.
        'no-sleep',
        '',
      ]);

      // Detached: the pid cista records is the namespace's pid 1 on the host, its child.
      expect(cista(scratch.root, ['create', '--bundle', dir, second]).code).toBe(0);
      const init = JSON.parse(cista(scratch.root, ['state', second]).stdout).pid as number;
      expect(fs.readFileSync(`/proc/${init}/status`, 'utf8')).toMatch(/^NSpid:\s+\d+\s+1$/m);
      expect(fs.readlinkSync(`/proc/${init}/ns/user`)).toBe(fs.readlinkSync(`/proc/${pid}/ns/user`));
      expect(fs.readlinkSync(`/proc/${init}/ns/pid`)).not.toBe(fs.readlinkSync(`/proc/${pid}/ns/pid`));
    } finally {
      cista(scratch.root, ['delete', '-f', second]);
      cista(scratch.root, ['delete', '-f', first]);
    }
    expect(leftovers(scratch.root, second, firstDir)).toEqual([]);
    expect(leftovers(scratch.root, first, firstDir)).toEqual([]);
  });
});

describe('a new user namespace with a joined namespace', () => {
  it('is born in the joined namespace, and binds /sys since it cannot mount a sysfs for it', () => {
    const first = `userns${counter++}`;
    const firstDir = bundle(first, ['sleep', '60']);
    const second = `userns${counter++}`;
    try {
      expect(cista(scratch.root, ['create', '--bundle', firstDir, first]).code).toBe(0);
      const pid = JSON.parse(cista(scratch.root, ['state', first]).stdout).pid as number;
      const dir = bundle(second, ['sh', '-c', 'readlink /proc/self/ns/net; readlink /proc/self/ns/user; id -u; grep " /sys " /proc/self/mounts | cut -d" " -f4 | cut -d, -f1'], (c) => {
        c.linux.namespaces = c.linux.namespaces.map((ns: { type: string }) => (ns.type === 'network' ? { type: 'network', path: `/proc/${pid}/ns/net` } : ns));
      });
      const r = cista(scratch.root, ['run', '--bundle', dir, second]);
      expect(r.stderr).toBe('');
      const [net, user, uid, sys] = r.stdout.split('\n');
      expect(net).toBe(fs.readlinkSync(`/proc/${pid}/ns/net`));
      expect(user).not.toBe(fs.readlinkSync(`/proc/${pid}/ns/user`));
      expect(user).not.toBe(fs.readlinkSync('/proc/self/ns/user'));
      expect([uid, sys]).toEqual(['0', 'ro']);
    } finally {
      cista(scratch.root, ['delete', '-f', second]);
      cista(scratch.root, ['delete', '-f', first]);
    }
    expect(leftovers(scratch.root, first, firstDir)).toEqual([]);
  });
});

describe('a config in error', () => {
  it.each<[string, (c: Config) => void, string]>([
    ['mappings without a user namespace', (c) => (c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]), '/linux/uidMappings: needs a user namespace'],
    ['a new user namespace without mappings', (c) => c.linux.namespaces.push({ type: 'user' }), '/linux/uidMappings: is required when a new user namespace is created'],
    [
      'an unmapped process uid',
      (c) => {
        inUserNamespace(c);
        c.process.user = { uid: 2000, gid: 0 };
      },
      '/process/user/uid: 2000 is not mapped by /linux/uidMappings',
    ],
  ])('%s leaves nothing behind', (_, edit, message) => {
    const id = `userns${counter++}`;
    const dir = scratch.bundle(id, ['true'], edit);
    const r = cista(scratch.root, ['run', '--bundle', dir, id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toBe(`cista: config.json: ${message}\n`);
    expect(leftovers(scratch.root, id, dir)).toEqual([]);
  });

  it('a joined namespace of the wrong type fails at clone() and leaves nothing behind', () => {
    const id = `userns${counter++}`;
    const dir = bundle(id, ['true'], (c) => {
      c.linux.namespaces = c.linux.namespaces.map((ns: { type: string }) => (ns.type === 'network' ? { type: 'network', path: '/proc/self/ns/uts' } : ns));
    });
    const r = cista(scratch.root, ['run', '--bundle', dir, id]);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/^cista: starting the container init: joining namespace \/proc\/self\/ns\/uts: .*\n$/);
    expect(leftovers(scratch.root, id, dir)).toEqual([]);
  });
});
