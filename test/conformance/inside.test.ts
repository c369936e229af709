import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { checkerBundle, parseTap } from '../helpers/checker';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let counter = 0;

/**
 * Runs the in-container checker against a config shaped by `edit`: every check must pass, and the
 * checks named in `ran` (the text of their TAP lines, values included) must be among them, so that
 * a check the checker skipped cannot pass the case.
 */
function conforms(edit: (c: Config) => void, ran: string[]): void {
  const id = `conf${counter++}`;
  const bundle = checkerBundle(scratch, id, edit);
  const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
  const tap = parseTap(r.stdout);
  expect(tap.failed, r.stdout + r.stderr).toEqual([]);
  expect(tap.planned).toBe(tap.passed.length);
  expect(r.code).toBe(0);
  expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  const checked = tap.passed.map((line) => line.replace(/^ok \d+ - /, ''));
  for (const name of ran) expect(checked.some((line) => line.startsWith(name)), `${name}\n${r.stdout}`).toBe(true);
}

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('conformance');
  // As /tmp is: a container's root mapped to another uid must still reach its bundle.
  fs.chmodSync(scratch.dir, 0o755);
});
afterAll(() => scratch.cleanup());

describe('conformance, checked from inside the container', () => {
  it('the default config', () => {
    conforms(() => {}, [
      "process.args are the process's argv",
      'process.env has PATH=',
      'process.cwd is / ',
      'process.user.uid is 0',
      'process.user.gid is 0',
      'process.user.umask is 0022',
      'process.capabilities.bounding gives 0000000020000420',
      'process.noNewPrivileges is 1',
      'hostname is cista',
      'root.readonly is true',
      'mount /proc is mounted',
      'mount /dev has mode 0755',
      'mount /dev/shm is nodev',
      'mount /dev/shm has mode 1777',
      'mount /sys is read-only',
      'mount /sys/fs/cgroup is noexec',
      'masked file /proc/keys is /dev/null',
      'masked directory /sys/firmware is a read-only mount',
      'read-only path /proc/sys is read-only',
    ]);
  });

  it('process: args, env, cwd', () => {
    conforms(
      (c) => {
        c.process.args.push('--flag', 'an arg with spaces');
        c.process.env.push('CONFORMANCE=yes', 'EMPTY=');
        c.process.cwd = '/tmp';
      },
      ["process.args are the process's argv", 'process.env has CONFORMANCE=yes', 'process.env has EMPTY=', 'process.cwd is /tmp '],
    );
  });

  it('process: user, additional gids and umask', () => {
    conforms(
      (c) => {
        c.process.user = { uid: 1234, gid: 5678, additionalGids: [100, 200], umask: 0o027 };
      },
      ['process.user.uid is 1234', 'process.user.gid is 5678', 'process.user.additionalGids has 100', 'process.user.additionalGids has 200', 'process.user.umask is 0027'],
    );
  });

  it('process: rlimits', () => {
    conforms(
      (c) => {
        c.process.rlimits = [
          { type: 'RLIMIT_NOFILE', soft: 512, hard: 1024 },
          { type: 'RLIMIT_CORE', soft: 0, hard: 0 },
          { type: 'RLIMIT_NPROC', soft: 100, hard: 200 },
        ];
      },
      ['process.rlimits RLIMIT_NOFILE is 512/1024', 'process.rlimits RLIMIT_CORE is 0/0', 'process.rlimits RLIMIT_NPROC is 100/200'],
    );
  });

  it('process: capabilities, all five sets', () => {
    conforms(
      (c) => {
        const caps = ['CAP_CHOWN', 'CAP_KILL', 'CAP_NET_RAW', 'CAP_SYS_ADMIN'];
        c.process.capabilities = { bounding: caps, effective: caps, permitted: caps, inheritable: ['CAP_KILL'], ambient: ['CAP_KILL'] };
      },
      // Bits 0, 5, 13 and 21; CAP_KILL is bit 5.
      [
        'process.capabilities.bounding gives 0000000000202021',
        'process.capabilities.effective gives 0000000000202021',
        'process.capabilities.permitted gives 0000000000202021',
        'process.capabilities.inheritable gives 0000000000000020',
        'process.capabilities.ambient gives 0000000000000020',
      ],
    );
  });

  it('process: no capabilities at all, and no_new_privs off', () => {
    conforms(
      (c) => {
        c.process.capabilities = {};
        c.process.noNewPrivileges = false;
      },
      ['process.capabilities.bounding gives 0000000000000000', 'process.capabilities.effective gives 0000000000000000', 'process.noNewPrivileges is 0'],
    );
  });

  it('process: oom_score_adj', () => {
    conforms((c) => (c.process.oomScoreAdj = 500), ['process.oomScoreAdj is 500']);
  });

  it('hostname and domainname', () => {
    conforms(
      (c) => {
        c.hostname = 'conformance-host';
        c.domainname = 'example.org';
      },
      ['hostname is conformance-host', 'domainname is example.org'],
    );
  });

  it('mounts: tmpfs with options, binds, read-only binds', () => {
    const dir = fs.mkdtempSync(`${scratch.dir}/bind-`);
    conforms(
      (c) => {
        c.mounts.push({ destination: '/scratch', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m', 'mode=700'] });
        c.mounts.push({ destination: '/data/ro', type: 'bind', source: dir, options: ['rbind', 'ro', 'nosuid'] });
        c.mounts.push({ destination: '/data/rw', type: 'bind', source: dir, options: ['bind'] });
      },
      [
        'mount /scratch is mounted',
        'mount /scratch is nosuid',
        'mount /scratch is nodev',
        'mount /scratch has mode 0700',
        'mount /data/ro is read-only',
        'mount /data/ro is nosuid',
        'mount /data/rw is mounted',
      ],
    );
  });

  it('masked and read-only paths', () => {
    conforms(
      (c) => {
        c.linux.maskedPaths.push('/proc/cpuinfo', '/sys/kernel');
        c.linux.readonlyPaths.push('/proc/loadavg');
      },
      ['masked file /proc/cpuinfo is /dev/null', 'masked directory /sys/kernel is a read-only mount', 'read-only path /proc/loadavg is read-only'],
    );
  });

  it('devices', () => {
    conforms(
      (c) => {
        c.linux.devices = [
          { path: '/dev/fuse', type: 'c', major: 10, minor: 229, fileMode: 0o600, uid: 0, gid: 0 },
          { path: '/dev/custom/loop9', type: 'b', major: 7, minor: 9, fileMode: 0o640, uid: 0, gid: 6 },
          { path: '/dev/myfifo', type: 'p', fileMode: 0o644 },
        ];
      },
      ['device /dev/fuse', 'device /dev/custom/loop9', 'device /dev/myfifo'],
    );
  });

  it('a writable root', () => {
    conforms((c) => (c.root.readonly = false), ['root.readonly is false']);
  });

  it('a new user namespace, with the process as a mapped user', () => {
    conforms(
      (c) => {
        c.linux.namespaces.push({ type: 'user' });
        c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.linux.gidMappings = [
          { containerID: 0, hostID: 100000, size: 1000 },
          { containerID: 1000, hostID: 200000, size: 10000 },
        ];
        c.process.user = { uid: 1234, gid: 5678, additionalGids: [100, 200] };
        c.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m'] });
      },
      ['linux.uidMappings is /proc/self/uid_map', 'linux.gidMappings is /proc/self/gid_map', 'process.user.uid is 1234', 'process.user.additionalGids has 200'],
    );
  });

  it('personality, scheduler, I/O priority and memory policy', () => {
    conforms(
      (c) => {
        c.linux.personality = { domain: 'LINUX32' };
        c.process.scheduler = { policy: 'SCHED_BATCH', nice: 7 };
        c.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 6 };
        c.linux.memoryPolicy = { mode: 'MPOL_INTERLEAVE', nodes: '0', flags: ['MPOL_F_STATIC_NODES'] };
      },
      [
        'linux.personality is LINUX32',
        'process.scheduler.policy is SCHED_BATCH',
        'process.scheduler.nice is 7',
        'process.ioPriority is class << 13 | priority (0x4006',
        'linux.memoryPolicy.mode is MPOL_INTERLEAVE (0x8003',
        'linux.memoryPolicy.nodes are 0',
      ],
    );
  });

  it('a real-time scheduler, with real-time runtime in the cgroup, and the idle I/O class', () => {
    conforms(
      (c) => {
        c.process.scheduler = { policy: 'SCHED_RR', priority: 10, flags: ['SCHED_FLAG_RESET_ON_FORK'] };
        // cgroup v1 (this host): real-time group scheduling needs real-time runtime for the cgroup.
        c.linux.resources = { ...c.linux.resources, cpu: { realtimeRuntime: 10000, realtimePeriod: 1000000 } };
        c.process.ioPriority = { class: 'IOPRIO_CLASS_IDLE' };
      },
      ['process.scheduler.policy is SCHED_RR', 'process.scheduler.priority is 10', 'process.ioPriority is class << 13 | priority (0x6000'],
    );
  });

  it('SCHED_DEADLINE', () => {
    conforms(
      (c) => {
        c.process.scheduler = { policy: 'SCHED_DEADLINE', runtime: 10_000_000, deadline: 30_000_000, period: 30_000_000 };
      },
      ['process.scheduler.policy is SCHED_DEADLINE', 'process.scheduler runtime and deadline are 10000000 and 30000000 ns'],
    );
  });

  it('a time namespace with monotonic and boot time offsets (larger than any uptime here)', () => {
    conforms(
      (c) => {
        c.linux.namespaces.push({ type: 'time' });
        c.linux.timeOffsets = { monotonic: { secs: 10 * 365 * 86400, nanosecs: 5 }, boottime: { secs: 20 * 365 * 86400 } };
      },
      [
        'linux.timeOffsets.monotonic is 315360000 s 5 ns',
        'linux.timeOffsets.boottime is 630720000 s 0 ns',
        'the monotonic clock reads at least its offset (315360000 s',
        'the boottime clock reads at least its offset (630720000 s',
      ],
    );
  });

  it('a time namespace owned by a new user namespace', () => {
    conforms(
      (c) => {
        c.linux.namespaces.push({ type: 'user' }, { type: 'time' });
        c.linux.uidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.linux.gidMappings = [{ containerID: 0, hostID: 100000, size: 65536 }];
        c.linux.timeOffsets = { monotonic: { secs: 1000 * 86400 } };
        c.mounts.push({ destination: '/tmp', type: 'tmpfs', source: 'tmpfs', options: ['nosuid', 'nodev', 'size=1m'] });
      },
      ['linux.uidMappings is /proc/self/uid_map', 'linux.timeOffsets.monotonic is 86400000 s 0 ns', 'the monotonic clock reads at least its offset (86400000 s'],
    );
  });

  it('namespaced sysctls', () => {
    conforms((c) => (c.linux.sysctl = { 'net.ipv4.ip_forward': '1', 'kernel.msgmax': '4096', 'fs.mqueue.queues_max': '128' }), [
      'sysctl net.ipv4.ip_forward is 1',
      'sysctl kernel.msgmax is 4096',
      'sysctl fs.mqueue.queues_max is 128',
    ]);
  });
});
