/**
 * The config.json `cista spec` writes: the same template as `runc spec` (runc 1.1.5), so bundles
 * move between the two runtimes unchanged, except that the hostname is "cista".
 */
import type { Linux, Mount, Spec } from './schema';

/** Capabilities of the default container process: enough to run a shell, nothing more. */
const DEFAULT_CAPABILITIES = ['CAP_AUDIT_WRITE', 'CAP_KILL', 'CAP_NET_BIND_SERVICE'];

const MASKED_PATHS = [
  '/proc/acpi',
  '/proc/asound',
  '/proc/kcore',
  '/proc/keys',
  '/proc/latency_stats',
  '/proc/timer_list',
  '/proc/timer_stats',
  '/proc/sched_debug',
  '/sys/firmware',
  '/proc/scsi',
];

const READONLY_PATHS = ['/proc/bus', '/proc/fs', '/proc/irq', '/proc/sys', '/proc/sysrq-trigger'];

/**
 * Rootless mounts differ twice: devpts without gid=5 (the tty group is not mapped), and /sys bound
 * from the host, since sysfs can only be mounted by the owner of the network namespace and a
 * rootless container keeps the host's.
 */
function defaultMounts(rootless: boolean): Mount[] {
  return [
    { destination: '/proc', type: 'proc', source: 'proc' },
    {
      destination: '/dev',
      type: 'tmpfs',
      source: 'tmpfs',
      options: ['nosuid', 'strictatime', 'mode=755', 'size=65536k'],
    },
    {
      destination: '/dev/pts',
      type: 'devpts',
      source: 'devpts',
      options: ['nosuid', 'noexec', 'newinstance', 'ptmxmode=0666', 'mode=0620', ...(rootless ? [] : ['gid=5'])],
    },
    {
      destination: '/dev/shm',
      type: 'tmpfs',
      source: 'shm',
      options: ['nosuid', 'noexec', 'nodev', 'mode=1777', 'size=65536k'],
    },
    { destination: '/dev/mqueue', type: 'mqueue', source: 'mqueue', options: ['nosuid', 'noexec', 'nodev'] },
    rootless
      ? { destination: '/sys', type: 'none', source: '/sys', options: ['rbind', 'nosuid', 'noexec', 'nodev', 'ro'] }
      : { destination: '/sys', type: 'sysfs', source: 'sysfs', options: ['nosuid', 'noexec', 'nodev', 'ro'] },
    {
      destination: '/sys/fs/cgroup',
      type: 'cgroup',
      source: 'cgroup',
      options: ['nosuid', 'noexec', 'nodev', 'relatime', 'ro'],
    },
  ];
}

function defaultLinux(rootless: boolean): Linux {
  const paths = { maskedPaths: [...MASKED_PATHS], readonlyPaths: [...READONLY_PATHS] };
  if (!rootless) {
    return {
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      ...paths,
    };
  }
  // Rootless: a new user namespace in which the invoking user is root (the mapping covers that one
  // id only), no network namespace (nothing unprivileged could connect it), no device cgroup rules.
  return {
    uidMappings: [{ containerID: 0, hostID: process.geteuid?.() ?? 0, size: 1 }],
    gidMappings: [{ containerID: 0, hostID: process.getegid?.() ?? 0, size: 1 }],
    namespaces: [{ type: 'pid' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }, { type: 'user' }],
    ...paths,
  };
}

export function defaultSpec(options: { rootless: boolean }): Spec {
  return {
    ociVersion: '1.0.2-dev',
    process: {
      terminal: true,
      user: { uid: 0, gid: 0 },
      args: ['sh'],
      env: ['PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', 'TERM=xterm'],
      cwd: '/',
      capabilities: {
        bounding: [...DEFAULT_CAPABILITIES],
        effective: [...DEFAULT_CAPABILITIES],
        permitted: [...DEFAULT_CAPABILITIES],
        ambient: [...DEFAULT_CAPABILITIES],
      },
      rlimits: [{ type: 'RLIMIT_NOFILE', hard: 1024, soft: 1024 }],
      noNewPrivileges: true,
    },
    root: { path: 'rootfs', readonly: true },
    hostname: 'cista',
    mounts: defaultMounts(options.rootless),
    linux: defaultLinux(options.rootless),
  };
}

/** config.json text as `cista spec` writes it: tab-indented and, like runc's, without a final newline. */
export function formatSpec(spec: Spec): string {
  return JSON.stringify(spec, null, '\t');
}
