import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch, readConfig } from '../helpers/bundle';
import { cista, CISTA, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('check');
  // This test describes this CI host: hybrid cgroups, no CAP_SYS_RESOURCE in the bounding set.
  requireFile('/sys/fs/cgroup/unified/cgroup.controllers', 'a hybrid cgroup host (cgroup2 at /sys/fs/cgroup/unified)');
});

afterAll(() => scratch.cleanup());

describe('cista check', () => {
  it('reports this host: hybrid cgroups and the missing CAP_SYS_RESOURCE, each with meaning and fix; it can run containers', () => {
    const r = cista('/run/cista', ['check', '--format', 'json']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const report = JSON.parse(r.stdout);
    expect(report.canRunContainers).toBe(true);
    const byName = Object.fromEntries(report.checks.map((c: { name: string }) => [c.name, c]));
    expect(byName.cgroups).toMatchObject({ verdict: 'warn', found: expect.stringMatching(/^hybrid: v1 controllers .*memory.*; cgroup2 at \/sys\/fs\/cgroup\/unified with hugetlb$/), fix: expect.stringMatching(/unified_cgroup_hierarchy/) });
    expect(byName['capability bounding set']).toMatchObject({ verdict: 'warn', found: 'missing CAP_SYS_RESOURCE', meaning: expect.stringMatching(/create refuses a config that lists it/) });
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

describe('what check reports is what create does', () => {
  it('a config asking for CAP_SYS_RESOURCE, missing from the bounding set, is refused by JSON path', () => {
    const bundle = scratch.bundle('capability', ['true'], (c) => c.process.capabilities.effective.push('CAP_SYS_RESOURCE'));
    const index = readConfig(bundle).process.capabilities.effective.length - 1;
    expect(cista(scratch.root, ['run', '--bundle', bundle, 'cap1'])).toEqual({
      code: 1,
      stdout: '',
      stderr: `cista: config.json: /process/capabilities/effective/${index}: CAP_SYS_RESOURCE is not in the capability bounding set cista runs with, so no container here can have it (see cista check)\n`,
    });
    expect(leftovers(scratch.root, 'cap1', bundle)).toEqual([]);
  });
});
