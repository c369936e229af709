import { describe, expect, it } from 'vitest';

import { effectiveMountLabel, labelMounts, processSecurity, takesMountLabel, withMountLabel } from '../../src/engine/lsm';
import { buildLaunchPlan, type PlanOptions } from '../../src/engine/plan/build';
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID } from '../../src/engine/plan/mount-flags';
import { DestinationKind, MountKind, type MountStep } from '../../src/engine/plan/plan';
import { defaultSpec } from '../../src/engine/spec/defaults';
import type { Spec } from '../../src/engine/spec/schema';

const LABEL = 'system_u:object_r:container_file_t:s0:c1,c2';
const SELINUX = { apparmor: false, selinux: true };
const NEITHER = { apparmor: false, selinux: false };

function step(kind: MountKind, fstype: string, destination: string, data = ''): MountStep {
  return { kind, source: fstype, destination, fstype, flags: 0, remountFlags: 0, propagation: [], data, destinationKind: DestinationKind.Directory };
}

/** runc's v1 layout of a "cgroup" mount: a tmpfs, then a bind per hierarchy. */
const cgroupV1Steps = (mount: { destination: string }): MountStep[] => [
  step(MountKind.Filesystem, 'tmpfs', mount.destination, 'mode=755'),
  { ...step(MountKind.Bind, 'bind', `${mount.destination}/memory`), flags: MS_BIND },
];

function options(securityModules = SELINUX, notes: string[] = []): PlanOptions {
  return {
    containerId: 'c1',
    bundle: '/bundle',
    noPivot: false,
    noNewKeyring: false,
    host: { isDirectory: () => true, securityModules },
    caller: { uid: 0, gid: 0, rootlessEuid: false, inUserNamespace: false },
    debug: (message) => notes.push(message),
    cgroupMountSteps: cgroupV1Steps,
  };
}

function labelled(spec: Spec): Array<[string, string, string]> {
  return buildLaunchPlan(spec, options()).plan.mounts.map((m) => [m.destination, m.fstype, m.data]);
}

describe('linux.mountLabel on the mounts runc labels', () => {
  it('goes on tmpfs, devpts and the cgroup tmpfs of runc\'s default config; not on proc, mqueue, sysfs or binds', () => {
    const spec = defaultSpec({ rootless: false });
    spec.linux!.mountLabel = LABEL;
    spec.mounts!.push({ destination: '/data', type: 'bind', source: '/srv', options: ['rbind'] });
    expect(labelled(spec)).toEqual([
      ['/proc', 'proc', ''],
      ['/dev', 'tmpfs', `mode=755,size=65536k,context="${LABEL}"`],
      ['/dev/pts', 'devpts', `newinstance,ptmxmode=0666,mode=0620,gid=5,context="${LABEL}"`],
      ['/dev/shm', 'tmpfs', `mode=1777,size=65536k,context="${LABEL}"`],
      ['/dev/mqueue', 'mqueue', ''],
      ['/sys', 'sysfs', ''],
      ['/sys/fs/cgroup', 'tmpfs', `mode=755,context="${LABEL}"`],
      ['/sys/fs/cgroup/memory', 'bind', ''],
      ['/data', '', ''],
    ]);
  });

  it('is the option go-selinux writes: quoted, after the other options, alone when there are none', () => {
    expect(withMountLabel('mode=755', LABEL)).toBe(`mode=755,context="${LABEL}"`);
    expect(withMountLabel('', LABEL)).toBe(`context="${LABEL}"`);
  });

  it('takes other new filesystems, never cgroup2 or a bind', () => {
    expect(takesMountLabel(step(MountKind.Filesystem, 'overlay', '/x'))).toBe(true);
    expect(takesMountLabel(step(MountKind.Filesystem, 'cgroup2', '/sys/fs/cgroup'))).toBe(false);
    expect(takesMountLabel({ ...step(MountKind.Bind, 'tmpfs', '/x'), flags: MS_BIND | MS_NOSUID | MS_NODEV | MS_NOEXEC })).toBe(false);
    expect(labelMounts([step(MountKind.Filesystem, 'tmpfs', '/x')], '')).toEqual([step(MountKind.Filesystem, 'tmpfs', '/x')]);
  });

  it('without SELinux, is an error naming the first mount that would take it (the kernel refuses context= there)', () => {
    const spec = defaultSpec({ rootless: false });
    spec.linux!.mountLabel = LABEL;
    expect(() => buildLaunchPlan(spec, options(NEITHER))).toThrow(
      'config.json: /linux/mountLabel: SELinux is not enabled on this host, and /mounts/1 (tmpfs on /dev) would need the label as its context= option: remove the label, or run on a host with SELinux',
    );
  });

  it('without SELinux and with no mount that takes it, is ignored as runc ignores it, and --debug says so', () => {
    const notes: string[] = [];
    const spec = { ...defaultSpec({ rootless: false }), mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }, { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue' }] } as Spec;
    spec.linux!.mountLabel = LABEL;
    expect(effectiveMountLabel(spec, buildLaunchPlan(spec, options(NEITHER, notes)).plan.mounts, NEITHER, () => {})).toBe('');
    expect(notes).toEqual(['linux.mountLabel ignored: SELinux is not enabled on this host and no mount takes the label as an option (runc ignores it there too)']);
  });
});

describe('process.apparmorProfile and process.selinuxLabel', () => {
  it('are taken where the host has the module', () => {
    expect(processSecurity({ apparmorProfile: 'cista-test', selinuxLabel: 'system_u:system_r:container_t:s0' }, { apparmor: true, selinux: true })).toEqual({
      apparmorProfile: 'cista-test',
      processLabel: 'system_u:system_r:container_t:s0',
    });
    expect(processSecurity(undefined, NEITHER)).toEqual({ apparmorProfile: '', processLabel: '' });
  });

  it('are errors naming the field where it does not', () => {
    expect(() => processSecurity({ apparmorProfile: 'docker-default' }, NEITHER)).toThrow(
      'config.json: /process/apparmorProfile: AppArmor is not enabled on this host: remove the profile, or run on a host with AppArmor',
    );
    expect(() => processSecurity({ selinuxLabel: 'system_u:system_r:container_t:s0' }, { apparmor: true, selinux: false })).toThrow(
      'config.json: /process/selinuxLabel: SELinux is not enabled on this host: remove the label, or run on a host with SELinux',
    );
  });
});
