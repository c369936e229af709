import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

import { REPO, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';

describe('the init helper\'s rootfs code, driven directly', () => {
  // test/native/rootfs.sh builds native/test/rootfs_driver.cc against the rootfs sources and runs its
  // scenarios (runc's default mounts, --no-pivot, symlink attacks, refused targets, user namespaces),
  // each in a mount+pid namespace of its own, checking that the host's mount table is unchanged.
  it('passes every scenario and leaves the host as it was', () => {
    requireRoot();
    requireFile('/usr/bin/g++', 'g++ builds the rootfs driver');
    const r = exec('/bin/sh', [path.join(REPO, 'test', 'native', 'rootfs.sh')], { timeout: 300_000 });
    expect(r.stdout + r.stderr).toMatch(/^0 failure\(s\)$/m);
    expect(r.code).toBe(0);
  });
});
