/**
 * The launch plan: the typed protocol between the TypeScript runtime and the native init helper.
 *
 * Everything here is fully resolved: flag numbers, capability masks, absolute host paths, device
 * numbers. The helper never interprets policy; it performs these steps in order. The binary encoding
 * is in encode.ts and its mirror is native/plan.h + native/init/plan_reader.cc; both follow the field
 * order of these interfaces exactly.
 */
import type { IdMapWriter } from '../rootless';

/** A namespace the init joins with setns() before anything else (user first). */
export interface JoinNamespace {
  /** CLONE_NEW* flag of the namespace type. */
  type: number;
  path: string;
}

export enum MountKind {
  /** mount(source, dest, fstype, flags, data) of a new filesystem. */
  Filesystem = 1,
  /** Bind mount of a host path (resolved before pivot_root); remounted when flags ask for more than MS_BIND. */
  Bind = 2,
  /** A symlink created at the destination (e.g. /sys/fs/cgroup/cpu -> cpu,cpuacct). */
  Symlink = 3,
}

export enum DestinationKind {
  Directory = 0,
  File = 1,
}

export interface MountStep {
  kind: MountKind;
  source: string;
  /** Absolute path inside the container root; resolved with RESOLVE_IN_ROOT. */
  destination: string;
  fstype: string;
  /** MS_* flags for the mount itself (MS_BIND and MS_REC for binds). */
  flags: number;
  /** Flags to apply with MS_REMOUNT|MS_BIND after a bind (0: no remount). */
  remountFlags: number;
  /** Propagation changes (MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, each maybe with MS_REC) applied after mounting. */
  propagation: number[];
  /** Filesystem-specific data (e.g. "mode=755,size=65536k"). */
  data: string;
  /** What to create when the destination is missing. */
  destinationKind: DestinationKind;
  /**
   * A tmpfs starts with a copy of what the directory it covers holds (runc's `tmpcopyup` option;
   * podman asks for it on --tmpfs and --read-only's /tmp, /var/tmp and /run).
   */
  copyUp?: boolean;
}

export interface DeviceNode {
  /** Absolute path inside the container. */
  path: string;
  /** S_IFCHR, S_IFBLK or S_IFIFO. */
  fileType: number;
  major: number;
  minor: number;
  /** Permission bits. */
  mode: number;
  uid: number;
  gid: number;
}

export interface Symlink {
  target: string;
  /** Absolute path inside the container. */
  path: string;
}

export interface Rlimit {
  resource: number;
  soft: bigint;
  hard: bigint;
}

export interface Sysctl {
  /** Path below /proc/sys, e.g. "net/ipv4/ip_forward". */
  path: string;
  value: string;
}

export interface CapabilitySets {
  bounding: bigint;
  effective: bigint;
  permitted: bigint;
  inheritable: bigint;
  ambient: bigint;
}

export interface SeccompFilter {
  /** A struct sock_filter array (8 bytes per instruction, at most 4096 instructions). */
  program: Buffer;
  /** SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER). */
  flags: number;
}

/** A hook the init runs itself (createContainer, startContainer): the spec's hook, defaults applied. */
export interface PlanHook {
  path: string;
  /** The hook's argv, argv[0] included: its args, or [path] without them. */
  args: string[];
  /** Exactly the hook's env (empty without one). */
  env: string[];
  /** Seconds before the hook is killed; 0: no limit. */
  timeoutSeconds: number;
}

export interface RootfsPlan {
  /** Absolute host path of the root filesystem. */
  path: string;
  /** MS_* propagation flags applied to "/" in the new mount namespace before anything is mounted; 0 without one. */
  propagation: number;
  readonly: boolean;
  /** false: --no-pivot, so MS_MOVE + chroot instead of pivot_root. */
  pivot: boolean;
  /**
   * false: the container shares the host's mount namespace. The init mounts into the host's table,
   * below a bind of `path` onto itself, leaves the host's propagation alone, and chroot()s.
   */
  ownMountNamespace: boolean;
}

export interface LaunchPlan {
  joinNamespaces: JoinNamespace[];
  /** CLONE_NEW* flags the init unshares itself after joining (the cgroup namespace, once placed in its cgroup). */
  unshareFlags: number;
  /** Name of a new session keyring to join (runc: "_ses.<id>"); null with --no-new-keyring. */
  sessionKeyring: string | null;
  /** null: leave as is. */
  hostname: string | null;
  domainname: string | null;
  /** null: no rootfs setup at all (build.ts always plans one; kept for hand-made plans). */
  rootfs: RootfsPlan | null;
  mounts: MountStep[];
  devices: DeviceNode[];
  symlinks: Symlink[];
  maskedPaths: string[];
  readonlyPaths: string[];
  sysctls: Sysctl[];
  rlimits: Rlimit[];
  uid: number;
  gid: number;
  additionalGids: number[];
  /** null: leave the inherited umask. */
  umask: number | null;
  capabilities: CapabilitySets;
  noNewPrivileges: boolean;
  /**
   * The seccomp filter, compiled by libseccomp in the runtime (native/addon/seccomp.cc); null: none.
   * The init loads it before dropping capabilities, or, with noNewPrivileges, right before execve.
   */
  seccomp: SeccompFilter | null;
  cwd: string;
  args: string[];
  env: string[];
  /** Give the process a new pty as its controlling terminal and stdio; the master goes to the runtime. */
  terminal: boolean;
  /** Initial window size of that pty; null: the kernel's default. */
  consoleSize: { rows: number; columns: number } | null;
  /**
   * Right before pivot_root (or chroot), send 'H' and wait for the runtime's 'G' + the state JSON:
   * the runtime runs the prestart and createRuntime hooks meanwhile, and the init passes that state
   * to the hooks below. false when the config has none of those four kinds of hooks.
   */
  awaitHooks: boolean;
  /** Run by the init in the container's namespaces after the runtime's hooks, before pivot_root. */
  createContainerHooks: PlanHook[];
  /** Run by the init, as the container's user, once `start` has opened the exec fifo. */
  startContainerHooks: PlanHook[];
  /** true for create: wait on the exec fifo until `start`; false for exec: run the process at once. */
  waitForStart: boolean;
}

/** How the parent starts the init helper: the part of the plan used before and at clone(). */
export interface SpawnRequest {
  /** Absolute path of the init helper binary to seal into a memfd. */
  initPath: string;
  /** CLONE_NEW* flags for clone() itself. */
  cloneFlags: number;
  /** Namespaces (pid, net, ipc, uts, cgroup) the calling thread enters around clone(), so the child is born in them. */
  cloneJoins: JoinNamespace[];
  /**
   * Namespaces the child enters itself right after clone(), the user namespace first; with a pid
   * namespace among them it goes on as a child of its own born there. For a runtime without
   * privileges on the host, which can enter a container's namespaces only from inside its user namespace.
   */
  childJoins: JoinNamespace[];
  /** Caller fds 3..3+preserveFds-1 that reach the container as they are. */
  preserveFds: number;
  /** O_PATH fd of the container's state directory, which holds the exec fifo the init blocks on until `start`. */
  stateDirFd: number;
  /** With CLONE_NEWUSER in cloneFlags: the child's uid_map and gid_map and how to write them, before it execs the init. */
  idMaps: IdMapWriter | null;
}
