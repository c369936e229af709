'use strict';
/**
 * The protocol between the TypeScript runtime and the native side, defined once.
 *
 * protocol/generate.js turns this into TypeScript (src/generated/protocol.ts) and C++
 * (native/generated/protocol.h, protocol_decode.cc, protocol_encode.cc) at build time. Nothing else
 * may restate what is here: test/unit/protocol/single-definition.test.ts looks for second copies.
 *
 * Names are camelCase here and in TypeScript, snake_case in C++ (struct and enum names stay as they
 * are). Field types: bool, u32, i32, u64, string (UTF-8, no NUL byte), bytes, an enum or struct name,
 * list<T> and optional<T>. Encoding: little-endian; bool and presence bytes are exactly 0 or 1; enums
 * are u32; i32 is two's complement; strings and bytes are a u32 length + the bytes; lists a u32
 * count + the items; optional<T> a presence byte + T. A message starts with a u32 format version derived from a hash of its layout,
 * so any change of a field's order or type is a new version without anyone having to remember it.
 */

/** A field: name, type, what it means (becomes the doc comment on both sides), and any extras. */
function field(name, type, doc, extra) {
  return { name, type, doc, ...extra };
}

/** A CPU or NUMA node mask as the kernel takes it: unsigned longs, id n is bit n % 64 of word n / 64. */
function bitmapField(name, doc, minUnits = 0) {
  return field(name, 'optional<bytes>', doc, { unit: 8, unitName: 'unsigned long', minUnits, maxUnits: 'MAX_BITMAP_WORDS' });
}

module.exports = {
  constants: [
    { name: 'SOCK_FILTER_SIZE', value: 8, doc: 'sizeof(struct sock_filter): one classic BPF instruction.' },
    { name: 'MAX_BPF_INSTRUCTIONS', value: 4096, doc: "BPF_MAXINSNS: the kernel's limit on the length of a classic BPF program." },
    {
      name: 'MAX_BITMAP_WORDS',
      value: 128,
      doc: "The largest CPU or NUMA node mask in a plan, in unsigned longs: 8192 bits, x86_64's largest NR_CPUS (the kernel ignores bits beyond its own).",
    },
    {
      name: 'MAX_MESSAGE_BYTES',
      value: 4 << 20,
      doc: 'The largest datagram the init accepts on the sync socket (a plan is a few KiB); larger ones are refused, not allocated.',
    },
  ],

  /** Single-byte tags; each set is a TS const object and a C++ struct of constexpr chars. */
  tags: [
    {
      name: 'SyncTag',
      doc:
        'First byte of a datagram on the sync socket (SOCK_SEQPACKET). runtime -> init: the encoded LaunchPlan, then ' +
        '(with awaitHooks) HooksDone, and MountIdmapped for each IdmapMount. init -> runtime: Forked (with forkIntoNamespaces), ' +
        'IdmapMount, RunHooks, Console, SeccompListener, then Ready; or Error at any point.',
      values: [
        {
          name: 'Forked',
          char: 'F',
          doc: "init -> runtime: the init has cloned the container's init into the new namespaces (forkIntoNamespaces), a pidfd of it attached (SCM_RIGHTS), and exits; the new one speaks from here on.",
        },
        { name: 'RunHooks', char: 'H', doc: 'init -> runtime, right before pivot_root: run the prestart and createRuntime hooks.' },
        { name: 'HooksDone', char: 'G', doc: "runtime -> init: the runtime's hooks ran; the container state JSON follows." },
        { name: 'Console', char: 'C', doc: 'init -> runtime: the pty master is attached (SCM_RIGHTS).' },
        {
          name: 'IdmapMount',
          char: 'I',
          doc: "init -> runtime: a detached bind (SCM_RIGHTS) of the mount step whose index in LaunchPlan.mounts follows in decimal; the runtime, privileged over the source's filesystem, idmaps it.",
        },
        { name: 'MountIdmapped', char: 'i', doc: 'runtime -> init: the detached bind it sent is idmapped; attach it.' },
        {
          name: 'SeccompListener',
          char: 'S',
          doc: 'init -> runtime: the seccomp notify fd (SCM_RIGHTS), for the agent at linux.seccomp.listenerPath.',
        },
        { name: 'Ready', char: 'R', doc: 'init -> runtime: set up, now waiting on the exec fifo.' },
        { name: 'Error', char: 'E', doc: 'init -> runtime: setup failed; the error text follows.' },
      ],
    },
    {
      name: 'FifoAnswer',
      doc: "What the init writes to the exec fifo once `start` has opened it.",
      values: [
        { name: 'Started', char: '0', doc: 'The startContainer hooks passed; the process is being exec\'d.' },
        { name: 'Refused', char: 'E', doc: 'The process will not be started; why follows.' },
      ],
    },
  ],

  /**
   * The namespace types of config.json, in the order error messages list them: their CLONE_NEW* flag,
   * their file in /proc/PID/ns, and whether one thread of a multithreaded process may setns() into
   * one (so the runtime can enter it around clone(); mount, user and time need a single thread).
   */
  namespaces: [
    { name: 'pid', flag: 'CLONE_NEWPID', value: 0x20000000, procFile: 'pid', threadJoinable: true },
    { name: 'network', flag: 'CLONE_NEWNET', value: 0x40000000, procFile: 'net', threadJoinable: true },
    { name: 'mount', flag: 'CLONE_NEWNS', value: 0x00020000, procFile: 'mnt', threadJoinable: false },
    { name: 'ipc', flag: 'CLONE_NEWIPC', value: 0x08000000, procFile: 'ipc', threadJoinable: true },
    { name: 'uts', flag: 'CLONE_NEWUTS', value: 0x04000000, procFile: 'uts', threadJoinable: true },
    { name: 'user', flag: 'CLONE_NEWUSER', value: 0x10000000, procFile: 'user', threadJoinable: false },
    { name: 'cgroup', flag: 'CLONE_NEWCGROUP', value: 0x02000000, procFile: 'cgroup', threadJoinable: true },
    { name: 'time', flag: 'CLONE_NEWTIME', value: 0x00000080, procFile: 'time', threadJoinable: false },
  ],

  enums: [
    {
      name: 'MountKind',
      values: [
        { name: 'Filesystem', value: 1, doc: 'mount(source, dest, fstype, flags, data) of a new filesystem.' },
        { name: 'Bind', value: 2, doc: 'Bind mount of a host path (resolved before pivot_root); remounted when flags ask for more than MS_BIND.' },
        { name: 'Symlink', value: 3, doc: 'A symlink created at the destination (e.g. /sys/fs/cgroup/cpu -> cpu,cpuacct).' },
      ],
    },
    {
      name: 'DestinationKind',
      doc: 'What to create when a mount destination is missing.',
      values: [
        { name: 'Directory', value: 0 },
        { name: 'File', value: 1 },
      ],
    },
  ],

  structs: [
    {
      name: 'JoinNamespace',
      doc: 'A namespace to join with setns() (the init: user first; the runtime: around clone()).',
      fields: [field('type', 'u32', 'CLONE_NEW* flag of the namespace type.'), field('path', 'string')],
    },
    {
      name: 'MountStep',
      fields: [
        field('kind', 'MountKind'),
        field('source', 'string'),
        field('destination', 'string', 'Absolute path inside the container root; resolved with RESOLVE_IN_ROOT.'),
        field('fstype', 'string'),
        field('flags', 'u32', 'MS_* flags for the mount itself (MS_BIND and MS_REC for binds).'),
        field('remountFlags', 'u32', 'Flags to apply with MS_REMOUNT|MS_BIND after a bind (0: no remount).'),
        field(
          'propagation',
          'list<u32>',
          'Propagation changes (MS_SHARED, MS_SLAVE, MS_PRIVATE, MS_UNBINDABLE, each maybe with MS_REC) applied after mounting.',
        ),
        field('data', 'string', 'Filesystem-specific data (e.g. "mode=755,size=65536k").'),
        field('destinationKind', 'DestinationKind', 'What to create when the destination is missing.'),
        field(
          'copyUp',
          'bool',
          "A tmpfs starts with a copy of what the directory it covers holds (runc's `tmpcopyup` option; podman asks for it on --tmpfs and --read-only's /tmp, /var/tmp and /run).",
          { omittable: true },
        ),
        field(
          'idmap',
          'bool',
          'A Bind whose detached copy goes to the runtime to be idmapped (SyncTag.IdmapMount) before it is attached.',
          { omittable: true },
        ),
      ],
    },
    {
      name: 'DeviceNode',
      fields: [
        field('path', 'string', 'Absolute path inside the container.'),
        field('fileType', 'u32', 'S_IFCHR, S_IFBLK or S_IFIFO.'),
        field('major', 'u32'),
        field('minor', 'u32'),
        field('mode', 'u32', 'Permission bits.'),
        field('uid', 'u32'),
        field('gid', 'u32'),
      ],
    },
    {
      name: 'Symlink',
      fields: [field('target', 'string'), field('path', 'string', 'Absolute path inside the container.')],
    },
    {
      name: 'Rlimit',
      fields: [field('resource', 'u32'), field('soft', 'u64'), field('hard', 'u64')],
    },
    {
      name: 'Sysctl',
      fields: [field('path', 'string', 'Path below /proc/sys, e.g. "net/ipv4/ip_forward".'), field('value', 'string')],
    },
    {
      name: 'CapabilitySets',
      fields: [
        field('bounding', 'u64'),
        field('effective', 'u64'),
        field('permitted', 'u64'),
        field('inheritable', 'u64'),
        field('ambient', 'u64'),
      ],
    },
    {
      name: 'SeccompFilter',
      fields: [
        field('program', 'bytes', 'A struct sock_filter array compiled by libseccomp in the runtime (native/addon/seccomp.cc).', {
          unit: 'SOCK_FILTER_SIZE',
          unitName: 'struct sock_filter',
          minUnits: 1,
          maxUnits: 'MAX_BPF_INSTRUCTIONS',
        }),
        field(
          'flags',
          'u32',
          'SECCOMP_FILTER_FLAG_* for seccomp(SECCOMP_SET_MODE_FILTER). With SECCOMP_FILTER_FLAG_NEW_LISTENER the init sends the notify fd to the runtime (SyncTag.SeccompListener) and loads the filter before it reports ready.',
        ),
      ],
    },
    {
      name: 'SchedulerAttributes',
      doc: 'struct sched_attr for sched_setattr(2), every name resolved to its number.',
      fields: [
        field('policy', 'u32', 'SCHED_OTHER, SCHED_FIFO, ...'),
        field('flags', 'u64', 'SCHED_FLAG_* bits.'),
        field('nice', 'i32'),
        field('priority', 'u32', 'sched_priority: 1 to 99 for SCHED_FIFO and SCHED_RR, else 0.'),
        field('runtime', 'u64', 'SCHED_DEADLINE, in nanoseconds.'),
        field('deadline', 'u64'),
        field('period', 'u64'),
      ],
    },
    {
      name: 'MemoryPolicy',
      doc: 'set_mempolicy(2) arguments.',
      fields: [
        field('mode', 'u32', 'MPOL_* mode ORed with its MPOL_F_* flags.'),
        field('nodes', 'bytes', 'The node mask: unsigned longs, node n is bit n % 64 of word n / 64 (empty: no nodes).', {
          unit: 8,
          unitName: 'unsigned long',
          maxUnits: 'MAX_BITMAP_WORDS',
        }),
      ],
    },
    {
      name: 'PlanHook',
      doc: "A hook the init runs itself (createContainer, startContainer): the spec's hook, defaults applied.",
      fields: [
        field('path', 'string'),
        field('args', 'list<string>', "The hook's argv, argv[0] included: its args, or [path] without them."),
        field('env', 'list<string>', "Exactly the hook's env (empty without one)."),
        field('timeoutSeconds', 'u32', 'Seconds before the hook is killed; 0: no limit.'),
      ],
    },
    {
      name: 'RootfsPlan',
      fields: [
        field('path', 'string', 'Absolute host path of the root filesystem.'),
        field('propagation', 'u32', 'MS_* propagation flags applied to "/" in the new mount namespace before anything is mounted; 0 without one.'),
        field('readonly', 'bool'),
        field('pivot', 'bool', 'false: --no-pivot, so MS_MOVE + chroot instead of pivot_root.'),
        field(
          'ownMountNamespace',
          'bool',
          "false: the container shares the host's mount namespace. The init mounts into the host's table, below a bind of `path` onto itself, leaves the host's propagation alone, and chroot()s.",
        ),
      ],
    },
    {
      name: 'ConsoleSize',
      fields: [field('rows', 'u32'), field('columns', 'u32')],
    },
    {
      name: 'LaunchPlan',
      doc:
        'The launch plan the runtime sends the init helper. Everything is resolved: flag numbers, capability masks, ' +
        'absolute host paths, device numbers. The init never interprets policy; it performs these steps in order.',
      fields: [
        field('joinNamespaces', 'list<JoinNamespace>', 'Namespaces the init joins with setns() before anything else (user first).'),
        field(
          'unshareFlags',
          'u32',
          'CLONE_NEW* flags the init unshares itself after joining (the cgroup namespace, once placed in its cgroup; with a joined user namespace, every new one, so that it owns them). With CLONE_NEWPID (or CLONE_NEWTIME) the init then forks into it (forkIntoNamespaces).',
        ),
        field(
          'timeOffsets',
          'optional<string>',
          'With CLONE_NEWTIME in unshareFlags: the text written to /proc/self/timens_offsets right after the unshare, while no process is in the new time namespace yet; null: none.',
        ),
        field(
          'forkIntoNamespaces',
          'bool',
          "After the unshare, clone() the init (CLONE_PARENT: the runtime's child, as the init is) and go on in the copy: only children enter a new time or pid namespace, and the copy is pid 1 of a new pid namespace unshared (with a new time namespace, or after joining a user namespace) (runc's and crun's second fork). The first init reports SyncTag.Forked and exits.",
        ),
        field('sessionKeyring', 'optional<string>', 'Name of a new session keyring to join (runc: "_ses.<id>"); null with --no-new-keyring.'),
        field('hostname', 'optional<string>', 'null: leave as is.'),
        field('domainname', 'optional<string>', 'null: leave as is.'),
        field('rootfs', 'optional<RootfsPlan>', 'null: no rootfs setup at all (build.ts always plans one; kept for hand-made plans).'),
        field('mounts', 'list<MountStep>'),
        field('devices', 'list<DeviceNode>'),
        field('symlinks', 'list<Symlink>'),
        field('maskedPaths', 'list<string>'),
        field('readonlyPaths', 'list<string>'),
        field(
          'mountLabel',
          'string',
          "SELinux label of masked directories' tmpfs (context=) and of mqueue mounts (their root's security.selinux); '': none. Other mounts carry it in their data.",
        ),
        field('sysctls', 'list<Sysctl>'),
        field('rlimits', 'list<Rlimit>'),
        field('uid', 'u32'),
        field('gid', 'u32'),
        field('additionalGids', 'list<u32>'),
        field('umask', 'optional<u32>', 'null: leave the inherited umask.'),
        field('capabilities', 'CapabilitySets'),
        field('noNewPrivileges', 'bool'),
        field(
          'seccomp',
          'optional<SeccompFilter>',
          'The seccomp filter; null: none. The init loads it before dropping capabilities, or, with noNewPrivileges, right before execve.',
        ),
        field(
          'apparmorProfile',
          'string',
          "AppArmor profile the process runs under from its execve (written to the init's /proc/self/attr/apparmor/exec); '': none.",
        ),
        field(
          'processLabel',
          'string',
          "SELinux label of the process from its execve (/proc/self/attr/exec) and of the session keyring made for it (keycreate); '': none.",
        ),
        field('personality', 'optional<u32>', 'personality(2) persona (PER_LINUX or PER_LINUX32); null: inherited.'),
        field('scheduler', 'optional<SchedulerAttributes>', 'sched_setattr(2) of the process; null: inherited.'),
        field('ioPriority', 'optional<u32>', 'ioprio_set(IOPRIO_WHO_PROCESS) value: class << 13 | level; null: inherited.'),
        bitmapField(
          'cpuAffinity',
          "sched_setaffinity(2) mask set once the init is in the container's cgroup: exec's `final`, or all CPUs to drop the runtime's affinity (as runc); null: keep the one it was started with.",
          1,
        ),
        field('memoryPolicy', 'optional<MemoryPolicy>', 'The NUMA memory policy of the process; null: inherited.'),
        field('cwd', 'string'),
        field('args', 'list<string>'),
        field('env', 'list<string>'),
        field('terminal', 'bool', 'Give the process a new pty as its controlling terminal and stdio; the master goes to the runtime.'),
        field('consoleSize', 'optional<ConsoleSize>', "Initial window size of that pty; null: the kernel's default."),
        field(
          'awaitHooks',
          'bool',
          "Right before pivot_root (or chroot), send SyncTag.RunHooks and wait for SyncTag.HooksDone + the state JSON: the runtime runs the prestart and createRuntime hooks meanwhile, and the init passes that state to the hooks below. false when the config has none of those four kinds of hooks.",
        ),
        field('createContainerHooks', 'list<PlanHook>', "Run by the init in the container's namespaces after the runtime's hooks, before pivot_root."),
        field('startContainerHooks', 'list<PlanHook>', "Run by the init, as the container's user, once `start` has opened the exec fifo."),
        field('waitForStart', 'bool', 'true for create: wait on the exec fifo until `start`; false for exec: run the process at once.'),

      ],
    },
    {
      name: 'IdMaps',
      doc: "A new user namespace's maps and how the runtime writes them (src/engine/rootless.ts decides).",
      fields: [
        field('uidMap', 'string', 'The text of /proc/PID/uid_map: one "containerID hostID size" line per mapping.'),
        field('gidMap', 'string'),
        field('denySetgroups', 'bool', 'Write "deny" to /proc/PID/setgroups first: an unprivileged runtime writing a one-gid map must.'),
        field('uidMapTool', 'string', "'': write uid_map directly; else the newuidmap to run (an unprivileged runtime's ranges from /etc/subuid)."),
        field('gidMapTool', 'string', "'': write gid_map directly; else the newgidmap to run."),
      ],
    },
    {
      name: 'StdioFds',
      doc: "The runtime's fds that become the process's stdin, stdout and stderr (the API's pipes); each absent: the runtime's own.",
      fields: [field('stdinFd', 'optional<u32>'), field('stdoutFd', 'optional<u32>'), field('stderrFd', 'optional<u32>')],
    },
    {
      name: 'SpawnRequest',
      doc: 'How the addon starts the init helper: the part of the plan used before and at clone().',
      fields: [
        field('initPath', 'string', 'Absolute path of the init helper binary to seal into a memfd.'),
        field('cloneFlags', 'u32', 'CLONE_NEW* flags for clone() itself.'),
        field(
          'cloneJoins',
          'list<JoinNamespace>',
          'Namespaces (thread-joinable ones only) the calling thread enters around clone(), so the child is born in them.',
        ),
        field(
          'childJoins',
          'list<JoinNamespace>',
          "Namespaces the child enters itself right after clone(), the user namespace first; with a pid namespace among them it goes on as a child of its own born there. For a runtime without privileges on the host, which can enter a container's namespaces only from inside its user namespace.",
        ),
        field('preserveFds', 'u32', 'Caller fds 3..3+preserveFds-1 that reach the container as they are.'),
        bitmapField(
          'initialCpuAffinity',
          "exec's `initial` CPU affinity, which the runtime's thread takes around clone() so that the child starts with it; null: the runtime's.",
          1,
        ),
        field('planBytes', 'u32', 'Size of the encoded plan, sent to the init as one datagram: the sync socket is made to hold it.'),
        field('stateDirFd', 'u32', "O_PATH fd of the container's state directory, which holds the exec fifo the init blocks on until `start`."),
        field(
          'idMaps',
          'optional<IdMaps>',
          "With CLONE_NEWUSER in cloneFlags: the text of the child's uid_map and gid_map, written before it execs the init.",
        ),
        field('stdio', 'StdioFds', "Moved onto the child's fds 0, 1 and 2 before it execs the init."),
        field(
          'cgroupFd',
          'optional<u32>',
          "A cgroup v2 directory the child is born in (clone3 with CLONE_INTO_CGROUP: no move into it later, which waits out an RCU grace period); null: clone() in the runtime's cgroup.",
        ),
      ],
    },
  ],

  /** Root structs that are encoded on their own, each behind its format version. */
  messages: [
    { name: 'LaunchPlan', what: 'launch plan', maxBytes: 'MAX_MESSAGE_BYTES' },
    { name: 'SpawnRequest', what: 'spawn request' },
  ],
};
