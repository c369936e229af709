import { describe, expect, it } from 'vitest';

import { CLONE_NEWUSER } from '../../src/engine/plan/namespaces';
import { type Caller, defaultRoot, unprivilegedOnHost } from '../../src/engine/caller';
import { checkRootlessConfig, idMapWriter, parseHardLimits, spawnFailureHint } from '../../src/engine/rootless';
import type { Spec } from '../../src/engine/spec/schema';

const ROOT: Caller = { uid: 0, gid: 0, rootlessEuid: false, inUserNamespace: false };
const USER: Caller = { uid: 1000, gid: 1000, rootlessEuid: true, inUserNamespace: false };
const PODMAN: Caller = { uid: 0, gid: 0, rootlessEuid: false, inUserNamespace: true };

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units     
Max cpu time              unlimited            unlimited            seconds   
Max file size             unlimited            unlimited            bytes     
Max data size             unlimited            unlimited            bytes     
Max stack size            8388608              unlimited            bytes     
Max core file size        0                    unlimited            bytes     
Max resident set          unlimited            unlimited            bytes     
Max processes             96365                96365                processes 
Max open files            1024                 4096                 files     
`;

function rootlessSpec(): Spec {
  return {
    ociVersion: '1.0.2',
    process: { cwd: '/', args: ['sh'], user: { uid: 0, gid: 0 } },
    root: { path: 'rootfs' },
    mounts: [{ destination: '/dev/pts', type: 'devpts', source: 'devpts', options: ['newinstance', 'gid=5'] }],
    linux: {
      namespaces: [{ type: 'user' }, { type: 'mount' }],
      uidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
      gidMappings: [{ containerID: 0, hostID: 1000, size: 1 }],
    },
  } as Spec;
}

describe('the default --root', () => {
  it('is $XDG_RUNTIME_DIR/cista for a user, and for root of a user namespace unless $USER is root', () => {
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/1000' }, USER)).toBe('/run/user/1000/cista');
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/1000', USER: 'me' }, PODMAN)).toBe('/run/user/1000/cista');
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/0', USER: 'root' }, PODMAN)).toBe('/run/cista');
  });

  it('is /run/cista for the host\'s root, and when XDG_RUNTIME_DIR is unset or empty (conmon passes it empty)', () => {
    expect(defaultRoot({ XDG_RUNTIME_DIR: '/run/user/0' }, ROOT)).toBe('/run/cista');
    expect(defaultRoot({ XDG_RUNTIME_DIR: '' }, USER)).toBe('/run/cista');
    expect(defaultRoot({}, USER)).toBe('/run/cista');
  });
});

describe('who lacks privileges on the host', () => {
  it('is a user, and root of a user namespace', () => {
    expect([ROOT, USER, PODMAN].map((who) => unprivilegedOnHost(who))).toEqual([false, true, true]);
  });
});

describe('writing the id maps of a new user namespace', () => {
  it('is a plain write for root', () => {
    expect(idMapWriter([{ containerID: 0, hostID: 100000, size: 65536 }], [{ containerID: 0, hostID: 100000, size: 65536 }], ROOT)).toEqual({
      uidMap: '0 100000 65536\n',
      gidMap: '0 100000 65536\n',
      denySetgroups: false,
      uidMapTool: '',
      gidMapTool: '',
    });
  });

  it('is a plain write of a user\'s own id, after denying setgroups for a one-gid map', () => {
    const own = [{ containerID: 0, hostID: 1000, size: 1 }];
    expect(idMapWriter(own, own, USER)).toMatchObject({ denySetgroups: true, uidMapTool: '', gidMapTool: '' });
  });

  it('goes through newuidmap and newgidmap for anything more', () => {
    const ranges = [
      { containerID: 0, hostID: 1000, size: 1 },
      { containerID: 1, hostID: 100000, size: 65536 },
    ];
    const writer = idMapWriter(ranges, ranges, USER);
    expect(writer.denySetgroups).toBe(false);
    expect(writer.uidMapTool).toMatch(/\/newuidmap$/);
    expect(writer.gidMapTool).toMatch(/\/newgidmap$/);
  });
});

describe('rootless checks of a config', () => {
  it('accept what `cista spec --rootless` writes', () => {
    const spec = rootlessSpec();
    spec.mounts = [];
    expect(() => checkRootlessConfig(spec, USER, () => LIMITS)).not.toThrow();
  });

  it('refuse a user\'s config without a user namespace', () => {
    const spec = rootlessSpec();
    spec.linux!.namespaces = [{ type: 'mount' }];
    expect(() => checkRootlessConfig(spec, USER, () => LIMITS)).toThrow(/^config\.json: \/linux\/namespaces: cista runs as uid 1000, not root, so the container needs a user namespace/);
    expect(() => checkRootlessConfig(spec, PODMAN, () => LIMITS)).not.toThrow();
  });

  it('refuse a mount option naming an unmapped id, as runc does', () => {
    expect(() => checkRootlessConfig(rootlessSpec(), USER, () => LIMITS)).toThrow(
      "config.json: /mounts/0/options: gid=5 is not mapped in the container's user namespace (/linux/gidMappings)",
    );
  });

  it('refuse a hard rlimit above the caller\'s, for anyone without privileges on the host', () => {
    const spec = rootlessSpec();
    spec.mounts = [];
    spec.process!.rlimits = [{ type: 'RLIMIT_NOFILE', soft: 1024, hard: 4097 }];
    const message = 'config.json: /process/rlimits/0/hard: raising RLIMIT_NOFILE to 4097 needs CAP_SYS_RESOURCE on the host, which rootless cista lacks: use at most 4096 (its own hard limit)';
    expect(() => checkRootlessConfig(spec, USER, () => LIMITS)).toThrow(message);
    expect(() => checkRootlessConfig(spec, PODMAN, () => LIMITS)).toThrow(message);
    expect(() => checkRootlessConfig(spec, ROOT, () => LIMITS)).not.toThrow();
    spec.process!.rlimits = [{ type: 'RLIMIT_CPU', soft: 1, hard: 2 ** 53 }];
    expect(() => checkRootlessConfig(spec, USER, () => LIMITS)).not.toThrow();
  });

  it('read the hard limits of /proc/self/limits by resource number', () => {
    expect(parseHardLimits(LIMITS)).toEqual([
      0xffffffffffffffffn,
      0xffffffffffffffffn,
      0xffffffffffffffffn,
      0xffffffffffffffffn,
      0xffffffffffffffffn,
      0xffffffffffffffffn,
      96365n,
      4096n,
    ]);
  });
});

describe('what a refused user namespace says', () => {
  const error = (message: string, code: string) => Object.assign(new Error(message), { code });

  it('names the sysctls when the host lets no user make one', () => {
    expect(spawnFailureHint(error('clone: operation not permitted', 'EPERM'), CLONE_NEWUSER, USER)).toMatch(/user\.max_user_namespaces/);
    expect(spawnFailureHint(error('clone: operation not permitted', 'EPERM'), CLONE_NEWUSER, ROOT)).toBe('');
  });

  it('points at /etc/subuid when newuidmap refuses the ranges', () => {
    expect(spawnFailureHint(error('writing the uid_map of the new user namespace (newuidmap: not allowed)', 'EPERM'), CLONE_NEWUSER, USER)).toBe(
      " (the mappings must be the caller's own ids or ranges that /etc/subuid and /etc/subgid give user 1000)",
    );
  });
});
