/**
 * Where a container's cgroup directories are, computed the way runc 1.1's cgroupfs drivers do
 * (libcontainer/cgroups/fs and fs2, no systemd). Pure functions over the text of
 * /proc/self/mountinfo and /proc/self/cgroup so they can be tested without root.
 */
import * as path from 'node:path';
import { CistaError } from '../errors';
import { type MountInfoEntry, parseMountInfo } from '../mountinfo';

/** The v1 subsystems runc's fs manager knows, in its order; "" (the unified hierarchy) is added in hybrid mode. */
export const V1_SUBSYSTEMS = [
  'cpuset',
  'devices',
  'memory',
  'cpu',
  'cpuacct',
  'pids',
  'blkio',
  'hugetlb',
  'net_cls',
  'net_prio',
  'perf_event',
  'freezer',
  'rdma',
  'name=systemd',
] as const;

/** The key of the unified (cgroup2) hierarchy, as in the "0::/path" line of /proc/self/cgroup. */
export const UNIFIED = '';

export const CGROUP_ROOT = '/sys/fs/cgroup';

/** A mounted cgroup hierarchy: one cgroup2 mount, or one v1 mount with its co-mounted subsystems. */
export interface CgroupHierarchy {
  /** v1: e.g. ["cpu", "cpuacct"] or ["name=systemd"]; cgroup2: [""]. */
  subsystems: string[];
  mountPoint: string;
  root: string;
}

export type CgroupLayout = 'v1' | 'v2';

/** v2 when /sys/fs/cgroup itself is a cgroup2 mount (the last mount there wins, as it hides the others). */
export function detectLayout(mounts: MountInfoEntry[]): CgroupLayout {
  const top = mounts.filter((m) => m.mountPoint === CGROUP_ROOT).at(-1);
  return top?.fstype === 'cgroup2' ? 'v2' : 'v1';
}

/** The cgroup hierarchies runc would use: the first mount of each, cgroup2 listed with subsystem "". */
export function cgroupHierarchies(mounts: MountInfoEntry[]): CgroupHierarchy[] {
  const known = new Set<string>(V1_SUBSYSTEMS);
  const hierarchies: CgroupHierarchy[] = [];
  const seen = new Set<string>();
  for (const mount of mounts) {
    let subsystems: string[];
    if (mount.fstype === 'cgroup2') {
      subsystems = [UNIFIED];
    } else if (mount.fstype === 'cgroup') {
      subsystems = mount.superOptions.filter((option) => known.has(option));
      if (subsystems.length === 0) continue;
    } else {
      continue;
    }
    const key = subsystems.join(',');
    if (seen.has(key)) continue;
    seen.add(key);
    hierarchies.push({ subsystems, mountPoint: mount.mountPoint, root: mount.root });
  }
  return hierarchies;
}

/** /proc/<pid>/cgroup as subsystem -> path; co-mounted subsystems each get an entry, cgroup2 is "". */
export function parseProcCgroup(text: string): Map<string, string> {
  const cgroups = new Map<string, string>();
  for (const line of text.split('\n')) {
    if (line.trim() === '') continue;
    const first = line.indexOf(':');
    const second = line.indexOf(':', first + 1);
    if (first < 0 || second < 0) throw new CistaError(`cgroup: malformed /proc/self/cgroup line: ${line}`);
    const controllers = line.slice(first + 1, second);
    const cgroupPath = line.slice(second + 1);
    for (const controller of controllers.split(',')) cgroups.set(controller, cgroupPath);
  }
  return cgroups;
}

interface InnerPath {
  absolute: boolean;
  /** Normalised, no "." or ".." left; "" for the hierarchy root itself. */
  path: string;
}

/**
 * linux.cgroupsPath normalised. runc silently clamps ".." at the root; cista refuses it, since a
 * path that climbs out of where it points is a configuration mistake at best.
 */
function innerPath(cgroupsPath: string | undefined, containerId: string): InnerPath {
  // runc 1.1 (specconv): no cgroupsPath means Name = container id, Parent = "": a relative path.
  const raw = cgroupsPath === undefined || cgroupsPath === '' ? containerId : cgroupsPath;
  const absolute = raw.startsWith('/');
  const components: string[] = [];
  for (const component of raw.split('/')) {
    if (component === '' || component === '.') continue;
    if (component === '..') {
      if (components.length === 0) {
        throw new CistaError(`cgroupsPath ${JSON.stringify(raw)} escapes its cgroup root with ".."`);
      }
      components.pop();
      continue;
    }
    components.push(component);
  }
  return { absolute, path: components.join('/') };
}

export interface PathInputs {
  containerId: string;
  cgroupsPath: string | undefined;
  /** Text of /proc/self/mountinfo. */
  mountInfo: string;
  /** Text of /proc/self/cgroup. */
  procSelfCgroup: string;
}

/** The cgroup the calling process is in for a hierarchy, as a path below that hierarchy's mount. */
function ownCgroupBelowMount(hierarchy: CgroupHierarchy, own: Map<string, string>): string {
  const key = hierarchy.subsystems[0];
  const cgroupPath = own.get(key);
  if (cgroupPath === undefined) {
    throw new CistaError(`cgroup: /proc/self/cgroup has no entry for ${key === UNIFIED ? 'the unified hierarchy' : key}`);
  }
  // In a nested container the mount's root is our own cgroup and /proc/self/cgroup shows host paths.
  const relative = path.posix.relative(hierarchy.root, cgroupPath);
  if (relative.startsWith('..')) {
    throw new CistaError(`cgroup: own cgroup ${cgroupPath} is outside the ${key} mount's root ${hierarchy.root}`);
  }
  return relative;
}

/**
 * v1 (including hybrid): subsystem -> absolute directory, for every subsystem of runc's list that
 * is mounted, plus "" for the unified hierarchy in hybrid mode. Absolute cgroupsPath goes below each
 * mount point, relative below the calling process's own cgroup. The devices subsystem is required.
 */
export function resolveV1Paths(inputs: PathInputs): Record<string, string> {
  const inner = innerPath(inputs.cgroupsPath, inputs.containerId);
  const hierarchies = cgroupHierarchies(parseMountInfo(inputs.mountInfo));
  const own = inner.absolute ? new Map<string, string>() : parseProcCgroup(inputs.procSelfCgroup);
  const paths: Record<string, string> = {};
  for (const subsystem of [...V1_SUBSYSTEMS, UNIFIED]) {
    const hierarchy = hierarchies.find((h) => h.subsystems.includes(subsystem));
    if (hierarchy === undefined) continue;
    const parent = inner.absolute ? '' : ownCgroupBelowMount(hierarchy, own);
    paths[subsystem] = path.posix.join(hierarchy.mountPoint, parent, inner.path);
  }
  // Without a devices cgroup the container would get every device: runc treats that as fatal.
  if (paths.devices === undefined) throw new CistaError('cgroup: the devices cgroup (v1) is not mounted');
  return paths;
}

/**
 * v2: the one directory. Like runc's fs2 driver, a relative path goes below the *parent* of the
 * calling process's cgroup, since our own cgroup has processes and so cannot have controllers
 * enabled for children.
 */
export function resolveV2Path(inputs: Omit<PathInputs, 'mountInfo'>): string {
  const inner = innerPath(inputs.cgroupsPath, inputs.containerId);
  if (inner.absolute) return path.posix.join(CGROUP_ROOT, inner.path);
  const own = parseProcCgroup(inputs.procSelfCgroup).get(UNIFIED);
  if (own === undefined) throw new CistaError('cgroup: /proc/self/cgroup has no cgroup2 entry');
  return path.posix.join(CGROUP_ROOT, path.posix.dirname(own), inner.path);
}
