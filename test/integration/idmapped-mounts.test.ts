/**
 * Idmapped mounts (mounts[].uidMappings/gidMappings, `idmap`, `ridmap`): the ownership a bind shows
 * inside the container against what the host's filesystem holds, both ways (files the host made,
 * files the container makes). Needs a filesystem that supports idmapped mounts under os.tmpdir()
 * (ext4 here; tmpfs since Linux 6.3).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let counter = 0;

const owner = (file: string) => {
  const st = fs.statSync(file);
  return `${st.uid}:${st.gid}`;
};

/** A fresh source directory holding a file owned by host 0:0 and one by host 1:1. */
function source(): string {
  const dir = path.join(scratch.dir, `source${counter}`);
  fs.mkdirSync(dir, { mode: 0o777 });
  fs.chmodSync(dir, 0o777);
  fs.writeFileSync(path.join(dir, 'by-root'), '');
  fs.writeFileSync(path.join(dir, 'by-one'), '');
  fs.chownSync(path.join(dir, 'by-one'), 1, 1);
  return dir;
}

/** Runs `script` in a new container edited by `edit`; returns the result of `cista run`. */
function run(script: string, edit: (c: Config) => void) {
  const id = `idmap${counter++}`;
  const dir = scratch.bundle(id, ['sh', '-c', script], edit);
  const r = cista(scratch.root, ['run', '--bundle', dir, id]);
  cista(scratch.root, ['delete', '-f', id]);
  expect(leftovers(scratch.root, id, dir)).toEqual([]);
  return r;
}

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('idmap');
  // The container's root is an unprivileged host uid in the user namespace cases: it must reach its bundle.
  fs.chmodSync(scratch.dir, 0o755);
});
afterAll(() => scratch.cleanup());

describe('idmapped mounts', () => {
  it('with the container user namespace\'s mapping (`idmap` alone): host root\'s files are root\'s inside, and the container\'s are host root\'s', () => {
    const src = source();
    const script = 'cd /tmp; stat -c "%u:%g" data/by-root data/by-one plain/by-root; touch data/made-inside; stat -c "%u:%g" data/made-inside';
    const r = run(script, (c) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      // The rootfs stays host root's: the mount points are made in a tmpfs of the container's.
      c.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] });
      c.mounts.push({ destination: '/tmp/data', type: 'bind', source: src, options: ['bind', 'idmap'] });
      // The same directory without idmap: host root is unmapped in the container, so "nobody".
      c.mounts.push({ destination: '/tmp/plain', type: 'bind', source: src, options: ['bind'] });
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout.split('\n')).toEqual(['0:0', '1:1', '65534:65534', '0:0', '']);
    // Seen from the host: the files keep their owners, and what the container's root made is host root's (not 100000).
    expect([owner(path.join(src, 'by-root')), owner(path.join(src, 'by-one')), owner(path.join(src, 'made-inside'))]).toEqual(['0:0', '1:1', '0:0']);
  });

  it('with mappings of its own and no user namespace: host ids are shifted as the mount says', () => {
    const src = source();
    const r = run('stat -c "%u:%g" /data/by-root /data/by-one; touch /data/made-inside; ls -ln /data', (c) => {
      c.mounts.push({
        destination: '/data',
        type: 'bind',
        source: src,
        options: ['rbind'],
        uidMappings: [{ containerID: 0, hostID: 2000, size: 10 }],
        gidMappings: [{ containerID: 0, hostID: 3000, size: 10 }],
      });
      c.process.user = { uid: 2005, gid: 3007 };
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const [byRoot, byOne] = r.stdout.split('\n');
    expect([byRoot, byOne]).toEqual(['2000:3000', '2001:3001']);
    // Made by container uid 2005: on the host's filesystem, 5.
    expect(r.stdout).toMatch(/-rw-r--r-- +1 2005 +3007 .* made-inside/);
    expect(owner(path.join(src, 'made-inside'))).toBe('5:7');
  });

  it('with a joined user namespace\'s mapping (`idmap` alone): the joined namespace itself maps the mount', () => {
    const src = source();
    const first = `idmap${counter++}`;
    const userns = (c: Config) => {
      c.linux.namespaces.push({ type: 'user' });
      c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
      c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    };
    const firstDir = scratch.bundle(first, ['sleep', '60'], userns);
    try {
      expect(cista(scratch.root, ['run', '-d', '--bundle', firstDir, first]).code).toBe(0);
      const pid = JSON.parse(cista(scratch.root, ['state', first]).stdout).pid as number;
      const r = run('cd /tmp; stat -c "%u:%g" data/by-root data/by-one; touch data/made-inside', (c) => {
        c.linux.namespaces.push({ type: 'user', path: `/proc/${pid}/ns/user` });
        c.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev'] });
        c.mounts.push({ destination: '/tmp/data', type: 'bind', source: src, options: ['rbind', 'idmap'] });
      });
      expect(r.stderr).toBe('');
      expect(r.stdout).toBe('0:0\n1:1\n');
      expect(owner(path.join(src, 'made-inside'))).toBe('0:0');
    } finally {
      cista(scratch.root, ['delete', '-f', first]);
    }
    expect(leftovers(scratch.root, first, firstDir)).toEqual([]);
  });

  it('idmaps the submounts of an rbind with `ridmap`, and only the top with `idmap`', () => {
    const src = source();
    const sub = path.join(src, 'sub');
    fs.mkdirSync(sub);
    // A tmpfs (idmappable since Linux 6.3) mounted below the source, holding a file of host root's.
    expect(exec('mount', ['-t', 'tmpfs', 'tmpfs', sub]).code).toBe(0);
    try {
      fs.writeFileSync(path.join(sub, 'in-submount'), '');
      const mapping = { uidMappings: [{ containerID: 0, hostID: 2000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 3000, size: 10 }] };
      const r = run('stat -c "%u:%g" /r/by-root /r/sub/in-submount /t/by-root /t/sub/in-submount', (c) => {
        c.mounts.push({ destination: '/r', type: 'bind', source: src, options: ['rbind', 'ridmap'], ...mapping });
        c.mounts.push({ destination: '/t', type: 'bind', source: src, options: ['rbind', 'idmap'], ...mapping });
      });
      expect(r.stderr).toBe('');
      expect(r.stdout.split('\n')).toEqual(['2000:3000', '2000:3000', '2000:3000', '0:0', '']);
    } finally {
      exec('umount', [sub]);
    }
  });

  it('fails the create in one line naming the mount when the filesystem cannot be idmapped', () => {
    const r = run('true', (c) => {
      c.mounts.push({
        destination: '/kernel',
        type: 'bind',
        source: '/sys/kernel',
        options: ['bind'],
        uidMappings: [{ containerID: 0, hostID: 2000, size: 10 }],
        gidMappings: [{ containerID: 0, hostID: 2000, size: 10 }],
      });
    });
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toMatch(/idmapping \/mounts\/\d+ \(\/kernel\): .*(does the filesystem of the source support idmapped mounts\?)/);
  });

  it('refuses idmap without mappings or a user namespace before touching the host', () => {
    const r = run('true', (c) => c.mounts.push({ destination: '/data', type: 'bind', source: scratch.dir, options: ['rbind', 'ridmap'] }));
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/config\.json: \/mounts\/\d+\/options\/1: "ridmap" without uidMappings and gidMappings takes the container's user namespace mappings, and there is no user namespace/);
  });
});
