import { describe, expect, it } from 'vitest';
import {
  cgroupHierarchies,
  detectLayout,
  parseProcCgroup,
  resolveV1Paths,
  resolveV2Path,
} from '../../../src/engine/cgroups/path';
import { parseMountInfo } from '../../../src/engine/mountinfo';
import { CistaError } from '../../../src/engine/errors';

// A typical systemd hybrid host: cpu,cpuacct and net_cls,net_prio co-mounted.
const HYBRID_MOUNTINFO = `
22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
30 22 0:27 / /sys/fs/cgroup ro,nosuid,nodev,noexec shared:9 - tmpfs tmpfs ro,mode=755
31 30 0:28 / /sys/fs/cgroup/unified rw,nosuid,nodev,noexec,relatime shared:10 - cgroup2 cgroup2 rw,nsdelegate
32 30 0:29 / /sys/fs/cgroup/systemd rw,nosuid,nodev,noexec,relatime shared:11 - cgroup cgroup rw,xattr,name=systemd
33 30 0:30 / /sys/fs/cgroup/cpu,cpuacct rw,nosuid,nodev,noexec,relatime shared:14 - cgroup cgroup rw,cpu,cpuacct
34 30 0:31 / /sys/fs/cgroup/memory rw,nosuid,nodev,noexec,relatime shared:15 - cgroup cgroup rw,memory
35 30 0:32 / /sys/fs/cgroup/devices rw,nosuid,nodev,noexec,relatime shared:16 - cgroup cgroup rw,devices
36 30 0:33 / /sys/fs/cgroup/net_cls,net_prio rw,nosuid,nodev,noexec,relatime shared:17 - cgroup cgroup rw,net_cls,net_prio
37 30 0:34 / /sys/fs/cgroup/cpuset rw,nosuid,nodev,noexec,relatime shared:18 - cgroup cgroup rw,cpuset
38 30 0:35 / /sys/fs/cgroup/pids rw,nosuid,nodev,noexec,relatime shared:19 - cgroup cgroup rw,pids
39 30 0:36 / /sys/fs/cgroup/misc rw,nosuid,nodev,noexec,relatime shared:20 - cgroup cgroup rw,misc
`;

const HYBRID_PROC_CGROUP = `12:pids:/user.slice/user-0.slice/session-1.scope
11:cpuset:/
10:net_cls,net_prio:/
9:devices:/user.slice
8:memory:/user.slice/user-0.slice/session-1.scope
7:cpu,cpuacct:/user.slice
6:misc:/
1:name=systemd:/user.slice/user-0.slice/session-1.scope
0::/user.slice/user-0.slice/session-1.scope
`;

const V2_MOUNTINFO = `
22 1 0:21 / /sys rw,nosuid,nodev,noexec,relatime shared:7 - sysfs sysfs rw
30 22 0:26 / /sys/fs/cgroup rw,nosuid,nodev,noexec,relatime shared:9 - cgroup2 cgroup2 rw,nsdelegate,memory_recursiveprot
`;

describe('detectLayout', () => {
  it('is v2 when /sys/fs/cgroup is cgroup2', () => {
    expect(detectLayout(parseMountInfo(V2_MOUNTINFO))).toBe('v2');
  });
  it('is v1 on a hybrid host (tmpfs at /sys/fs/cgroup, cgroup2 only at unified)', () => {
    expect(detectLayout(parseMountInfo(HYBRID_MOUNTINFO))).toBe('v1');
  });
});

describe('cgroupHierarchies', () => {
  it('lists co-mounted subsystems together, ignores unknown ones, and lists cgroup2 as ""', () => {
    const hierarchies = cgroupHierarchies(parseMountInfo(HYBRID_MOUNTINFO));
    expect(hierarchies.map((h) => h.subsystems)).toEqual([
      [''],
      ['name=systemd'],
      ['cpu', 'cpuacct'],
      ['memory'],
      ['devices'],
      ['net_cls', 'net_prio'],
      ['cpuset'],
      ['pids'],
    ]);
  });
});

describe('parseProcCgroup', () => {
  it('maps each controller, name= hierarchies and the unified "" entry', () => {
    const cgroups = parseProcCgroup(HYBRID_PROC_CGROUP);
    expect(cgroups.get('cpu')).toBe('/user.slice');
    expect(cgroups.get('cpuacct')).toBe('/user.slice');
    expect(cgroups.get('name=systemd')).toBe('/user.slice/user-0.slice/session-1.scope');
    expect(cgroups.get('')).toBe('/user.slice/user-0.slice/session-1.scope');
  });
});

describe('resolveV1Paths', () => {
  const base = { containerId: 'ctr', mountInfo: HYBRID_MOUNTINFO, procSelfCgroup: HYBRID_PROC_CGROUP };

  it('puts an absolute cgroupsPath below every hierarchy, including hybrid unified', () => {
    expect(resolveV1Paths({ ...base, cgroupsPath: '/machine/ctr' })).toEqual({
      cpuset: '/sys/fs/cgroup/cpuset/machine/ctr',
      devices: '/sys/fs/cgroup/devices/machine/ctr',
      memory: '/sys/fs/cgroup/memory/machine/ctr',
      cpu: '/sys/fs/cgroup/cpu,cpuacct/machine/ctr',
      cpuacct: '/sys/fs/cgroup/cpu,cpuacct/machine/ctr',
      pids: '/sys/fs/cgroup/pids/machine/ctr',
      net_cls: '/sys/fs/cgroup/net_cls,net_prio/machine/ctr',
      net_prio: '/sys/fs/cgroup/net_cls,net_prio/machine/ctr',
      'name=systemd': '/sys/fs/cgroup/systemd/machine/ctr',
      '': '/sys/fs/cgroup/unified/machine/ctr',
    });
  });

  it('puts a relative cgroupsPath below our own cgroup in each hierarchy', () => {
    const paths = resolveV1Paths({ ...base, cgroupsPath: 'sub/ctr' });
    expect(paths.memory).toBe('/sys/fs/cgroup/memory/user.slice/user-0.slice/session-1.scope/sub/ctr');
    expect(paths.devices).toBe('/sys/fs/cgroup/devices/user.slice/sub/ctr');
    expect(paths.cpuset).toBe('/sys/fs/cgroup/cpuset/sub/ctr');
    expect(paths['']).toBe('/sys/fs/cgroup/unified/user.slice/user-0.slice/session-1.scope/sub/ctr');
  });

  it('uses the container id relative to our own cgroup when cgroupsPath is empty (runc 1.1)', () => {
    for (const cgroupsPath of [undefined, '']) {
      const paths = resolveV1Paths({ ...base, cgroupsPath });
      expect(paths.memory).toBe('/sys/fs/cgroup/memory/user.slice/user-0.slice/session-1.scope/ctr');
      expect(paths.cpu).toBe('/sys/fs/cgroup/cpu,cpuacct/user.slice/ctr');
    }
  });

  it('accounts for a mount rooted at our own cgroup (nested container)', () => {
    const mountInfo = '35 30 0:32 /docker/abc /sys/fs/cgroup/devices rw - cgroup cgroup rw,devices\n';
    const paths = resolveV1Paths({ containerId: 'ctr', cgroupsPath: 'x', mountInfo, procSelfCgroup: '5:devices:/docker/abc\n' });
    expect(paths).toEqual({ devices: '/sys/fs/cgroup/devices/x' });
  });

  it('normalises "." and inner ".." but rejects ".." that escapes', () => {
    expect(resolveV1Paths({ ...base, cgroupsPath: '/a/./b/../c' }).memory).toBe('/sys/fs/cgroup/memory/a/c');
    expect(() => resolveV1Paths({ ...base, cgroupsPath: '/../etc' })).toThrow(/escapes/);
    expect(() => resolveV1Paths({ ...base, cgroupsPath: 'a/../../b' })).toThrow(CistaError);
  });

  it('fails without a devices hierarchy', () => {
    const mountInfo = '34 30 0:31 / /sys/fs/cgroup/memory rw - cgroup cgroup rw,memory\n';
    expect(() => resolveV1Paths({ ...base, cgroupsPath: '/x', mountInfo })).toThrow(/devices/);
  });
});

describe('resolveV2Path', () => {
  const procSelfCgroup = '0::/user.slice/user-0.slice/session-1.scope\n';

  it('puts an absolute path below /sys/fs/cgroup', () => {
    expect(resolveV2Path({ containerId: 'ctr', cgroupsPath: '/machine/ctr', procSelfCgroup })).toBe('/sys/fs/cgroup/machine/ctr');
  });

  it('puts a relative path below the parent of our own cgroup, as runc fs2 does', () => {
    expect(resolveV2Path({ containerId: 'ctr', cgroupsPath: 'ctr', procSelfCgroup })).toBe(
      '/sys/fs/cgroup/user.slice/user-0.slice/ctr',
    );
    expect(resolveV2Path({ containerId: 'ctr', cgroupsPath: undefined, procSelfCgroup: '0::/\n' })).toBe('/sys/fs/cgroup/ctr');
  });

  it('rejects an escaping path', () => {
    expect(() => resolveV2Path({ containerId: 'ctr', cgroupsPath: '/../../x', procSelfCgroup })).toThrow(CistaError);
  });
});
