import { beforeAll, describe, expect, it } from 'vitest';

import { cista, CISTA, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';

beforeAll(() => {
  requireRoot();
  // This test describes this CI host: hybrid cgroups, no CAP_SYS_RESOURCE in the bounding set.
  requireFile('/sys/fs/cgroup/unified/cgroup.controllers', 'a hybrid cgroup host (cgroup2 at /sys/fs/cgroup/unified)');
});

describe('cista check', () => {
  it('reports this host: hybrid cgroups and the missing CAP_SYS_RESOURCE, each with meaning and fix; it can run containers', () => {
    const r = cista('/run/cista', ['check', '--format', 'json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout);
    expect(report.canRunContainers).toBe(true);
    const byName = Object.fromEntries(report.checks.map((c: { name: string }) => [c.name, c]));
    expect(byName.cgroups).toMatchObject({ verdict: 'warn', found: expect.stringMatching(/^hybrid: v1 controllers .*memory.*; cgroup2 at \/sys\/fs\/cgroup\/unified with hugetlb$/), fix: expect.stringMatching(/unified_cgroup_hierarchy/) });
    expect(byName['capability bounding set']).toMatchObject({ verdict: 'warn', found: 'missing CAP_SYS_RESOURCE', meaning: expect.stringMatching(/fails at create/) });
    for (const feature of ['openat2', 'new mount API', 'mount_setattr', 'close_range', 'pidfd', 'seccomp']) expect(byName[feature].verdict).toBe('ok');
    expect(byName.seccomp.found).toMatch(/libseccomp \d+\.\d+\.\d+/);
    expect(byName['user namespaces'].found).toMatch(/user\.max_user_namespaces=\d+/);
    expect(Object.keys(byName)).toEqual(expect.arrayContaining(['privileges', 'kernel', 'cgroup controllers', 'cgroup delegation', 'systemd', 'AppArmor', 'SELinux']));
    for (const c of report.checks) expect(Object.keys(c)).toEqual(['name', 'verdict', 'found', 'meaning', 'fix']);
  });

  it('prints the same as text, one line per check with its meaning and fix below', () => {
    const r = cista('/run/cista', ['check']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^warn +cgroups +hybrid: /m);
    expect(r.stdout).toMatch(/^warn +capability bounding set +missing CAP_SYS_RESOURCE\n +meaning: .*\n +fix: /m);
    expect(r.stdout).toMatch(/\n\ncista can run containers on this host, with the limits marked warn\.\n$/);
  });

  it('as an unprivileged user: what stops containers, and what to do', () => {
    requireFile('/usr/bin/setpriv', 'util-linux setpriv runs cista as an unprivileged user');
    const r = exec('/usr/bin/setpriv', ['--reuid=65534', '--regid=65534', '--clear-groups', CISTA, 'check', '--format', 'json']);
    const byName = Object.fromEntries(JSON.parse(r.stdout).checks.map((c: { name: string }) => [c.name, c]));
    expect(byName.privileges).toMatchObject({ verdict: 'warn', found: 'uid 65534, not root', fix: 'run as root or use a rootless config (cista spec --rootless)' });
    expect(byName['cgroup delegation']).toMatchObject({ verdict: 'warn', found: 'cista may not create cgroups in the v1 hierarchies' });
  });
});
