import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/engine/errors';
import type { Spec } from '../../../src/engine/spec/schema';
import { checkSemantics, rejectNulBytes } from '../../../src/engine/spec/semantic';
import { runnableSpec } from './spec-fixtures';

function semanticError(edit: (spec: Spec) => void): string | undefined {
  const spec = runnableSpec();
  edit(spec);
  try {
    checkSemantics(spec);
    return undefined;
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigError);
    return (error as Error).message;
  }
}

const linux = (spec: Spec) => spec.linux!;

/** A new user namespace with container ids 0-99 mapped to host ids 1000-1099. */
function inUserNamespace(spec: Spec): void {
  linux(spec).namespaces!.push({ type: 'user' });
  linux(spec).uidMappings = [{ containerID: 0, hostID: 1000, size: 100 }];
  linux(spec).gidMappings = [{ containerID: 0, hostID: 1000, size: 100 }];
}

describe('checkSemantics', () => {
  it('accepts a sound config', () => {
    expect(semanticError(() => {})).toBeUndefined();
  });

  it.each<[string, (spec: Spec) => void, string]>([
    ['a missing root path', (s) => delete s.root, '/root/path: is required'],
    ['empty args', (s) => (s.process!.args = []), '/process/args: must name the program to run'],
    ['a relative cwd', (s) => (s.process!.cwd = 'home'), '/process/cwd: must be an absolute path, not "home"'],
    [
      'an unknown capability',
      (s) => s.process!.capabilities!.bounding!.push('CAP_FLY'),
      '/process/capabilities/bounding/1: unknown capability "CAP_FLY"',
    ],
    [
      'an unknown rlimit',
      (s) => (s.process!.rlimits = [{ type: 'RLIMIT_FOO', soft: 1, hard: 1 }]),
      '/process/rlimits/0/type: unknown rlimit "RLIMIT_FOO"',
    ],
    [
      'a duplicate rlimit',
      (s) =>
        (s.process!.rlimits = [
          { type: 'RLIMIT_NOFILE', soft: 1, hard: 1 },
          { type: 'RLIMIT_NOFILE', soft: 2, hard: 2 },
        ]),
      '/process/rlimits/1/type: duplicate rlimit "RLIMIT_NOFILE"',
    ],
    [
      'a soft limit above the hard one',
      (s) => (s.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 2, hard: 1 }]),
      '/process/rlimits/0/soft: must not exceed the hard limit',
    ],
    [
      'a hostname without a uts namespace',
      (s) => (linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'uts')),
      '/hostname: needs a private uts namespace',
    ],
    [
      'a relative mount destination',
      (s) => s.mounts!.push({ destination: 'data' }),
      '/mounts/1/destination: must be an absolute path, not "data"',
    ],
    [
      'a mount destination climbing out of the root',
      (s) => s.mounts!.push({ destination: '/tmp/../../etc' }),
      '/mounts/1/destination: must not climb out of the container root with ".."',
    ],
    [
      'a relative hook path',
      (s) => (s.hooks = { poststop: [{ path: 'cleanup' }] }),
      '/hooks/poststop/0/path: must be an absolute path, not "cleanup"',
    ],
    [
      'a duplicate namespace',
      (s) => linux(s).namespaces!.push({ type: 'pid', path: '/proc/1/ns/pid' }),
      '/linux/namespaces/5/type: duplicate namespace "pid"',
    ],
    [
      'a relative namespace path',
      (s) => (linux(s).namespaces![1].path = 'ns/net'),
      '/linux/namespaces/1/path: must be an absolute path, not "ns/net"',
    ],
    [
      'a new user namespace without mappings',
      (s) => linux(s).namespaces!.push({ type: 'user' }),
      '/linux/uidMappings: is required when a new user namespace is created',
    ],
    [
      'mappings without a user namespace',
      (s) => (linux(s).gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }]),
      '/linux/gidMappings: needs a user namespace',
    ],
    [
      'mappings with a joined user namespace',
      (s) => {
        linux(s).namespaces!.push({ type: 'user', path: '/proc/1/ns/user' });
        linux(s).uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
      },
      '/linux/uidMappings: cannot be applied to the user namespace joined by /linux/namespaces/5/path, which has its own',
    ],
    [
      'a mapping of size 0',
      (s) => (inUserNamespace(s), (linux(s).uidMappings![1] = { containerID: 100, hostID: 5000, size: 0 })),
      '/linux/uidMappings/1/size: must not be 0',
    ],
    [
      'overlapping container ids',
      (s) => (inUserNamespace(s), linux(s).gidMappings!.push({ containerID: 50, hostID: 9000, size: 100 })),
      '/linux/gidMappings/1/containerID: range overlaps mapping 0',
    ],
    [
      'overlapping host ids',
      (s) => (inUserNamespace(s), linux(s).gidMappings!.push({ containerID: 5000, hostID: 1099, size: 1 })),
      '/linux/gidMappings/1/hostID: range overlaps mapping 0',
    ],
    [
      'a range past the largest id',
      (s) => (inUserNamespace(s), linux(s).uidMappings!.push({ containerID: 5000, hostID: 0xffffff00, size: 0x100 })),
      '/linux/uidMappings/1/hostID: range of 256 ids starting here passes 4294967294',
    ],
    [
      'more mappings than the kernel takes',
      (s) => {
        inUserNamespace(s);
        linux(s).uidMappings = Array.from({ length: 341 }, (_, i) => ({ containerID: i, hostID: 1000 + i, size: 1 }));
      },
      '/linux/uidMappings/340: the kernel takes at most 340 mappings',
    ],
    [
      'a map without container id 0',
      (s) => (inUserNamespace(s), (linux(s).gidMappings = [{ containerID: 1, hostID: 1000, size: 10 }])),
      '/linux/gidMappings: must map container id 0',
    ],
    [
      'an unmapped process uid',
      (s) => (inUserNamespace(s), (s.process!.user = { uid: 100, gid: 0 })),
      '/process/user/uid: 100 is not mapped by /linux/uidMappings',
    ],
    [
      'an unmapped process gid',
      (s) => (inUserNamespace(s), (s.process!.user = { uid: 0, gid: 100 })),
      '/process/user/gid: 100 is not mapped by /linux/gidMappings',
    ],
    [
      'an unmapped additional gid',
      (s) => (inUserNamespace(s), (s.process!.user = { uid: 0, gid: 0, additionalGids: [5, 4000] })),
      '/process/user/additionalGids/1: 4000 is not mapped by /linux/gidMappings',
    ],
    [
      'a device outside /dev',
      (s) => (linux(s).devices![0].path = '/dev/../etc/fuse'),
      '/linux/devices/0/path: must be under /dev',
    ],
    [
      'a character device without a minor number',
      (s) => delete linux(s).devices![0].minor,
      '/linux/devices/0/minor: is required for device type "c"',
    ],
    [
      'a character device whose fileMode has the file type bits of a block device',
      (s) => (linux(s).devices![0].fileMode = 0o60666),
      '/linux/devices/0/fileMode: has the file type bits of another kind of node than type "c"',
    ],
    [
      'a sysctl no namespace isolates',
      (s) => (linux(s).sysctl = { 'vm.swappiness': '10' }),
      '/linux/sysctl/vm.swappiness: is not a namespaced sysctl: setting it would change the host',
    ],
    [
      'a net sysctl without a network namespace',
      (s) => (linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'network')),
      '/linux/sysctl/net.ipv4.ip_forward: needs a private network namespace',
    ],
    [
      'an ipc sysctl without an ipc namespace',
      (s) => {
        linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'ipc');
        linux(s).sysctl = { 'kernel.shmmax': '1' };
      },
      '/linux/sysctl/kernel.shmmax: needs a private ipc namespace',
    ],
    [
      'kernel.hostname conflicting with hostname',
      (s) => (linux(s).sysctl = { 'kernel.hostname': 'other' }),
      '/linux/sysctl/kernel.hostname: conflicts with /hostname',
    ],
    [
      'a relative masked path',
      (s) => linux(s).maskedPaths!.push('proc/keys'),
      '/linux/maskedPaths/1: must be an absolute path, not "proc/keys"',
    ],
    [
      'a joined mount namespace with a new user namespace, which could not mount in it',
      (s) => (inUserNamespace(s), (linux(s).namespaces = [{ type: 'user' }, { type: 'uts' }, { type: 'network', path: '/proc/1/ns/net' }, { type: 'mount', path: '/proc/1/ns/mnt' }])),
      '/linux/namespaces/3/path: a new user namespace cannot mount in a joined mount namespace, which it does not own, so the rootfs could not be set up: join the user namespace that owns it, or use a new mount namespace',
    ],
    [
      'masked paths without a mount namespace',
      (s) => (linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'mount')),
      '/linux/maskedPaths: needs a private mount namespace',
    ],
  ])('rejects %s', (_, edit, expected) => {
    expect(semanticError(edit)).toBe(`config.json: ${expected}`);
  });

  it('accepts a new user namespace mapping the process ids, and a joined one without mappings', () => {
    expect(semanticError((s) => (inUserNamespace(s), (s.process!.user = { uid: 99, gid: 5, additionalGids: [0, 99] })))).toBeUndefined();
    expect(semanticError((s) => linux(s).namespaces!.push({ type: 'user', path: '/proc/1/ns/user' }))).toBeUndefined();
  });

  describe('idmapped mounts', () => {
    const bind = (spec: Spec, extra: Partial<NonNullable<Spec['mounts']>[number]>) =>
      spec.mounts!.push({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind'], ...extra });
    const map = [{ containerID: 0, hostID: 1000, size: 10 }];

    it('accepts a bind with both mappings, with or without a user namespace, and idmap alone in one', () => {
      expect(semanticError((s) => bind(s, { uidMappings: map, gidMappings: map }))).toBeUndefined();
      expect(semanticError((s) => (inUserNamespace(s), bind(s, { options: ['rbind', 'ridmap'] })))).toBeUndefined();
      expect(semanticError((s) => (linux(s).namespaces!.push({ type: 'user', path: '/proc/1/ns/user' }), bind(s, { options: ['bind', 'idmap'] })))).toBeUndefined();
    });

    it.each<[string, (spec: Spec) => void, string]>([
      [
        'a mapped filesystem that is not a bind',
        (s) => s.mounts!.push({ destination: '/t', type: 'tmpfs', source: 'tmpfs', options: ['idmap'] }),
        '/mounts/1/options/0: only a bind mount can be idmapped (type "bind", or the option "bind" or "rbind")',
      ],
      ['uid mappings without gid mappings', (s) => bind(s, { uidMappings: map }), '/mounts/1/gidMappings: is required with /mounts/1/uidMappings'],
      [
        'overlapping mappings',
        (s) => bind(s, { uidMappings: [...map, { containerID: 5, hostID: 0, size: 1 }], gidMappings: map }),
        '/mounts/1/uidMappings/1/containerID: range overlaps mapping 0',
      ],
      [
        'idmap without mappings or a user namespace',
        (s) => bind(s, { options: ['rbind', 'idmap'] }),
        '/mounts/1/options/1: "idmap" without uidMappings and gidMappings takes the container\'s user namespace mappings, and there is no user namespace',
      ],
    ])('rejects %s', (_, edit, expected) => {
      expect(semanticError(edit)).toBe(`config.json: ${expected}`);
    });
  });

  describe('netDevices', () => {
    it('accepts valid names, renamed or not, with a network namespace', () => {
      expect(semanticError((s) => (linux(s).netDevices = { eth1: {}, 'veth-a': { name: 'eth2' } }))).toBeUndefined();
    });

    it.each<[string, (spec: Spec) => void, string]>([
      [
        'no network namespace',
        (s) => ((linux(s).namespaces = linux(s).namespaces!.filter((ns) => ns.type !== 'network')), (linux(s).netDevices = { eth1: {} })),
        '/linux/netDevices: needs a network namespace of the container\'s own (linux.namespaces: "network") to move the devices to',
      ],
      ['a host name too long', (s) => (linux(s).netDevices = { 'a-very-long-name0': {} }), '/linux/netDevices/a-very-long-name0: "a-very-long-name0" is longer than 15 bytes, the kernel\'s limit for an interface name'],
      ['a container name with a slash', (s) => (linux(s).netDevices = { eth1: { name: 'a/b' } }), '/linux/netDevices/eth1/name: "a/b" is not a valid interface name (no "/", ":" or whitespace)'],
      ['two devices with one container name', (s) => (linux(s).netDevices = { eth1: { name: 'eth2' }, eth2: {} }), '/linux/netDevices/eth2: would be "eth2" in the container, as /linux/netDevices/eth1 would'],
    ])('rejects %s', (_, edit, expected) => {
      expect(semanticError(edit)).toBe(`config.json: ${expected}`);
    });
  });

  it('accepts a config without a process: the runtime-spec needs one only to start', () => {
    expect(semanticError((s) => delete s.process)).toBeUndefined();
  });

  it('accepts a FIFO without device numbers and a matching kernel.hostname', () => {
    expect(
      semanticError((s) => {
        linux(s).devices = [{ type: 'p', path: '/dev/pipe' }];
        linux(s).sysctl = { 'kernel.hostname': 'box', 'fs.mqueue.msg_max': '20', 'kernel.msgmax': '8192' };
      }),
    ).toBeUndefined();
  });

  it('ignores capability sets it does not know, as it ignores unknown fields', () => {
    expect(semanticError((s) => Object.assign(s.process!.capabilities!, { future: 7 }))).toBeUndefined();
  });

  it('knows all 41 capabilities', () => {
    const all = [
      'CAP_CHOWN', 'CAP_DAC_OVERRIDE', 'CAP_DAC_READ_SEARCH', 'CAP_FOWNER', 'CAP_FSETID', 'CAP_KILL', 'CAP_SETGID',
      'CAP_SETUID', 'CAP_SETPCAP', 'CAP_LINUX_IMMUTABLE', 'CAP_NET_BIND_SERVICE', 'CAP_NET_BROADCAST',
      'CAP_NET_ADMIN', 'CAP_NET_RAW', 'CAP_IPC_LOCK', 'CAP_IPC_OWNER', 'CAP_SYS_MODULE', 'CAP_SYS_RAWIO',
      'CAP_SYS_CHROOT', 'CAP_SYS_PTRACE', 'CAP_SYS_PACCT', 'CAP_SYS_ADMIN', 'CAP_SYS_BOOT', 'CAP_SYS_NICE',
      'CAP_SYS_RESOURCE', 'CAP_SYS_TIME', 'CAP_SYS_TTY_CONFIG', 'CAP_MKNOD', 'CAP_LEASE', 'CAP_AUDIT_WRITE',
      'CAP_AUDIT_CONTROL', 'CAP_SETFCAP', 'CAP_MAC_OVERRIDE', 'CAP_MAC_ADMIN', 'CAP_SYSLOG', 'CAP_WAKE_ALARM',
      'CAP_BLOCK_SUSPEND', 'CAP_AUDIT_READ', 'CAP_PERFMON', 'CAP_BPF', 'CAP_CHECKPOINT_RESTORE',
    ];
    expect(all).toHaveLength(41);
    expect(semanticError((s) => (s.process!.capabilities = { bounding: all, ambient: all }))).toBeUndefined();
  });
});

describe('rejectNulBytes', () => {
  const nulError = (document: unknown): ConfigError | undefined => {
    try {
      rejectNulBytes(document);
      return undefined;
    } catch (error) {
      return error as ConfigError;
    }
  };

  it.each<[string, unknown, string]>([
    ['an argument', { process: { args: ['sh', '-c', 'a\u0000b'] } }, '/process/args/2'],
    ['a mount option', { mounts: [{ destination: '/x', options: ['size=1\u0000'] }] }, '/mounts/0/options/0'],
    ['an annotation key', { annotations: { 'a\u0000b': 'c' } }, '/annotations'],
    ['a hostname', { hostname: '\u0000' }, '/hostname'],
  ])('refuses a NUL byte in %s, naming its path', (_, document, pointer) => {
    const error = nulError(document);
    expect(error).toBeInstanceOf(ConfigError);
    expect(error!.pointer).toBe(pointer);
    expect(error!.message).toMatch(new RegExp(`^config\\.json: ${pointer}: (the key "a\\\\u0000b" )?must not contain a NUL byte`));
    expect(error!.message).not.toMatch(/[\n\u0000]/);
  });

  it('accepts strings without one', () => {
    expect(nulError(runnableSpec())).toBeUndefined();
  });
});
