import { describe, expect, it } from 'vitest';

import { checkHost, formatReport } from '../../../src/engine/check/checks';
import type { HostFacts } from '../../../src/engine/check/probes';

const V2_HOST: HostFacts = {
  euid: 0,
  kernel: '6.1.0',
  architecture: 'x86_64',
  kernelFeatures: { openat2: 0, newMountApi: 0, mountSetattr: 0, closeRange: 0, pidfd: 0, seccomp: 0 },
  libseccomp: '2.5.4',
  cgroups: {
    layout: 'v2',
    v1Controllers: [],
    unifiedMount: '/sys/fs/cgroup',
    unifiedControllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'],
    ownCgroup: '/',
    delegatedControllers: ['cpuset', 'cpu', 'io', 'memory', 'hugetlb', 'pids'],
    writable: true,
  },
  systemd: true,
  seccompMode: 0,
  userNamespaceSysctls: { 'user.max_user_namespaces': 1000 },
  apparmor: false,
  selinux: false,
  missingCapabilities: [],
};

const verdicts = (facts: HostFacts) => Object.fromEntries(checkHost(facts).checks.map((c) => [c.name, c.verdict]));

describe('cista check verdicts', () => {
  it('a cgroup v2 host with every feature passes everything', () => {
    const report = checkHost(V2_HOST);
    expect(report.canRunContainers).toBe(true);
    expect(report.checks.filter((c) => c.verdict !== 'ok')).toEqual([]);
    expect(formatReport(report)).toMatch(/\n\ncista can run containers on this host\.\n$/);
  });

  it('a kernel without openat2 cannot run any container: fail, and the fix names the version', () => {
    const report = checkHost({ ...V2_HOST, kernelFeatures: { ...V2_HOST.kernelFeatures, openat2: 38 } });
    expect(report.canRunContainers).toBe(false);
    expect(report.checks.find((c) => c.name === 'openat2')).toMatchObject({ verdict: 'fail', found: 'not available (ENOSYS)', fix: 'use Linux 5.6 or later' });
    expect(formatReport(report)).toMatch(/cannot run containers on this host: fix what is marked fail\.\n$/);
  });

  it('pidfd missing only breaks hooks: warn', () => {
    expect(verdicts({ ...V2_HOST, kernelFeatures: { ...V2_HOST.kernelFeatures, pidfd: 38 } }).pidfd).toBe('warn');
  });

  it('no cgroups mounted, or root unable to create them: fail', () => {
    expect(checkHost({ ...V2_HOST, cgroups: { ...V2_HOST.cgroups, layout: 'none', unifiedMount: undefined } }).canRunContainers).toBe(false);
    expect(verdicts({ ...V2_HOST, cgroups: { ...V2_HOST.cgroups, writable: false } })['cgroup delegation']).toBe('fail');
    expect(verdicts({ ...V2_HOST, euid: 1000, cgroups: { ...V2_HOST.cgroups, writable: false } })['cgroup delegation']).toBe('warn');
  });

  it('v2 controllers not delegated are named with the fields they refuse', () => {
    const check = checkHost({ ...V2_HOST, cgroups: { ...V2_HOST.cgroups, delegatedControllers: ['memory', 'pids'] } }).checks.find((c) => c.name === 'cgroup controllers');
    expect(check).toMatchObject({ verdict: 'warn', found: 'missing: cpu, cpuset, io, hugetlb' });
  });

  it('unprivileged user namespaces switched off: rootless containers fail, and the sysctl to set', () => {
    const check = checkHost({ ...V2_HOST, userNamespaceSysctls: { 'kernel.unprivileged_userns_clone': 0, 'user.max_user_namespaces': 1000 } }).checks.find((c) => c.name === 'user namespaces');
    expect(check).toMatchObject({ verdict: 'warn', fix: 'sysctl kernel.unprivileged_userns_clone=1' });
  });
});
