// Runtime calls podman 4.3 makes (see /work/shared/CLI-SURFACE.md), reproduced without podman.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('podman');
});
afterAll(() => scratch.cleanup());

describe('tmpcopyup (podman --tmpfs, and --read-only for /tmp, /var/tmp and /run)', () => {
  /** A bundle whose /data holds a file, a setuid file of uid 1000, a subdirectory and symlinks. */
  function bundleWithData(id: string, script: string, options: string[]): string {
    const bundle = scratch.bundle(id, ['sh', '-c', script], (c: Config) => {
      c.root.readonly = true;
      // What podman writes for `--tmpfs /data` and for /tmp under --read-only.
      c.mounts.push({ destination: '/data', type: 'tmpfs', source: 'tmpfs', options });
    });
    const data = path.join(bundle, 'rootfs', 'data');
    fs.mkdirSync(path.join(data, 'sub'), { recursive: true, mode: 0o750 });
    fs.chmodSync(path.join(data, 'sub'), 0o750);
    fs.writeFileSync(path.join(data, 'sub', 'file'), 'from the image\n');
    fs.writeFileSync(path.join(data, 'setuid'), 'x');
    fs.chownSync(path.join(data, 'setuid'), 1000, 1000);
    fs.chmodSync(path.join(data, 'setuid'), 0o4750);
    fs.symlinkSync('sub/file', path.join(data, 'link'));
    fs.symlinkSync('/etc/passwd', path.join(data, 'abs'));
    return bundle;
  }
  const listing = 'cd /data && stat -c "%n %u %a %F" sub sub/file setuid link abs; readlink abs; cat link; touch new && echo writable';

  it('starts the tmpfs with a copy of the directory it covers', () => {
    const bundle = bundleWithData('copyup', listing, ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup']);
    const r = cista(scratch.root, ['run', '--bundle', bundle, 'copyup']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toBe(
      [
        'sub 0 750 directory',
        'sub/file 0 644 regular file',
        'setuid 1000 4750 regular file',
        'link 0 777 symbolic link',
        'abs 0 777 symbolic link',
        '/etc/passwd',
        'from the image',
        'writable',
        '',
      ].join('\n'),
    );
    // The copy went into the tmpfs: the image's directory is unchanged.
    expect(fs.existsSync(path.join(bundle, 'rootfs', 'data', 'new'))).toBe(false);
  });

  it('without the option, the tmpfs starts empty', () => {
    const bundle = bundleWithData('nocopy', 'ls -A /data | wc -l', ['rw', 'nosuid', 'nodev']);
    const r = cista(scratch.root, ['run', '--bundle', bundle, 'nocopy']);
    expect(r.stderr).toBe('');
    expect(r.stdout.trim()).toBe('0');
  });
});

describe('podman --device', () => {
  it('takes the host st_mode podman writes as fileMode (8576 = 0o20600)', () => {
    const bundle = scratch.bundle('device', ['sh', '-c', 'stat -c "%F %t:%T %a" /dev/fuse'], (c: Config) => {
      c.linux.devices = [{ path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 8576, uid: 0, gid: 0 }];
    });
    const r = cista(scratch.root, ['run', '--bundle', bundle, 'device']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('character special file a:e5 600\n');
  });
});
