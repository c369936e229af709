import { describe, expect, it } from 'vitest';
import { cgroupHierarchies } from '../../../src/engine/cgroups/path';
import { parseMountInfo } from '../../../src/engine/mountinfo';
import { cgroupMountSteps } from '../../../src/engine/cgroups/mount-steps';
import { V1CgroupManager } from '../../../src/engine/cgroups/v1';
import { V2CgroupManager } from '../../../src/engine/cgroups/v2';
import type { CgroupMountOptions } from '../../../src/engine/cgroups/manager';
import {
  MS_BIND,
  MS_NODEV,
  MS_NOEXEC,
  MS_NOSUID,
  MS_RDONLY,
  MS_REC,
  MS_RELATIME,
} from '../../../src/engine/plan/mount-flags';
import { MountKind } from '../../../src/engine/plan/plan';

const MOUNTINFO = `
31 30 0:28 / /sys/fs/cgroup/unified rw - cgroup2 cgroup2 rw
32 30 0:29 / /sys/fs/cgroup/systemd rw - cgroup cgroup rw,xattr,name=systemd
33 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw - cgroup cgroup rw,cpu,cpuacct
35 30 0:32 / /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices
`;
const PATHS = {
  devices: '/sys/fs/cgroup/devices/ctr',
  cpu: '/sys/fs/cgroup/cpu,cpuacct/ctr',
  cpuacct: '/sys/fs/cgroup/cpu,cpuacct/ctr',
  'name=systemd': '/sys/fs/cgroup/systemd/ctr',
  '': '/sys/fs/cgroup/unified/ctr',
};
// runc spec's default: nosuid,noexec,nodev,relatime,ro
const FLAGS = MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RELATIME;
const unusedLoader = (): void => {
  throw new Error('not called');
};

describe('cgroupMountSteps of the v1 driver\'s layout', () => {
  const manager = new V1CgroupManager(PATHS, () => cgroupHierarchies(parseMountInfo(MOUNTINFO)));
  const mountSteps = (destination: string, options: CgroupMountOptions) => cgroupMountSteps(manager.mountLayout(), destination, options);

  it('lays out a read-only tmpfs, one bind per v1 hierarchy, and symlinks for co-mounts', () => {
    const steps = mountSteps('/sys/fs/cgroup', { readonly: true, flags: FLAGS });
    expect(steps.map((s) => [s.kind, s.source, s.destination])).toEqual([
      [MountKind.Filesystem, 'tmpfs', '/sys/fs/cgroup'],
      [MountKind.Bind, '/sys/fs/cgroup/systemd/ctr', '/sys/fs/cgroup/systemd'],
      [MountKind.Bind, '/sys/fs/cgroup/cpu,cpuacct/ctr', '/sys/fs/cgroup/cpu,cpuacct'],
      [MountKind.Bind, '/sys/fs/cgroup/devices/ctr', '/sys/fs/cgroup/devices'],
      [MountKind.Symlink, 'cpu,cpuacct', '/sys/fs/cgroup/cpu'],
      [MountKind.Symlink, 'cpu,cpuacct', '/sys/fs/cgroup/cpuacct'],
    ]);
    // The init keeps a read-only tmpfs writable until the rootfs is finished.
    expect(steps[0]).toMatchObject({ fstype: 'tmpfs', data: 'mode=755', flags: MS_RDONLY | MS_NOEXEC | MS_NOSUID | MS_NODEV });
    expect(steps[1]).toMatchObject({ flags: MS_BIND | MS_REC | FLAGS | MS_RDONLY, remountFlags: FLAGS | MS_RDONLY });
  });

  it('leaves the tmpfs writable when not read-only', () => {
    const steps = mountSteps('/cg', { readonly: false, flags: 0 });
    expect(steps).toHaveLength(6);
    expect(steps[0].flags & MS_RDONLY).toBe(0);
    expect(steps[1]).toMatchObject({ destination: '/cg/systemd', flags: MS_BIND | MS_REC, remountFlags: 0 });
  });

  it('mounts cgroup filesystems instead of binds with a cgroup namespace', () => {
    const steps = mountSteps('/sys/fs/cgroup', { readonly: true, flags: FLAGS, cgroupNamespace: true });
    expect(steps.slice(1, 4).map((s) => [s.kind, s.fstype, s.data, s.flags])).toEqual([
      [MountKind.Filesystem, 'cgroup', 'name=systemd', FLAGS | MS_RDONLY],
      [MountKind.Filesystem, 'cgroup', 'cpu,cpuacct', FLAGS | MS_RDONLY],
      [MountKind.Filesystem, 'cgroup', 'devices', FLAGS | MS_RDONLY],
    ]);
  });
});

describe('cgroupMountSteps of the v2 driver\'s layout', () => {
  const manager = new V2CgroupManager('/sys/fs/cgroup/ctr', unusedLoader);
  const mountSteps = (destination: string, options: CgroupMountOptions) => cgroupMountSteps(manager.mountLayout(), destination, options);

  it('binds the container cgroup read-only', () => {
    expect(mountSteps('/sys/fs/cgroup', { readonly: true, flags: FLAGS })).toEqual([
      expect.objectContaining({
        kind: MountKind.Bind,
        source: '/sys/fs/cgroup/ctr',
        destination: '/sys/fs/cgroup',
        flags: MS_BIND | FLAGS | MS_RDONLY,
        remountFlags: FLAGS | MS_RDONLY,
      }),
    ]);
  });

  it('mounts a fresh cgroup2 with a cgroup namespace', () => {
    expect(mountSteps('/sys/fs/cgroup', { readonly: true, flags: FLAGS, cgroupNamespace: true })).toEqual([
      expect.objectContaining({ kind: MountKind.Filesystem, fstype: 'cgroup2', flags: FLAGS | MS_RDONLY }),
    ]);
  });

  it('records its one directory under ""', () => {
    expect(manager.paths).toEqual({ '': '/sys/fs/cgroup/ctr' });
  });
});
