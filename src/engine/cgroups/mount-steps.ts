/** A config.json mount of type "cgroup" as mount steps, from the layout its driver describes. */
import * as path from 'node:path';
import { DestinationKind, MountKind, type MountStep } from '../plan/plan';
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY, MS_REC } from '../plan/mount-flags';
import type { CgroupMountLayout, CgroupMountOptions } from './manager';

/** runc's flags for the tmpfs that holds the per-hierarchy mounts. */
const TMPFS_FLAGS = MS_NOEXEC | MS_NOSUID | MS_NODEV;

export function cgroupMountSteps(layout: CgroupMountLayout, destination: string, options: CgroupMountOptions): MountStep[] {
  switch (layout.layout) {
    case 'v2':
      return v2MountSteps(layout.dir, destination, options);
    case 'v1':
      return v1MountSteps(layout.hierarchies, destination, options);
    case 'none':
      return [maskedMountStep(destination, options)];
  }
}

/** No cgroups of its own (rootless): an empty read-only tmpfs, as runc masks the mount. */
function maskedMountStep(destination: string, options: CgroupMountOptions): MountStep {
  return {
    kind: MountKind.Filesystem,
    source: 'tmpfs',
    destination,
    fstype: 'tmpfs',
    flags: TMPFS_FLAGS | MS_RDONLY | options.flags,
    remountFlags: 0,
    propagation: [],
    data: 'nr_blocks=1,nr_inodes=2,mode=555',
    destinationKind: DestinationKind.Directory,
  };
}

/**
 * With a cgroup namespace, a fresh cgroup2 mount (rooted at the container's cgroup by the
 * namespace); without one, a bind of the container's cgroup, which is what a fresh mount
 * would show through a namespace (runc's fallback).
 */
function v2MountSteps(dir: string, destination: string, options: CgroupMountOptions): MountStep[] {
  const mountFlags = options.flags | (options.readonly ? MS_RDONLY : 0);
  if (options.cgroupNamespace) {
    return [
      {
        kind: MountKind.Filesystem,
        source: 'cgroup2',
        destination,
        fstype: 'cgroup2',
        flags: mountFlags,
        remountFlags: 0,
        propagation: [],
        data: '',
        destinationKind: DestinationKind.Directory,
      },
    ];
  }
  return [
    {
      kind: MountKind.Bind,
      source: dir,
      destination,
      fstype: 'bind',
      flags: MS_BIND | mountFlags,
      remountFlags: mountFlags,
      propagation: [],
      data: '',
      destinationKind: DestinationKind.Directory,
    },
  ];
}

/**
 * As runc's mountCgroupV1: a tmpfs, in it one mount per v1 hierarchy named like its host mount
 * point, showing the container's own cgroup (a bind of it, or with a cgroup namespace a fresh
 * cgroup mount), symlinks for co-mounted subsystems, then the tmpfs made read-only if asked.
 * The unified hierarchy of a hybrid host is not shown, as in runc.
 */
function v1MountSteps(
  hierarchies: Extract<CgroupMountLayout, { layout: 'v1' }>['hierarchies'],
  destination: string,
  options: CgroupMountOptions,
): MountStep[] {
  const mountFlags = options.flags | (options.readonly ? MS_RDONLY : 0);
  const steps: MountStep[] = [
    {
      kind: MountKind.Filesystem,
      source: 'tmpfs',
      destination,
      fstype: 'tmpfs',
      // The init keeps a read-only tmpfs writable until the rootfs is finished, so the
      // hierarchies below can still be mounted onto it.
      flags: TMPFS_FLAGS | (options.readonly ? MS_RDONLY : 0),
      remountFlags: 0,
      propagation: [],
      data: 'mode=755',
      destinationKind: DestinationKind.Directory,
    },
  ];
  for (const hierarchy of hierarchies) {
    const hierarchyDestination = path.posix.join(destination, path.posix.basename(hierarchy.mountPoint));
    steps.push(
      options.cgroupNamespace
        ? {
            kind: MountKind.Filesystem,
            source: 'cgroup',
            destination: hierarchyDestination,
            fstype: 'cgroup',
            flags: mountFlags,
            remountFlags: 0,
            propagation: [],
            data: hierarchy.subsystems.join(','),
            destinationKind: DestinationKind.Directory,
          }
        : {
            kind: MountKind.Bind,
            source: hierarchy.dir,
            destination: hierarchyDestination,
            fstype: 'bind',
            flags: MS_BIND | MS_REC | mountFlags,
            remountFlags: mountFlags,
            propagation: [],
            data: '',
            destinationKind: DestinationKind.Directory,
          },
    );
  }
  for (const hierarchy of hierarchies) {
    const name = path.posix.basename(hierarchy.mountPoint);
    if (!name.includes(',')) continue;
    for (const subsystem of name.split(',')) {
      steps.push({
        kind: MountKind.Symlink,
        source: name,
        destination: path.posix.join(destination, subsystem),
        fstype: '',
        flags: 0,
        remountFlags: 0,
        propagation: [],
        data: '',
        destinationKind: DestinationKind.File,
      });
    }
  }
  return steps;
}
