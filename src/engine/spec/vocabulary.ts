/**
 * The names and value lists config.json uses, as plain data.
 *
 * This module has no dependencies on purpose: run-time code (semantic checks, the launch plan)
 * imports these lists from here, while schema.ts builds the schema from them with TypeBox, which is
 * a build-time dependency only.
 */

/** The runtime-spec versions cista implements: configs with ociVersion 1.0.0 up to 1.3.x. */
export const SPEC_VERSION_MIN = '1.0.0';
export const SPEC_VERSION_MAX = '1.3.0';

/** Namespace types of linux.namespaces[].type, in the order error messages list them (a protocol table). */
export { NAMESPACE_TYPES, type NamespaceType } from '../../generated/protocol';

/** The mount options that ask for an idmapped bind: the mount itself, or with its submounts (runtime-spec 1.2). */
export const IDMAP_OPTIONS = ['idmap', 'ridmap'] as const;
export type IdmapOption = (typeof IDMAP_OPTIONS)[number];

export const ROOTFS_PROPAGATIONS = ['private', 'shared', 'slave', 'unbindable'] as const;

/** linux.devices[].type: character, block, unbuffered character, FIFO. */
export const DEVICE_TYPES = ['c', 'b', 'u', 'p'] as const;

/** The stat(2) file type (S_IFMT bits) of a node of each linux.devices[].type. */
export const DEVICE_FILE_TYPES: Readonly<Record<(typeof DEVICE_TYPES)[number], number>> = {
  c: 0o020000,
  u: 0o020000,
  b: 0o060000,
  p: 0o010000,
};
export const S_IFMT = 0o170000;

export const PERSONALITY_DOMAINS = ['LINUX', 'LINUX32'] as const;

export const IO_PRIORITY_CLASSES = ['IOPRIO_CLASS_RT', 'IOPRIO_CLASS_BE', 'IOPRIO_CLASS_IDLE'] as const;

export const SCHEDULER_POLICIES = [
  'SCHED_OTHER',
  'SCHED_FIFO',
  'SCHED_RR',
  'SCHED_BATCH',
  'SCHED_ISO',
  'SCHED_IDLE',
  'SCHED_DEADLINE',
] as const;

export const SCHEDULER_FLAGS = [
  'SCHED_FLAG_RESET_ON_FORK',
  'SCHED_FLAG_RECLAIM',
  'SCHED_FLAG_DL_OVERRUN',
  'SCHED_FLAG_KEEP_POLICY',
  'SCHED_FLAG_KEEP_PARAMS',
  'SCHED_FLAG_UTIL_CLAMP_MIN',
  'SCHED_FLAG_UTIL_CLAMP_MAX',
] as const;

export const SECCOMP_ACTIONS = [
  'SCMP_ACT_KILL',
  'SCMP_ACT_KILL_PROCESS',
  'SCMP_ACT_KILL_THREAD',
  'SCMP_ACT_TRAP',
  'SCMP_ACT_ERRNO',
  'SCMP_ACT_TRACE',
  'SCMP_ACT_ALLOW',
  'SCMP_ACT_LOG',
  'SCMP_ACT_NOTIFY',
] as const;

export const SECCOMP_FLAGS = [
  'SECCOMP_FILTER_FLAG_TSYNC',
  'SECCOMP_FILTER_FLAG_LOG',
  'SECCOMP_FILTER_FLAG_SPEC_ALLOW',
  'SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV',
] as const;

export const SECCOMP_OPERATORS = [
  'SCMP_CMP_NE',
  'SCMP_CMP_LT',
  'SCMP_CMP_LE',
  'SCMP_CMP_EQ',
  'SCMP_CMP_GE',
  'SCMP_CMP_GT',
  'SCMP_CMP_MASKED_EQ',
] as const;

export const SECCOMP_ARCHITECTURES = [
  'SCMP_ARCH_X86',
  'SCMP_ARCH_X86_64',
  'SCMP_ARCH_X32',
  'SCMP_ARCH_ARM',
  'SCMP_ARCH_AARCH64',
  'SCMP_ARCH_LOONGARCH64',
  'SCMP_ARCH_M68K',
  'SCMP_ARCH_MIPS',
  'SCMP_ARCH_MIPS64',
  'SCMP_ARCH_MIPS64N32',
  'SCMP_ARCH_MIPSEL',
  'SCMP_ARCH_MIPSEL64',
  'SCMP_ARCH_MIPSEL64N32',
  'SCMP_ARCH_PPC',
  'SCMP_ARCH_PPC64',
  'SCMP_ARCH_PPC64LE',
  'SCMP_ARCH_S390',
  'SCMP_ARCH_S390X',
  'SCMP_ARCH_SH',
  'SCMP_ARCH_SHEB',
  'SCMP_ARCH_PARISC',
  'SCMP_ARCH_PARISC64',
  'SCMP_ARCH_RISCV64',
] as const;

export const MEMORY_POLICY_MODES = [
  'MPOL_DEFAULT',
  'MPOL_BIND',
  'MPOL_INTERLEAVE',
  'MPOL_WEIGHTED_INTERLEAVE',
  'MPOL_PREFERRED',
  'MPOL_PREFERRED_MANY',
  'MPOL_LOCAL',
] as const;

export const MEMORY_POLICY_FLAGS = ['MPOL_F_NUMA_BALANCING', 'MPOL_F_RELATIVE_NODES', 'MPOL_F_STATIC_NODES'] as const;

/** FreeBSD jail sharing modes (the schema checks them even though cista runs only on Linux). */
export const JAIL_SHARING_MODES = ['disable', 'new', 'inherit'] as const;
export const JAIL_SHARING_MODES_NO_DISABLE = ['new', 'inherit'] as const;

export const HOOK_NAMES = [
  'prestart',
  'createRuntime',
  'createContainer',
  'startContainer',
  'poststart',
  'poststop',
] as const;
export type HookName = (typeof HOOK_NAMES)[number];

/** The capability sets of process.capabilities. */
export const CAPABILITY_SETS = ['bounding', 'effective', 'inheritable', 'permitted', 'ambient'] as const;

/** Linux capability names; the index of a name is its capability number (CAP_CHOWN = 0). */
export const CAPABILITIES = [
  'CAP_CHOWN',
  'CAP_DAC_OVERRIDE',
  'CAP_DAC_READ_SEARCH',
  'CAP_FOWNER',
  'CAP_FSETID',
  'CAP_KILL',
  'CAP_SETGID',
  'CAP_SETUID',
  'CAP_SETPCAP',
  'CAP_LINUX_IMMUTABLE',
  'CAP_NET_BIND_SERVICE',
  'CAP_NET_BROADCAST',
  'CAP_NET_ADMIN',
  'CAP_NET_RAW',
  'CAP_IPC_LOCK',
  'CAP_IPC_OWNER',
  'CAP_SYS_MODULE',
  'CAP_SYS_RAWIO',
  'CAP_SYS_CHROOT',
  'CAP_SYS_PTRACE',
  'CAP_SYS_PACCT',
  'CAP_SYS_ADMIN',
  'CAP_SYS_BOOT',
  'CAP_SYS_NICE',
  'CAP_SYS_RESOURCE',
  'CAP_SYS_TIME',
  'CAP_SYS_TTY_CONFIG',
  'CAP_MKNOD',
  'CAP_LEASE',
  'CAP_AUDIT_WRITE',
  'CAP_AUDIT_CONTROL',
  'CAP_SETFCAP',
  'CAP_MAC_OVERRIDE',
  'CAP_MAC_ADMIN',
  'CAP_SYSLOG',
  'CAP_WAKE_ALARM',
  'CAP_BLOCK_SUSPEND',
  'CAP_AUDIT_READ',
  'CAP_PERFMON',
  'CAP_BPF',
  'CAP_CHECKPOINT_RESTORE',
] as const;
export type Capability = (typeof CAPABILITIES)[number];

/**
 * Linux resource limit names; the index of a name is its RLIMIT_* resource number.
 * The schema only checks the RLIMIT_[A-Z]+ shape (other platforms have other limits);
 * the semantic checks reject names outside this list.
 */
export const RLIMIT_TYPES = [
  'RLIMIT_CPU',
  'RLIMIT_FSIZE',
  'RLIMIT_DATA',
  'RLIMIT_STACK',
  'RLIMIT_CORE',
  'RLIMIT_RSS',
  'RLIMIT_NPROC',
  'RLIMIT_NOFILE',
  'RLIMIT_MEMLOCK',
  'RLIMIT_AS',
  'RLIMIT_LOCKS',
  'RLIMIT_SIGPENDING',
  'RLIMIT_MSGQUEUE',
  'RLIMIT_NICE',
  'RLIMIT_RTPRIO',
  'RLIMIT_RTTIME',
] as const;

/** runtime-spec 1.0.x through 1.3.x, with optional semver pre-release and build suffixes. */
export const OCI_VERSION_PATTERN = '^1\\.[0-3]\\.[0-9]+(-[0-9A-Za-z.-]+)?(\\+[0-9A-Za-z.-]+)?$';
export const RLIMIT_TYPE_PATTERN = '^RLIMIT_[A-Z]+$';
export const HUGEPAGE_SIZE_PATTERN = '^[1-9][0-9]*[KMG]B$';
export const CPU_LIST_PATTERN = '^[0-9, -]*$';
export const MEMORY_BANDWIDTH_SCHEMA_PATTERN = '^MB:[^\\n]*$';

/** What each schema pattern means, for error messages; `value` is the offending value. */
export const PATTERN_EXPLANATIONS: Readonly<Record<string, (value: unknown) => string>> = {
  [OCI_VERSION_PATTERN]: (value) =>
    `unsupported runtime-spec version ${JSON.stringify(value)} (cista supports 1.0.x through 1.3.x)`,
  [RLIMIT_TYPE_PATTERN]: (value) => `${JSON.stringify(value)} is not an RLIMIT_* name`,
  [HUGEPAGE_SIZE_PATTERN]: (value) => `${JSON.stringify(value)} is not a page size such as 2MB or 1GB`,
  [CPU_LIST_PATTERN]: (value) => `${JSON.stringify(value)} is not a CPU list such as 0-3,7`,
  [MEMORY_BANDWIDTH_SCHEMA_PATTERN]: (value) => `${JSON.stringify(value)} is not a one-line schema starting with MB:`,
};
