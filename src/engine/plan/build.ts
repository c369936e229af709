import * as path from 'node:path';

import { ConfigError } from '../errors';
import { hookArgv } from '../hooks/run';
import type { MountIdmap } from '../rootfs/idmapped-mounts';
import type { Hook, Mount, Process, Spec } from '../spec/schema';
import { type SecurityModules, effectiveMountLabel, labelMounts, processSecurity } from '../lsm';
import { type Caller, unprivilegedOnHost } from '../caller';
import { idMapWriter } from '../rootless';
import { formatIdMap } from '../spec/id-mappings';
import { DEVICE_FILE_TYPES, RLIMIT_TYPES } from '../spec/vocabulary';
import { capabilityMask } from './capabilities';
import { MS_BIND, MS_RDONLY, MS_REC, MS_SLAVE, PROPAGATION, parseMountOptions } from './mount-flags';
import { CLONE_NEWCGROUP, CLONE_NEWPID, CLONE_NEWTIME, CLONE_NEWUSER, NAMESPACE_FLAGS, planTimeOffsets } from './namespaces';
import { planCpuAffinity, planIoPriority, planMemoryPolicy, planPersonality, planScheduler } from './process-attributes';
import { type SeccompPlan, planSeccomp } from './seccomp';
import type { CgroupMountLayout } from '../cgroups/manager';
import { cgroupMountSteps } from '../cgroups/mount-steps';
import { DestinationKind, type DeviceNode, type IdMaps, type JoinNamespace, type LaunchPlan, MountKind, type MountStep, type PlanHook, type Symlink } from './plan';

/** What planning needs to know about the host; a fake in unit tests. */
export interface HostView {
  /** true: a directory; false: something else; undefined: missing. */
  isDirectory(hostPath: string): boolean | undefined;
  /** Whether AppArmor and SELinux are enabled. */
  securityModules: SecurityModules;
}

export interface PlanOptions {
  containerId: string;
  bundle: string;
  noPivot: boolean;
  noNewKeyring: boolean;
  host: HostView;
  /** Who runs cista: an unprivileged caller writes id maps differently, and in a user namespace cannot mount sysfs for the host's network namespace. */
  caller: Caller;
  /** Hears what planning ignored (--debug). */
  debug?: (message: string) => void;
  /** The container's cgroups as its driver lays them out, for mounts of type "cgroup". */
  cgroupMount: CgroupMountLayout;
}

export interface PlannedLaunch {
  plan: LaunchPlan;
  /** New namespaces created by clone() itself. */
  cloneFlags: number;
  /**
   * Namespaces the runtime's thread enters around clone(), so that the init is born in them: a
   * joined pid namespace, and with a new user namespace every joined one (the init could not join
   * namespaces of the host's user namespace from inside it).
   */
  cloneJoins: JoinNamespace[];
  /**
   * A caller without privileges on the host cannot enter a joined pid namespace from its thread (nor
   * return from it): the child enters it and goes on as its own child (SpawnRequest.childJoins).
   */
  childJoins: JoinNamespace[];
  /**
   * With a new user namespace: what the runtime writes to the init's /proc/<pid>/uid_map and
   * gid_map (and how) between clone() and the init's exec; null otherwise.
   */
  idMaps: IdMaps | null;
  /**
   * process.oomScoreAdj, written by the runtime to the init's /proc/<pid>/oom_score_adj (null: leave
   * it): lowering it takes CAP_SYS_RESOURCE in the host's user namespace, which an init in a new user
   * namespace does not have (runc sets it before entering one, too).
   */
  oomScoreAdj: number | null;
  /** Absolute host path of the root filesystem. */
  rootfs: string;
  /** How the runtime idmaps each idmapped bind the init sends it, by the step's index in plan.mounts. */
  idmappedMounts: Map<number, MountIdmap>;
  /**
   * linux.seccomp resolved for the addon's compileSeccompFilter(); the caller compiles it and sets
   * plan.seccomp (null in the plan returned here, which stays pure).
   */
  seccomp: SeccompPlan | null;
}

/** The devices every container gets when /dev is not bind-mounted from the host, as runc makes them. */
const DEFAULT_DEVICES: ReadonlyArray<{ path: string; major: number; minor: number }> = [
  { path: '/dev/null', major: 1, minor: 3 },
  { path: '/dev/zero', major: 1, minor: 5 },
  { path: '/dev/full', major: 1, minor: 7 },
  { path: '/dev/tty', major: 5, minor: 0 },
  { path: '/dev/urandom', major: 1, minor: 9 },
  { path: '/dev/random', major: 1, minor: 8 },
];

const DEFAULT_DEV_SYMLINKS: readonly Symlink[] = [
  { target: '/proc/self/fd', path: '/dev/fd' },
  { target: '/proc/self/fd/0', path: '/dev/stdin' },
  { target: '/proc/self/fd/1', path: '/dev/stdout' },
  { target: '/proc/self/fd/2', path: '/dev/stderr' },
  { target: 'pts/ptmx', path: '/dev/ptmx' },
];

const DEFAULT_UMASK = 0o022;

/**
 * `sysfsAsBind`: the kernel mounts a sysfs only for the owner of the network namespace, so in a
 * user namespace without a network namespace of its own the host's /sys is bind-mounted instead
 * (runc's fallback), with the flags asked for the sysfs.
 */
function planMount(mount: Mount, index: number, options: PlanOptions, sysfsAsBind: boolean, cgroupNamespace: boolean): MountStep[] {
  const parsed = parseMountOptions(mount.options ?? []);
  const type = mount.type ?? '';
  if (type === 'cgroup') {
    return cgroupMountSteps(options.cgroupMount, mount.destination, {
      readonly: (parsed.flags & MS_RDONLY) !== 0,
      flags: parsed.flags & ~MS_RDONLY,
      cgroupNamespace,
    });
  }
  const isSysfsBind = type === 'sysfs' && sysfsAsBind;
  const isBind = isSysfsBind || type === 'bind' || (parsed.flags & MS_BIND) !== 0;
  if (isBind) {
    const source = isSysfsBind ? '/sys' : path.resolve(options.bundle, mount.source ?? '');
    const isDirectory = options.host.isDirectory(source);
    if (isDirectory === undefined) {
      throw new ConfigError(`/mounts/${index}/source`, `bind source ${source} does not exist`);
    }
    const bindFlags = MS_BIND | (isSysfsBind ? MS_REC : parsed.flags & MS_REC);
    return [
      {
        kind: MountKind.Bind,
        source,
        destination: mount.destination,
        fstype: '',
        flags: bindFlags,
        // A bind ignores every flag but MS_REC; the others need a remount of the new mount.
        remountFlags: parsed.flags & ~(MS_BIND | MS_REC),
        propagation: parsed.propagation,
        data: '',
        destinationKind: isDirectory ? DestinationKind.Directory : DestinationKind.File,
      },
    ];
  }
  return [
    {
      kind: MountKind.Filesystem,
      source: mount.source ?? type,
      destination: mount.destination,
      fstype: type,
      flags: parsed.flags,
      remountFlags: 0,
      propagation: parsed.propagation,
      data: parsed.data,
      destinationKind: DestinationKind.Directory,
      // As in runc, the option means nothing to other filesystems and is dropped for them.
      ...(parsed.tmpCopyUp && type === 'tmpfs' ? { copyUp: true } : {}),
    },
  ];
}

/**
 * The idmapping of a bind mount, or null. Without mappings of its own, an `idmap`/`ridmap` mount takes
 * the container's user namespace's (runc 1.2, crun): the maps of a new one, or a joined one itself.
 * Validation (semantic.ts) has made sure it is a bind, with both mappings or a user namespace.
 */
function planIdmap(mount: Mount, index: number, spec: Spec): MountIdmap | null {
  const { idmap } = parseMountOptions(mount.options ?? []);
  const uidMappings = mount.uidMappings ?? [];
  const gidMappings = mount.gidMappings ?? [];
  const hasOwnMappings = uidMappings.length > 0 || gidMappings.length > 0;
  if (!hasOwnMappings && idmap === null) return null;
  const common = { recursive: idmap === 'ridmap', pointer: `/mounts/${index}`, destination: mount.destination };
  if (hasOwnMappings) return { ...common, userNamespace: { uidMap: formatIdMap(uidMappings), gidMap: formatIdMap(gidMappings) } };
  const linux = spec.linux ?? {};
  const user = (linux.namespaces ?? []).find((ns) => ns.type === 'user');
  if (user?.path) return { ...common, userNamespace: { path: user.path } };
  return { ...common, userNamespace: { uidMap: formatIdMap(linux.uidMappings ?? []), gidMap: formatIdMap(linux.gidMappings ?? []) } };
}

function planDevices(spec: Spec, setupDev: boolean): DeviceNode[] {
  const devices: DeviceNode[] = [];
  if (setupDev) {
    for (const d of DEFAULT_DEVICES) {
      devices.push({ path: d.path, fileType: DEVICE_FILE_TYPES.c, major: d.major, minor: d.minor, mode: 0o666, uid: 0, gid: 0 });
    }
  }
  for (const d of spec.linux?.devices ?? []) {
    const node: DeviceNode = {
      path: d.path,
      fileType: DEVICE_FILE_TYPES[d.type],
      // Numbers within the kernel's range (checkSemantics), so exact as numbers.
      major: Number(d.major ?? 0),
      minor: Number(d.minor ?? 0),
      mode: (d.fileMode ?? 0o666) & 0o7777,
      uid: d.uid ?? 0,
      gid: d.gid ?? 0,
    };
    // A configured device replaces a default one at the same path.
    const existing = devices.findIndex((x) => x.path === node.path);
    if (existing >= 0) devices[existing] = node;
    else devices.push(node);
  }
  return devices;
}

/** What the init does for the process itself: limits, identity, capabilities, program, terminal. Shared by create and exec. */
export type ProcessSteps = Pick<
  LaunchPlan,
  | 'rlimits'
  | 'uid'
  | 'gid'
  | 'additionalGids'
  | 'umask'
  | 'capabilities'
  | 'noNewPrivileges'
  | 'seccomp'
  | 'scheduler'
  | 'ioPriority'
  | 'cwd'
  | 'args'
  | 'env'
  | 'terminal'
  | 'consoleSize'
>;

export function planProcess(process: Process): ProcessSteps {
  const caps = process.capabilities ?? {};
  return {
    rlimits: (process.rlimits ?? []).map((r) => ({ resource: (RLIMIT_TYPES as readonly string[]).indexOf(r.type), soft: BigInt(r.soft), hard: BigInt(r.hard) })),
    uid: process.user?.uid ?? 0,
    gid: process.user?.gid ?? 0,
    additionalGids: process.user?.additionalGids ?? [],
    umask: process.user?.umask ?? DEFAULT_UMASK,
    capabilities: {
      bounding: capabilityMask(caps.bounding),
      effective: capabilityMask(caps.effective),
      permitted: capabilityMask(caps.permitted),
      inheritable: capabilityMask(caps.inheritable),
      ambient: capabilityMask(caps.ambient),
    },
    noNewPrivileges: process.noNewPrivileges === true,
    seccomp: null,
    scheduler: planScheduler(process),
    ioPriority: planIoPriority(process),
    cwd: process.cwd,
    args: process.args ?? [],
    env: process.env ?? [],
    terminal: process.terminal === true,
    consoleSize: process.consoleSize ? { rows: Number(process.consoleSize.height), columns: Number(process.consoleSize.width) } : null,
  };
}

function planHook(hook: Hook): PlanHook {
  return { path: hook.path, args: hookArgv(hook), env: hook.env ?? [], timeoutSeconds: hook.timeout ?? 0 };
}

/** Turns a validated config into the launch plan the init helper carries out. */
export function buildLaunchPlan(spec: Spec, options: PlanOptions): PlannedLaunch {
  const linux = spec.linux ?? {};
  // Without a process (allowed until start) the init sets the container up with no capabilities
  // and no program: it waits, and start refuses it.
  const process = spec.process ?? { cwd: '/', args: [] };
  if (spec.root === undefined) throw new ConfigError('/root', 'is required');

  let cloneFlags = 0;
  let unshareFlags = 0;
  const cloneJoins: JoinNamespace[] = [];
  const childJoins: JoinNamespace[] = [];
  const unprivileged = unprivilegedOnHost(options.caller);
  const joins: JoinNamespace[] = [];
  const namespaces = linux.namespaces ?? [];
  const isJoined = (ns: { path?: string }) => ns.path !== undefined && ns.path !== '';
  const createsUserNamespace = namespaces.some((ns) => ns.type === 'user' && !isJoined(ns));
  // Namespaces are owned by the user namespace their creator is in. With a joined user namespace,
  // the init makes its new namespaces itself, after joining it (a new pid namespace too: the init
  // then forks into it, as runc's nsexec does).
  const joinsUserNamespace = namespaces.some((ns) => ns.type === 'user' && isJoined(ns));
  // The kernel puts only children in a new time namespace (or, since some 6.x, a process at execve):
  // the init unshares it (with a new pid namespace, whose pid 1 must be in it too), writes the
  // offsets while it is empty, and forks into both, as runc's and crun's inits do.
  const createsTimeNamespace = namespaces.some((ns) => ns.type === 'time' && !isJoined(ns));
  for (const ns of namespaces) {
    const flag = NAMESPACE_FLAGS[ns.type];
    if (isJoined(ns)) {
      const join = { type: flag, path: ns.path! };
      if (flag === CLONE_NEWPID && !createsUserNamespace && unprivileged) childJoins.push(join);
      else if (flag === CLONE_NEWPID || createsUserNamespace) cloneJoins.push(join);
      // The user namespace is joined first: it governs the permission to join the others.
      else if (flag === CLONE_NEWUSER) joins.unshift(join);
      else joins.push(join);
    } else if (flag === CLONE_NEWCGROUP || flag === CLONE_NEWTIME || (flag === CLONE_NEWPID && createsTimeNamespace) || joinsUserNamespace) {
      unshareFlags |= flag;
    } else {
      cloneFlags |= flag;
    }
  }
  const hasUserNamespace = namespaces.some((ns) => ns.type === 'user');
  const createsNetworkNamespace = namespaces.some((ns) => ns.type === 'network' && !isJoined(ns));
  const hasMountNamespace = namespaces.some((ns) => ns.type === 'mount');
  const rootfs = path.resolve(options.bundle, spec.root.path);

  const unlabelled: MountStep[] = [];
  const sysfsAsBind = (hasUserNamespace || options.caller.inUserNamespace) && !createsNetworkNamespace;
  const cgroupNamespace = namespaces.some((ns) => ns.type === 'cgroup');
  const idmappedMounts = new Map<number, MountIdmap>();
  (spec.mounts ?? []).forEach((m, i) => {
    const steps = planMount(m, i, options, sysfsAsBind, cgroupNamespace);
    const idmap = planIdmap(m, i, spec);
    if (idmap !== null) {
      if (steps.length !== 1 || steps[0].kind !== MountKind.Bind) throw new ConfigError(`/mounts/${i}`, 'only a bind mount can be idmapped');
      idmappedMounts.set(unlabelled.length, idmap);
      steps[0].idmap = true;
    }
    unlabelled.push(...steps);
  });
  const mountLabel = effectiveMountLabel(spec, unlabelled, options.host.securityModules, options.debug ?? (() => {}));
  // One step for one step: the idmapped steps keep their indices.
  const mounts = labelMounts(unlabelled, mountLabel);
  // runc populates /dev unless the host's /dev is bind-mounted over it.
  const devIsBind = (spec.mounts ?? []).some(
    (m) => path.posix.normalize(m.destination) === '/dev' && (m.type === 'bind' || (m.options ?? []).some((o) => o === 'bind' || o === 'rbind')),
  );
  const setupDev = !devIsBind;

  const hooks = spec.hooks ?? {};
  const plan: LaunchPlan = {
    joinNamespaces: joins,
    unshareFlags,
    timeOffsets: planTimeOffsets(linux),
    // Only children enter a new pid or time namespace the init unshared.
    forkIntoNamespaces: (unshareFlags & (CLONE_NEWPID | CLONE_NEWTIME)) !== 0,
    sessionKeyring: options.noNewKeyring ? null : `_ses.${options.containerId}`,
    hostname: spec.hostname ?? null,
    domainname: spec.domainname ?? null,
    // Without a mount namespace of its own, the container's mounts go into the host's mount table,
    // below a bind of root.path that `delete` detaches (runc makes them there too, and leaves them).
    rootfs: {
      path: rootfs,
      propagation: !hasMountNamespace ? 0 : linux.rootfsPropagation ? PROPAGATION[linux.rootfsPropagation] : MS_SLAVE | MS_REC,
      readonly: spec.root.readonly === true,
      pivot: hasMountNamespace && !options.noPivot,
      ownMountNamespace: hasMountNamespace,
    },
    mounts,
    devices: planDevices(spec, setupDev),
    symlinks: setupDev ? [...DEFAULT_DEV_SYMLINKS] : [],
    maskedPaths: linux.maskedPaths ?? [],
    readonlyPaths: linux.readonlyPaths ?? [],
    sysctls: Object.entries(linux.sysctl ?? {}).map(([key, value]) => ({ path: key.replace(/\./g, '/'), value })),
    ...planProcess(process),
    personality: planPersonality(linux),
    cpuAffinity: planCpuAffinity(process, false).final,
    memoryPolicy: planMemoryPolicy(linux),
    awaitHooks: [hooks.prestart, hooks.createRuntime, hooks.createContainer, hooks.startContainer].some((list) => (list ?? []).length > 0),
    createContainerHooks: (hooks.createContainer ?? []).map(planHook),
    startContainerHooks: (hooks.startContainer ?? []).map(planHook),
    waitForStart: true,
    ...processSecurity(spec.process, options.host.securityModules),
    mountLabel,
  };
  const idMaps = createsUserNamespace ? idMapWriter(linux.uidMappings ?? [], linux.gidMappings ?? [], options.caller) : null;
  return {
    plan,
    cloneFlags,
    cloneJoins,
    childJoins,
    idMaps,
    oomScoreAdj: process.oomScoreAdj ?? null,
    rootfs,
    idmappedMounts,
    seccomp: planSeccomp(linux.seccomp),
  };
}
