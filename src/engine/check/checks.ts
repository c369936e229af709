/**
 * `cista check`: the host facts (probes.ts) as verdicts, each with what it means for containers and
 * how to fix it. `fail` means cista cannot run any container here; `warn` that some configs fail.
 */
import { errnoName } from './errno-name';
import type { HostFacts } from './probes';
import { isImplemented } from '../spec/unsupported';

export type Verdict = 'ok' | 'warn' | 'fail';

export interface Check {
  name: string;
  verdict: Verdict;
  /** What was found. */
  found: string;
  /** What it means for containers (empty when ok needs no words). */
  meaning: string;
  fix: string;
}

export interface CheckReport {
  /** No check failed: cista can run a container here. */
  canRunContainers: boolean;
  checks: Check[];
}

function check(name: string, verdict: Verdict, found: string, meaning = '', fix = ''): Check {
  return { name, verdict, found, meaning, fix };
}

/** The kernel features the init helper uses, what breaks without each, and whether that is every container. */
const KERNEL_FEATURES: { key: keyof HostFacts['kernelFeatures']; name: string; since: string; without: string; fatal: boolean }[] = [
  { key: 'openat2', name: 'openat2', since: '5.6', without: 'the init resolves every mount destination with openat2(RESOLVE_IN_ROOT): no container can be set up', fatal: true },
  { key: 'newMountApi', name: 'new mount API', since: '5.2', without: 'the init mounts through fds (fsopen, fsmount, open_tree, move_mount): no container can be set up', fatal: true },
  { key: 'mountSetattr', name: 'mount_setattr', since: '5.12', without: 'read-only and propagation settings of mounts are made with mount_setattr: no container can be set up', fatal: true },
  { key: 'closeRange', name: 'close_range', since: '5.9', without: 'the init closes every fd it does not pass on with close_range: no process can be started', fatal: true },
  { key: 'pidfd', name: 'pidfd', since: '5.3', without: 'createContainer hooks are waited for through a pidfd: configs with hooks fail', fatal: false },
];

function kernelChecks(facts: HostFacts): Check[] {
  return KERNEL_FEATURES.map((feature) => {
    const errno = facts.kernelFeatures[feature.key];
    if (errno === 0) return check(feature.name, 'ok', 'available');
    return check(
      feature.name,
      feature.fatal ? 'fail' : 'warn',
      `not available (${errnoName(errno)})`,
      feature.without,
      errnoName(errno) === 'ENOSYS' ? `use Linux ${feature.since} or later` : 'a seccomp filter or security module around cista refuses it: run cista outside it',
    );
  });
}

function cgroupChecks(facts: HostFacts): Check[] {
  const c = facts.cgroups;
  const checks: Check[] = [];
  const list = (names: string[]) => (names.length === 0 ? 'none' : names.join(', '));
  switch (c.layout) {
    case 'v2':
      checks.push(check('cgroups', 'ok', `cgroup v2 (unified) at ${c.unifiedMount}, controllers: ${list(c.unifiedControllers)}`));
      break;
    case 'hybrid':
      checks.push(
        check(
          'cgroups',
          'warn',
          `hybrid: v1 controllers ${list(c.v1Controllers)}; cgroup2 at ${c.unifiedMount} with ${list(c.unifiedControllers)}`,
          'cista uses the v1 controllers (as runc does on such hosts): linux.resources.unified is refused, and limits of controllers that only cgroup2 has here (such as hugetlb) fail',
          'boot with systemd.unified_cgroup_hierarchy=1 (or cgroup_no_v1=all) for a cgroup v2 host',
        ),
      );
      break;
    case 'v1':
      checks.push(check('cgroups', 'warn', `cgroup v1: controllers ${list(c.v1Controllers)}`, 'linux.resources.unified is refused', 'boot with systemd.unified_cgroup_hierarchy=1 for cgroup v2'));
      break;
    case 'none':
      checks.push(check('cgroups', 'fail', 'no cgroup filesystem mounted', 'every container gets a cgroup: none can be created', 'mount cgroup2 at /sys/fs/cgroup'));
  }
  const available = c.layout === 'v2' ? c.delegatedControllers : c.v1Controllers;
  const wanted: [string, string][] = [
    ['memory', 'linux.resources.memory'],
    ['cpu', 'linux.resources.cpu shares, quota and period'],
    ['cpuset', 'linux.resources.cpu cpus and mems'],
    ['pids', 'linux.resources.pids'],
    [c.layout === 'v2' ? 'io' : 'blkio', 'linux.resources.blockIO'],
    ['hugetlb', 'linux.resources.hugepageLimits'],
  ];
  if (c.layout !== 'v2') wanted.push(['devices', 'linux.resources.devices (every container)'], ['freezer', 'pause and resume']);
  const missing = wanted.filter(([name]) => !available.includes(name));
  if (c.layout !== 'none') {
    checks.push(
      missing.length === 0
        ? check('cgroup controllers', 'ok', list(available))
        : check(
            'cgroup controllers',
            missing.some(([name]) => name === 'devices') ? 'fail' : 'warn',
            `missing: ${missing.map(([name]) => name).join(', ')}`,
            `configs that set ${missing.map(([, field]) => field).join('; ')} are refused`,
            c.layout === 'v2' ? 'enable the controllers in cgroup.subtree_control of the parent cgroups (or Delegate= in the systemd unit)' : 'mount the missing v1 controllers',
          ),
    );
    const where = c.layout === 'v2' ? `our cgroup ${c.ownCgroup}` : 'the v1 hierarchies';
    checks.push(
      c.writable
        ? check('cgroup delegation', 'ok', `cista may create cgroups in ${where}`)
        : check(
            'cgroup delegation',
            facts.euid === 0 ? 'fail' : 'warn',
            `cista may not create cgroups in ${where}`,
            facts.euid === 0 ? 'every container gets a cgroup: none can be created' : 'a rootless container runs without a cgroup of its own, and one that sets limits is refused',
            c.layout === 'v2' ? 'delegate a cgroup to this user (systemd: Delegate=yes; or chown the cgroup directory)' : 'run as root',
          ),
    );
  }
  return checks;
}

function securityChecks(facts: HostFacts): Check[] {
  const checks: Check[] = [];
  const seccompErrno = facts.kernelFeatures.seccomp;
  checks.push(
    seccompErrno === 0
      ? check('seccomp', 'ok', `kernel filters available, libseccomp ${facts.libseccomp}${facts.seccompMode === 2 ? '; cista itself runs under a filter, which containers inherit' : ''}`)
      : check('seccomp', 'warn', `not available (${errnoName(seccompErrno)})`, 'configs with linux.seccomp fail', 'use a kernel built with CONFIG_SECCOMP_FILTER'),
  );
  const sysctls = facts.userNamespaceSysctls;
  const max = sysctls['user.max_user_namespaces'];
  const restricted = Object.entries(sysctls).filter(([name, value]) => (name === 'kernel.unprivileged_userns_clone' && value === 0) || (name === 'kernel.apparmor_restrict_unprivileged_userns' && value === 1));
  const sysctlText = Object.entries(sysctls).map(([name, value]) => `${name}=${value}`).join(', ');
  if (max === undefined || max === 0) {
    checks.push(check('user namespaces', 'warn', max === undefined ? 'not in this kernel' : sysctlText, 'configs with a user namespace (rootless ones too) fail', 'sysctl user.max_user_namespaces=15000'));
  } else if (restricted.length > 0) {
    checks.push(check('user namespaces', 'warn', sysctlText, 'root can create them; an unprivileged user cannot, so rootless containers fail', `sysctl ${restricted.map(([name]) => `${name}=${name.endsWith('clone') ? 1 : 0}`).join(' ')}`));
  } else {
    checks.push(check('user namespaces', 'ok', sysctlText));
  }
  for (const [name, enabled, pointer] of [
    ['AppArmor', facts.apparmor, '/process/apparmorProfile'],
    ['SELinux', facts.selinux, '/process/selinuxLabel'],
  ] as const) {
    const field = pointer.slice(pointer.lastIndexOf('/') + 1);
    if (!isImplemented(pointer)) {
      checks.push(check(name, enabled ? 'warn' : 'ok', enabled ? 'enabled' : 'not enabled', `cista does not apply ${field} yet: configs that set it are refused${enabled ? ', so the host\'s policy cannot confine containers by label' : ''}`));
    } else {
      checks.push(check(name, 'ok', enabled ? 'enabled' : 'not enabled', enabled ? '' : `configs that set ${field} are refused`));
    }
  }
  checks.push(
    facts.missingCapabilities.length === 0
      ? check('capability bounding set', 'ok', 'every capability')
      : check(
          'capability bounding set',
          'warn',
          `missing ${facts.missingCapabilities.join(', ')}`,
          `no container can get ${facts.missingCapabilities.length === 1 ? 'it' : 'them'}: create refuses a config that lists ${facts.missingCapabilities.length === 1 ? 'it' : 'one'} in process.capabilities`,
          'run cista from a process that has the full bounding set (not from inside a container or a unit with CapabilityBoundingSet=)',
        ),
  );
  return checks;
}

export function checkHost(facts: HostFacts): CheckReport {
  const checks: Check[] = [
    facts.euid === 0
      ? check('privileges', 'ok', 'root')
      : check('privileges', 'warn', `uid ${facts.euid}, not root`, 'only rootless configs (with a user namespace) can run', 'run as root or use a rootless config (cista spec --rootless)'),
    check('kernel', 'ok', `Linux ${facts.kernel} (${facts.architecture})`),
    ...kernelChecks(facts),
    ...cgroupChecks(facts),
    check(
      'systemd',
      'ok',
      facts.systemd ? 'PID 1 is systemd' : 'PID 1 is not systemd',
      facts.systemd ? '' : '--systemd-cgroup cannot be used here; the cgroupfs driver is',
    ),
    ...securityChecks(facts),
  ];
  return { canRunContainers: !checks.some((c) => c.verdict === 'fail'), checks };
}

/** The report as text: one line per check, its meaning and fix indented below it. */
export function formatReport(report: CheckReport): string {
  const width = Math.max(...report.checks.map((c) => c.name.length));
  const lines = report.checks.flatMap((c) => [
    `${c.verdict.padEnd(5)} ${c.name.padEnd(width)}  ${c.found}`,
    ...(c.meaning === '' ? [] : [`${''.padEnd(width + 8)}meaning: ${c.meaning}`]),
    ...(c.fix === '' ? [] : [`${''.padEnd(width + 8)}fix: ${c.fix}`]),
  ]);
  const verdict = report.canRunContainers
    ? report.checks.some((c) => c.verdict === 'warn')
      ? 'cista can run containers on this host, with the limits marked warn.'
      : 'cista can run containers on this host.'
    : 'cista cannot run containers on this host: fix what is marked fail.';
  return `${lines.join('\n')}\n\n${verdict}\n`;
}
