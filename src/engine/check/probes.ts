/**
 * Facts about this host that decide what containers cista can run here, read the way the engine
 * reads them: the cgroup layout by the cgroup drivers' own detection, the kernel features by the
 * addon calling the system calls the init uses. `cista check` turns them into verdicts (checks.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';

import { CGROUP_ROOT, cgroupHierarchies, detectLayout, parseProcCgroup, UNIFIED } from '../cgroups/path';
import { parseMountInfo } from '../mountinfo';
import { type KernelProbes, native } from '../native';
import { missingFromBoundingSet } from './bounding-set';

export interface CgroupFacts {
  /** hybrid: v1 controllers plus a cgroup2 mount (usually /sys/fs/cgroup/unified); none: nothing mounted. */
  layout: 'v2' | 'hybrid' | 'v1' | 'none';
  /** Mounted v1 controllers (v1, hybrid). */
  v1Controllers: string[];
  /** The cgroup2 mount and the controllers it offers at its root (v2, hybrid). */
  unifiedMount: string | undefined;
  unifiedControllers: string[];
  /** v2: our own cgroup, where containers go by default, and whether we may create cgroups in it. */
  ownCgroup: string | undefined;
  /** v2: the controllers our own cgroup has (what containers below it can use). */
  delegatedControllers: string[];
  writable: boolean;
}

export interface HostFacts {
  euid: number;
  kernel: string;
  architecture: string;
  kernelFeatures: KernelProbes;
  libseccomp: string;
  cgroups: CgroupFacts;
  /** PID 1 is systemd (sd_booted's test). */
  systemd: boolean;
  /** The Seccomp: line of /proc/self/status: 0 none, 2 a filter around cista already. */
  seccompMode: number;
  /** user.max_user_namespaces, and Debian's and Ubuntu's knobs for unprivileged ones where the kernel has them. */
  userNamespaceSysctls: Record<string, number>;
  apparmor: boolean;
  selinux: boolean;
  /** Capabilities cista knows that the bounding set lacks (a container cannot get them). */
  missingCapabilities: string[];
}

function readText(file: string): string | undefined {
  try {
    return fs.readFileSync(file, 'utf8').trim();
  } catch {
    return undefined;
  }
}

function words(text: string | undefined): string[] {
  return (text ?? '').split(/\s+/).filter((word) => word !== '');
}

function isWritable(dir: string): boolean {
  try {
    fs.accessSync(dir, fs.constants.W_OK);
    return true;
  } catch {
    return false;
  }
}

function cgroupFacts(): CgroupFacts {
  const mounts = parseMountInfo(readText('/proc/self/mountinfo') ?? '');
  const hierarchies = cgroupHierarchies(mounts);
  const unified = hierarchies.find((h) => h.subsystems.includes(UNIFIED));
  const v1Controllers = hierarchies.flatMap((h) => h.subsystems).filter((s) => s !== UNIFIED && !s.startsWith('name='));
  const unifiedControllers = unified === undefined ? [] : words(readText(`${unified.mountPoint}/cgroup.controllers`));
  if (detectLayout(mounts) === 'v2') {
    const own = parseProcCgroup(readText('/proc/self/cgroup') ?? '').get(UNIFIED) ?? '/';
    const dir = `${CGROUP_ROOT}${own === '/' ? '' : own}`;
    return {
      layout: 'v2',
      v1Controllers: [],
      unifiedMount: CGROUP_ROOT,
      unifiedControllers,
      ownCgroup: own,
      delegatedControllers: words(readText(`${dir}/cgroup.controllers`)),
      writable: isWritable(dir),
    };
  }
  const layout = v1Controllers.length === 0 ? 'none' : unified === undefined ? 'v1' : 'hybrid';
  const writable = v1Controllers.length > 0 && hierarchies.filter((h) => !h.subsystems.includes(UNIFIED)).every((h) => isWritable(h.mountPoint));
  return { layout, v1Controllers, unifiedMount: unified?.mountPoint, unifiedControllers, ownCgroup: undefined, delegatedControllers: [], writable };
}

function statusField(name: string): string | undefined {
  return new RegExp(`^${name}:\\s*(.*)$`, 'm').exec(readText('/proc/self/status') ?? '')?.[1];
}

function numberFile(file: string): number | undefined {
  const text = readText(file);
  return text === undefined ? undefined : Number(text);
}

export function probeHost(): HostFacts {
  const sysctls: Record<string, number> = {};
  for (const name of ['kernel/unprivileged_userns_clone', 'kernel/apparmor_restrict_unprivileged_userns', 'user/max_user_namespaces']) {
    const value = numberFile(`/proc/sys/${name}`);
    if (value !== undefined) sysctls[name.replace('/', '.')] = value;
  }
  return {
    euid: process.geteuid?.() ?? 0,
    kernel: os.release(),
    architecture: os.machine(),
    kernelFeatures: native().probeKernel(),
    libseccomp: native().seccompVersion(),
    cgroups: cgroupFacts(),
    systemd: fs.existsSync('/run/systemd/system'),
    seccompMode: Number(statusField('Seccomp') ?? 0),
    userNamespaceSysctls: sysctls,
    apparmor: readText('/sys/module/apparmor/parameters/enabled') === 'Y',
    selinux: fs.existsSync('/sys/fs/selinux/enforce'),
    missingCapabilities: missingFromBoundingSet(),
  };
}
