import { describe, expect, it } from 'vitest';

import { buildLaunchPlan, type PlanOptions } from '../../../src/engine/plan/build';
import { capabilityMask } from '../../../src/engine/plan/capabilities';
import { MS_BIND, MS_NODEV, MS_NOEXEC, MS_NOSUID, MS_PRIVATE, MS_RDONLY, MS_REC, MS_SLAVE } from '../../../src/engine/plan/mount-flags';
import { CLONE_NEWCGROUP, CLONE_NEWIPC, CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, CLONE_NEWUTS } from '../../../src/engine/plan/namespaces';
import { ALL_CPUS } from '../../../src/engine/plan/process-attributes';
import { DestinationKind, MountKind } from '../../../src/engine/plan/plan';
import type { Spec } from '../../../src/engine/spec/schema';

function spec(overrides: Partial<Spec> = {}): Spec {
  return {
    ociVersion: '1.0.2',
    process: { user: { uid: 0, gid: 0 }, args: ['sh'], env: ['PATH=/bin'], cwd: '/' },
    root: { path: 'rootfs', readonly: true },
    hostname: 'box',
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: { namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }] },
    ...overrides,
  } as Spec;
}

const host = new Map<string, boolean>([
  ['/host/dir', true],
  ['/host/file', false],
  ['/bundle/rel', true],
  ['/sys', true],
]);

const options: PlanOptions = {
  containerId: 'c1',
  bundle: '/bundle',
  noPivot: false,
  noNewKeyring: false,
  host: { isDirectory: (p) => host.get(p), securityModules: { apparmor: false, selinux: false } },
  caller: { uid: 0, gid: 0, rootlessEuid: false, inUserNamespace: false },
  cgroupMount: { layout: 'v2', dir: '/sys/fs/cgroup/test' },
};

describe('buildLaunchPlan', () => {
  it('creates new namespaces with clone() and resolves the rootfs against the bundle', () => {
    const { plan, cloneFlags, cloneJoins, rootfs } = buildLaunchPlan(spec(), options);
    expect(cloneFlags).toBe(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWIPC | CLONE_NEWUTS | CLONE_NEWNS);
    expect(cloneJoins).toEqual([]);
    expect(rootfs).toBe('/bundle/rootfs');
    expect(plan.rootfs).toEqual({ path: '/bundle/rootfs', propagation: MS_SLAVE | MS_REC, readonly: true, pivot: true, ownMountNamespace: true });
    expect(plan.hostname).toBe('box');
    expect(plan.umask).toBe(0o022);
    expect(plan.sessionKeyring).toBe('_ses.c1');
    expect(buildLaunchPlan(spec(), { ...options, noNewKeyring: true }).plan.sessionKeyring).toBeNull();
  });

  it('joins namespaces by path, the user namespace first, the pid namespace at clone() and new ones after the user namespace', () => {
    const s = spec({
      linux: {
        namespaces: [
          { type: 'network', path: '/proc/1/ns/net' },
          { type: 'pid', path: '/proc/1/ns/pid' },
          { type: 'user', path: '/proc/1/ns/user' },
          { type: 'mount' },
          { type: 'cgroup' },
        ],
      },
    });
    const { plan, cloneFlags, cloneJoins, idMaps } = buildLaunchPlan(s, options);
    // Made by the init once in the joined user namespace, so that it owns them.
    expect(cloneFlags).toBe(0);
    expect(plan.unshareFlags).toBe(CLONE_NEWNS | CLONE_NEWCGROUP);
    expect(cloneJoins).toEqual([{ type: CLONE_NEWPID, path: '/proc/1/ns/pid' }]);
    expect(plan.joinNamespaces.map((j) => j.path)).toEqual(['/proc/1/ns/user', '/proc/1/ns/net']);
    expect(idMaps).toBeNull();
  });

  it('makes a new pid namespace in a joined user namespace late too: the init forks into it', () => {
    const s = spec({ linux: { namespaces: [{ type: 'user', path: '/proc/1/ns/user' }, { type: 'pid' }, { type: 'mount' }] } });
    const { plan, cloneFlags, cloneJoins } = buildLaunchPlan(s, options);
    expect([cloneFlags, cloneJoins]).toEqual([0, []]);
    expect(plan.unshareFlags).toBe(CLONE_NEWPID | CLONE_NEWNS);
  });

  it('with a new user namespace, enters the joined namespaces around clone(), before the new user namespace exists', () => {
    const s = spec({
      mounts: [{ destination: '/sys', type: 'sysfs', source: 'sysfs' }],
      linux: {
        namespaces: [{ type: 'network', path: '/run/netns/a' }, { type: 'ipc', path: '/proc/1/ns/ipc' }, { type: 'mount' }, { type: 'user' }],
        uidMappings: [{ containerID: 0, hostID: 1000, size: 10 }],
        gidMappings: [{ containerID: 0, hostID: 1000, size: 10 }],
      },
    });
    const { plan, cloneFlags, cloneJoins } = buildLaunchPlan(s, options);
    expect(cloneFlags).toBe(CLONE_NEWNS | CLONE_NEWUSER);
    expect(cloneJoins).toEqual([
      { type: CLONE_NEWNET, path: '/run/netns/a' },
      { type: CLONE_NEWIPC, path: '/proc/1/ns/ipc' },
    ]);
    expect(plan.joinNamespaces).toEqual([]);
    // The joined network namespace is not the new user namespace's: sysfs cannot be mounted.
    expect(plan.mounts[0]).toMatchObject({ kind: MountKind.Bind, source: '/sys' });
  });

  it('unshares the cgroup namespace in the init, once it is in its cgroup', () => {
    const s = spec({ linux: { namespaces: [{ type: 'mount' }, { type: 'cgroup' }] } });
    const { plan, cloneFlags } = buildLaunchPlan(s, options);
    expect(cloneFlags).toBe(CLONE_NEWNS);
    expect(plan.unshareFlags).toBe(CLONE_NEWCGROUP);
  });

  it('unshares new time and pid namespaces in the init, which writes the offsets and forks into both', () => {
    const s = spec({ linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'time' }], timeOffsets: { monotonic: { secs: 10 } } } });
    const { plan, cloneFlags } = buildLaunchPlan(s, options);
    expect(cloneFlags).toBe(CLONE_NEWNS);
    expect(plan.unshareFlags).toBe(CLONE_NEWTIME | CLONE_NEWPID);
    expect(plan.timeOffsets).toBe('monotonic 10 0\n');
    expect(plan.forkIntoNamespaces).toBe(true);
    // A joined time namespace is entered at once: no fork, the pid namespace made by clone().
    const joined = buildLaunchPlan(spec({ linux: { namespaces: [{ type: 'pid' }, { type: 'time', path: '/proc/9/ns/time' }] } }), options);
    expect(joined).toMatchObject({ cloneFlags: CLONE_NEWPID, plan: { unshareFlags: 0, forkIntoNamespaces: false } });
    expect(buildLaunchPlan(spec(), options).plan.forkIntoNamespaces).toBe(false);
  });

  it('plans the personality, scheduler, I/O priority, memory policy, and an affinity reset (execCPUAffinity is for exec)', () => {
    const s = spec();
    s.process!.scheduler = { policy: 'SCHED_IDLE' };
    s.process!.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 4 };
    s.process!.execCPUAffinity = { final: '1' };
    s.linux!.personality = { domain: 'LINUX32' };
    s.linux!.memoryPolicy = { mode: 'MPOL_LOCAL' };
    const { plan } = buildLaunchPlan(s, options);
    expect(plan).toMatchObject({ personality: 8, ioPriority: (2 << 13) | 4, memoryPolicy: { mode: 4 }, cpuAffinity: ALL_CPUS });
    expect(plan.scheduler).toMatchObject({ policy: 5, nice: 0 });
    expect(buildLaunchPlan(spec(), options).plan).toMatchObject({ personality: null, scheduler: null, ioPriority: null, memoryPolicy: null, timeOffsets: null });
  });

  it('creates a new user namespace with the others at clone(), with the id maps to write', () => {
    const s = spec({
      linux: {
        namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'mount' }, { type: 'user' }],
        uidMappings: [{ containerID: 0, hostID: 1000, size: 2000 }],
        gidMappings: [
          { containerID: 0, hostID: 1000, size: 3000 },
          { containerID: 5000, hostID: 100, size: 1 },
        ],
      },
    });
    const { plan, cloneFlags, idMaps } = buildLaunchPlan(s, options);
    expect(cloneFlags).toBe(CLONE_NEWPID | CLONE_NEWNET | CLONE_NEWNS | CLONE_NEWUSER);
    expect(plan.unshareFlags).toBe(0);
    expect(plan.joinNamespaces).toEqual([]);
    expect(idMaps).toEqual({ uidMap: '0 1000 2000\n', gidMap: '0 1000 3000\n5000 100 1\n', denySetgroups: false, uidMapTool: '', gidMapTool: '' });
  });

  it('mounts sysfs in a user namespace only with a network namespace of its own, else binds the host /sys', () => {
    const sys = { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] };
    const maps = { uidMappings: [{ containerID: 0, hostID: 1000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 10 }] };
    const withNet = spec({ mounts: [sys], linux: { namespaces: [{ type: 'mount' }, { type: 'network' }, { type: 'user' }], ...maps } });
    expect(buildLaunchPlan(withNet, options).plan.mounts[0]).toMatchObject({ kind: MountKind.Filesystem, fstype: 'sysfs' });
    const withoutNet = spec({ mounts: [sys], linux: { namespaces: [{ type: 'mount' }, { type: 'user' }], ...maps } });
    expect(buildLaunchPlan(withoutNet, options).plan.mounts[0]).toEqual({
      kind: MountKind.Bind,
      source: '/sys',
      destination: '/sys',
      fstype: '',
      flags: MS_BIND | MS_REC,
      remountFlags: MS_NOSUID | MS_NOEXEC | MS_NODEV | MS_RDONLY,
      propagation: [],
      data: '',
      destinationKind: DestinationKind.Directory,
    });
    // Without a user namespace, sysfs is always a new mount.
    const noUser = spec({ mounts: [sys], linux: { namespaces: [{ type: 'mount' }] } });
    expect(buildLaunchPlan(noUser, options).plan.mounts[0]).toMatchObject({ kind: MountKind.Filesystem, fstype: 'sysfs' });
  });

  it('marks idmapped binds for the runtime, with their own mappings or the user namespace of the container', () => {
    const own = [{ containerID: 0, hostID: 5000, size: 10 }];
    const s = spec({
      mounts: [
        { destination: '/proc', type: 'proc', source: 'proc' },
        { destination: '/a', type: 'bind', source: '/host/dir', options: ['rbind', 'ridmap'], uidMappings: own, gidMappings: own },
        { destination: '/b', type: 'bind', source: '/host/dir', options: ['bind', 'idmap'] },
        { destination: '/c', type: 'bind', source: '/host/dir', options: ['bind'] },
      ],
    });
    s.linux!.namespaces!.push({ type: 'user' });
    s.linux!.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
    s.linux!.gidMappings = [{ containerID: 0, hostID: 200000, size: 65536 }];
    const planned = buildLaunchPlan(s, options);
    expect(planned.plan.mounts.map((m) => m.idmap === true)).toEqual([false, true, true, false]);
    // The options are not filesystem data.
    expect(planned.plan.mounts[1].data).toBe('');
    expect([...planned.idmappedMounts.entries()]).toEqual([
      [1, { userNamespace: { uidMap: '0 5000 10\n', gidMap: '0 5000 10\n' }, recursive: true, pointer: '/mounts/1', destination: '/a' }],
      [2, { userNamespace: { uidMap: '0 100000 65536\n', gidMap: '0 200000 65536\n' }, recursive: false, pointer: '/mounts/2', destination: '/b' }],
    ]);
    s.linux!.namespaces![5] = { type: 'user', path: '/proc/7/ns/user' };
    expect(buildLaunchPlan(s, options).idmappedMounts.get(2)!.userNamespace).toEqual({ path: '/proc/7/ns/user' });
  });

  it('takes tmpcopyup out of the data, for a tmpfs only', () => {
    const s = spec({
      mounts: [
        { destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['rw', 'rprivate', 'nosuid', 'nodev', 'tmpcopyup'] },
        { destination: '/run', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'mode=755'] },
        { destination: '/mq', type: 'mqueue', source: 'mqueue', options: ['tmpcopyup'] },
      ],
    });
    const [tmp, run, mq] = buildLaunchPlan(s, options).plan.mounts;
    expect(tmp).toMatchObject({ fstype: 'tmpfs', flags: MS_NOSUID | MS_NODEV, propagation: [MS_PRIVATE | MS_REC], data: '', copyUp: true });
    expect(run.copyUp).toBeUndefined();
    expect(mq).toMatchObject({ fstype: 'mqueue', data: '' });
    expect(mq.copyUp).toBeUndefined();
  });

  it('turns mount options into flags, propagation and data', () => {
    const s = spec({
      mounts: [
        { destination: '/dev', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'] },
        { destination: '/data', type: 'bind', source: '/host/dir', options: ['rbind', 'ro', 'nodev', 'rprivate'] },
        { destination: '/etc/x', source: '/host/file', options: ['bind'] },
        { destination: '/rel', type: 'none', source: 'rel', options: ['rbind', 'noexec'] },
      ],
    });
    const [dev, data, file, rel] = buildLaunchPlan(s, options).plan.mounts;
    expect(dev).toMatchObject({ kind: MountKind.Filesystem, fstype: 'tmpfs', flags: MS_NOSUID | (1 << 24), data: 'mode=755,size=65536k' });
    expect(data).toMatchObject({
      kind: MountKind.Bind,
      source: '/host/dir',
      flags: MS_BIND | MS_REC,
      remountFlags: MS_RDONLY | MS_NODEV,
      propagation: [MS_PRIVATE | MS_REC],
      destinationKind: DestinationKind.Directory,
    });
    expect(file).toMatchObject({ kind: MountKind.Bind, flags: MS_BIND, remountFlags: 0, destinationKind: DestinationKind.File });
    expect(rel).toMatchObject({ kind: MountKind.Bind, source: '/bundle/rel', remountFlags: MS_NOEXEC });
  });

  it('refuses a bind mount whose source is missing, naming the field', () => {
    const s = spec({ mounts: [{ destination: '/x', type: 'bind', source: '/missing', options: ['bind'] }] });
    expect(() => buildLaunchPlan(s, options)).toThrow('config.json: /mounts/0/source: bind source /missing does not exist');
  });

  it('populates /dev as runc does, with configured devices replacing defaults', () => {
    const s = spec({ linux: { namespaces: [{ type: 'mount' }], devices: [{ type: 'c', path: '/dev/null', major: 1, minor: 3, fileMode: 0o600 }, { type: 'b', path: '/dev/sda', major: 8, minor: 0 }] } });
    const { plan } = buildLaunchPlan(s, options);
    expect(plan.devices.map((d) => d.path)).toEqual(['/dev/null', '/dev/zero', '/dev/full', '/dev/tty', '/dev/urandom', '/dev/random', '/dev/sda']);
    expect(plan.devices[0].mode).toBe(0o600);
    expect(plan.devices[6].fileType).toBe(0o060000);
    expect(plan.symlinks.map((l) => l.path)).toContain('/dev/ptmx');
  });

  it('takes a device fileMode with file type bits, as podman writes it (st_mode)', () => {
    const s = spec({ linux: { namespaces: [{ type: 'mount' }], devices: [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229, fileMode: 8576 }] } });
    const fuse = buildLaunchPlan(s, options).plan.devices.find((d) => d.path === '/dev/fuse');
    expect(fuse).toMatchObject({ fileType: 0o020000, mode: 0o600 });
  });

  it('leaves /dev alone when it is bind-mounted from the host', () => {
    const s = spec({ mounts: [{ destination: '/dev', type: 'bind', source: '/host/dir', options: ['rbind'] }] });
    const { plan } = buildLaunchPlan(s, options);
    expect(plan.devices).toEqual([]);
    expect(plan.symlinks).toEqual([]);
  });

  it('resolves process attributes to numbers', () => {
    const s = spec({
      process: {
        user: { uid: 1000, gid: 100, additionalGids: [5], umask: 0o077 },
        args: ['true'],
        cwd: '/tmp',
        capabilities: { bounding: ['CAP_KILL', 'CAP_CHOWN'], effective: ['CAP_KILL'] },
        rlimits: [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4096 }],
        noNewPrivileges: true,
        oomScoreAdj: -500,
      },
      linux: { namespaces: [{ type: 'mount' }, { type: 'network' }], sysctl: { 'net.ipv4.ip_forward': '1' } },
    });
    const { plan, oomScoreAdj } = buildLaunchPlan(s, options);
    expect(oomScoreAdj).toBe(-500);
    expect(plan.capabilities.bounding).toBe((1n << 5n) | 1n);
    expect(plan.capabilities.effective).toBe(capabilityMask(['CAP_KILL']));
    expect(plan.capabilities.ambient).toBe(0n);
    expect(plan.rlimits).toEqual([{ resource: 7, soft: 1024n, hard: 4096n }]);
    expect(plan.sysctls).toEqual([{ path: 'net/ipv4/ip_forward', value: '1' }]);
    expect(plan).toMatchObject({ uid: 1000, gid: 100, additionalGids: [5], umask: 0o077, noNewPrivileges: true, cwd: '/tmp' });
  });

  it('plans a container without a process as one with no program and no capabilities', () => {
    const { plan } = buildLaunchPlan(spec({ process: undefined }), options);
    expect(plan.args).toEqual([]);
    expect(plan.capabilities.bounding).toBe(0n);
    expect(plan.cwd).toBe('/');
  });

  it('uses MS_MOVE + chroot under --no-pivot and the configured root propagation', () => {
    // As runc maps it: "private" alone is not recursive (the schema has no "rprivate" here).
    const s = spec({ linux: { namespaces: [{ type: 'mount' }], rootfsPropagation: 'private' } });
    const { plan } = buildLaunchPlan(s, { ...options, noPivot: true });
    expect(plan.rootfs).toMatchObject({ pivot: false, propagation: MS_PRIVATE });
  });

  it('hands the init its own hooks with argv and env resolved, and pauses only for create-time hooks', () => {
    expect(buildLaunchPlan(spec(), options).plan).toMatchObject({ awaitHooks: false, createContainerHooks: [], startContainerHooks: [] });
    // poststart and poststop are the runtime's alone: no pause before pivot_root for them.
    expect(buildLaunchPlan(spec({ hooks: { poststart: [{ path: '/p' }], poststop: [{ path: '/q' }] } }), options).plan.awaitHooks).toBe(false);
    expect(buildLaunchPlan(spec({ hooks: { prestart: [{ path: '/p' }] } }), options).plan.awaitHooks).toBe(true);
    const { plan } = buildLaunchPlan(
      spec({ hooks: { createContainer: [{ path: '/c', args: ['c', '-x'], env: ['A=1'], timeout: 3 }], startContainer: [{ path: '/s' }] } }),
      options,
    );
    expect(plan.awaitHooks).toBe(true);
    expect(plan.createContainerHooks).toEqual([{ path: '/c', args: ['c', '-x'], env: ['A=1'], timeoutSeconds: 3 }]);
    expect(plan.startContainerHooks).toEqual([{ path: '/s', args: ['/s'], env: [], timeoutSeconds: 0 }]);
  });
});
