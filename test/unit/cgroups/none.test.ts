import { describe, expect, it } from 'vitest';

import { cgroupMountSteps } from '../../../src/engine/cgroups/mount-steps';
import { NoCgroupManager } from '../../../src/engine/cgroups/none';
import { v2ResourceWrites } from '../../../src/engine/cgroups/v2-resources';
import { MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_RDONLY } from '../../../src/engine/plan/mount-flags';
import { DestinationKind, MountKind } from '../../../src/engine/plan/plan';

const manager = new NoCgroupManager('v2', v2ResourceWrites, (controller) => `no ${controller} cgroup for the user`);

describe('a rootless container without cgroups', () => {
  it('refuses the first limit, naming its field and why', () => {
    expect(() => manager.planResources({ memory: { limit: 1 << 26 } })).toThrow(
      'config.json: /linux/resources/memory/limit: cannot set this limit: no memory cgroup for the user',
    );
  });

  it('takes a config without limits, and has nothing to record, create, join, freeze or remove', () => {
    expect(manager.planResources(undefined)).toEqual({ writes: [], unitProperties: [] });
    expect(manager.planResources({ devices: [{ allow: false, access: 'rwm' }] })).toEqual({ writes: [], unitProperties: [] });
    expect(manager.record()).toBeNull();
    expect(manager.paths).toEqual({});
    expect(manager.pids()).toEqual([]);
    expect(manager.frozen()).toBe(false);
    expect(() => manager.freeze()).toThrow('the container has no cgroup to freeze');
  });

  it('shows an empty read-only tmpfs where the config mounts cgroups, as runc masks it', () => {
    expect(cgroupMountSteps(manager.mountLayout(), '/sys/fs/cgroup', { readonly: false, flags: MS_NOSUID })).toEqual([
      {
        kind: MountKind.Filesystem,
        source: 'tmpfs',
        destination: '/sys/fs/cgroup',
        fstype: 'tmpfs',
        flags: MS_NOSUID | MS_NODEV | MS_NOEXEC | MS_RDONLY,
        remountFlags: 0,
        propagation: [],
        data: 'nr_blocks=1,nr_inodes=2,mode=555',
        destinationKind: DestinationKind.Directory,
      },
    ]);
  });
});
