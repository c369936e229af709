/**
 * `cista features` may only advertise what works: each value it lists is used here by a real
 * container that must start and show its effect. (test/oracle/features.test.ts checks the document
 * against the runtime-spec's schema.)
 */
import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';
import { SECCOMP_AGENT, startSeccompAgent } from '../helpers/seccomp-agent';

interface Features {
  hooks: string[];
  mountOptions: string[];
  linux: {
    namespaces: string[];
    capabilities: string[];
    seccomp: { actions: string[]; operators: string[]; archs: string[]; supportedFlags: string[] };
    mountExtensions: { idmap: { enabled: boolean } };
    netDevices: { enabled: boolean };
  };
}

/** The veth the netDevices case moves (its own name: net-devices.test.ts may run meanwhile). */
const VETH = 'cista-ft0';

let scratch: Scratch;
let features: Features;
let counter = 0;

beforeAll(() => {
  requireRoot();
  requireFile(SECCOMP_AGENT, 'the test seccomp agent');
  requireFile('/usr/sbin/ip', 'iproute2 makes the veth of netDevices');
  scratch = new Scratch('features');
  // As /tmp is: in the new user namespace the container's root is host uid 1000, which must reach the bundle.
  fs.chmodSync(scratch.dir, 0o755);
  const r = cista(scratch.root, ['features']);
  expect(r.code).toBe(0);
  features = JSON.parse(r.stdout) as Features;
});

afterAll(() => {
  exec('ip', ['link', 'del', VETH]);
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

/** Runs `script` in a new container made with `edit`; returns its stdout once it exited 0 and left nothing. */
function run(script: string, edit: (c: Config) => void, prepare: (bundle: string) => void = () => {}): string {
  const id = `features${counter++}`;
  const bundle = scratch.bundle(id, ['sh', '-c', script], edit);
  prepare(bundle);
  const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  return r.stdout;
}

/** What a mount of each option shows in /proc/self/mountinfo (per-mount options or optional fields). */
const VISIBLE: Readonly<Record<string, string>> = {
  ro: ' ro,',
  rw: ' rw,',
  nosuid: ',nosuid',
  nodev: ',nodev',
  noexec: ',noexec',
  noatime: ',noatime',
  nodiratime: ',nodiratime',
  relatime: ',relatime',
  nosymfollow: ',nosymfollow',
  shared: ' shared:',
  rshared: ' shared:',
  unbindable: ' unbindable',
  runbindable: ' unbindable',
  idmap: ',idmapped',
  ridmap: ',idmapped',
};

/** What the idmap options shift ids by: the mount's own mapping (no user namespace needed). */
const ID_SHIFT = 2000;
const IDMAP_OPTIONS = new Set(['idmap', 'ridmap']);

describe('every value cista features advertises works', () => {
  it('mount options: a mount with each one', () => {
    const destination = (option: string) => `/mnt/${option}`;
    // Only a bind can be idmapped: one of a directory of host root's, shown as ID_SHIFT.
    const idmapSource = path.join(scratch.dir, 'idmap-source');
    fs.mkdirSync(idmapSource);
    const idmapped = features.mountOptions.filter((option) => IDMAP_OPTIONS.has(option));
    const out = run(
      `cat /proc/self/mountinfo; cat /mnt/tmpcopyup/copied; for o in ${idmapped.join(' ')}; do echo "owner $o $(stat -c %u /mnt/$o)"; done`,
      (c) => {
        for (const option of features.mountOptions) {
          if (IDMAP_OPTIONS.has(option)) {
            const mapping = [{ containerID: 0, hostID: ID_SHIFT, size: 10 }];
            c.mounts.push({ destination: destination(option), type: 'bind', source: idmapSource, options: [option], uidMappings: mapping, gidMappings: mapping });
            continue;
          }
          const bind = option === 'bind' || option === 'rbind';
          c.mounts.push({ destination: destination(option), type: bind ? 'bind' : 'tmpfs', source: bind ? '/tmp' : 'tmpfs', options: [option] });
        }
      },
      (bundle) => {
        fs.mkdirSync(path.join(bundle, 'rootfs', 'mnt', 'tmpcopyup'), { recursive: true });
        fs.writeFileSync(path.join(bundle, 'rootfs', 'mnt', 'tmpcopyup', 'copied'), 'copied up\n');
      },
    );
    const lines = out.split('\n');
    for (const option of features.mountOptions) {
      const line = lines.find((l) => l.split(' ')[4] === destination(option));
      expect(line, option).toBeDefined();
      if (VISIBLE[option] !== undefined) expect(line, option).toContain(VISIBLE[option]);
    }
    expect(lines).toContain('copied up');
    for (const option of idmapped) expect(lines, option).toContain(`owner ${option} ${ID_SHIFT}`);
    // mountExtensions.idmap is what these two options need.
    expect(features.linux.mountExtensions.idmap.enabled).toBe(idmapped.length > 0);
  });

  it('netDevices: a host veth is in the container under its new name', () => {
    if (!features.linux.netDevices.enabled) return;
    exec('ip', ['link', 'del', VETH]);
    expect(exec('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', `${VETH}p`]).code).toBe(0);
    const out = run('ip -o link show dev eth9', (c) => (c.linux.netDevices = { [VETH]: { name: 'eth9' } }));
    expect(out).toMatch(/^\d+: eth9@/);
    // Back on the host once the container is gone.
    expect(fs.existsSync(`/sys/class/net/${VETH}`)).toBe(true);
  });

  it('namespaces: all of them at once', () => {
    const out = run(
      'for ns in /proc/self/ns/*; do echo "${ns##*/} $(readlink "$ns")"; done',
      (c) => {
        const types = new Set(c.linux.namespaces.map((ns: { type: string }) => ns.type));
        for (const type of features.linux.namespaces) if (!types.has(type)) c.linux.namespaces.push({ type });
        if (types.has('user') || features.linux.namespaces.includes('user')) {
          c.linux.uidMappings = [{ containerID: 0, hostID: 1000, size: 2000 }];
          c.linux.gidMappings = [{ containerID: 0, hostID: 1000, size: 3000 }];
        }
      },
    );
    const files: Record<string, string> = { pid: 'pid', network: 'net', mount: 'mnt', ipc: 'ipc', uts: 'uts', user: 'user', cgroup: 'cgroup', time: 'time' };
    const inside = new Map(out.trim().split('\n').map((l) => l.split(' ') as [string, string]));
    for (const type of features.linux.namespaces) {
      const file = files[type];
      expect(file, type).toBeDefined();
      expect(inside.get(file), type).not.toBe(fs.readlinkSync(`/proc/self/ns/${file}`));
    }
  });

  it("capabilities: every one this host's bounding set has, in every set", () => {
    const hostBounding = BigInt(`0x${/^CapBnd:\s*([0-9a-f]+)$/m.exec(fs.readFileSync('/proc/self/status', 'utf8'))![1]}`);
    const numbers = capabilityNumbers();
    const usable = features.linux.capabilities.filter((cap) => (hostBounding >> BigInt(numbers[cap])) & 1n);
    // What the host lacks cannot be shown here (README: CAP_SYS_RESOURCE is missing on this VM).
    expect(usable.length).toBeGreaterThan(features.linux.capabilities.length - 3);
    const out = run('grep ^Cap /proc/self/status', (c) => {
      c.process.capabilities = { bounding: usable, effective: usable, permitted: usable, inheritable: usable, ambient: usable };
    });
    const mask = usable.reduce((m, cap) => m | (1n << BigInt(numbers[cap])), 0n);
    for (const field of ['CapInh', 'CapPrm', 'CapEff', 'CapBnd', 'CapAmb']) {
      expect(BigInt(`0x${new RegExp(`^${field}:\\s*([0-9a-f]+)$`, 'm').exec(out)![1]}`), field).toBe(mask);
    }
  });

  it('hooks: one of each kind runs', () => {
    const out = path.join(scratch.dir, 'hooks-out');
    fs.mkdirSync(out);
    run('true', (c) => {
      c.mounts.push({ destination: '/out', type: 'bind', source: out, options: ['rbind'] });
      c.hooks = Object.fromEntries(
        features.hooks.map((kind) => {
          const inContainer = kind === 'startContainer';
          return [kind, [{ path: inContainer ? '/bin/sh' : '/bin/busybox', args: ['sh', '-c', `touch ${inContainer ? '/out' : out}/${kind}`] }]];
        }),
      );
    });
    expect(fs.readdirSync(out).sort()).toEqual([...features.hooks].sort());
  });

  it('seccomp: a filter with every action, operator, architecture and flag loads, and acts', () => {
    const { actions, operators, archs, supportedFlags } = features.linux.seccomp;
    // Syscalls busybox's sh, chmod and true never make, one per action; mkdir is the one that shows
    // it, and rmdir (of /, which fails) the one the agent answers with success for SCMP_ACT_NOTIFY.
    const unused = ['acct', 'swapon', 'swapoff', 'vhangup', 'syslog', 'quotactl', 'pivot_root', 'iopl', 'ioperm', 'kexec_load'];
    const notify = actions.includes('SCMP_ACT_NOTIFY');
    const actionRules = actions
      .filter((action) => action !== 'SCMP_ACT_ALLOW' && action !== 'SCMP_ACT_NOTIFY')
      .map((action, i) => ({ names: [unused[i]], action, ...(action === 'SCMP_ACT_ERRNO' || action === 'SCMP_ACT_TRACE' ? { errnoRet: 1 } : {}) }));
    expect(actionRules.length).toBeLessThanOrEqual(unused.length);
    const socket = path.join(scratch.dir, 'agent.sock');
    let agent: ChildProcess | undefined;
    if (notify) agent = startSeccompAgent(socket, path.join(scratch.dir, 'agent-states'));
    let out: string;
    try {
      out = run('mkdir /tmp/x 2>&1; echo status $?; rmdir / 2>&1; echo rmdir $?', (c) => {
        c.process.capabilities.bounding.push('CAP_SYS_ADMIN');
        c.linux.seccomp = {
          defaultAction: 'SCMP_ACT_ALLOW',
          architectures: archs,
          // WAIT_KILLABLE_RECV goes with a listener (and is dropped without one).
          flags: supportedFlags,
          ...(notify ? { listenerPath: socket } : {}),
          syscalls: [
            ...actionRules,
            ...(notify ? [{ names: ['rmdir'], action: 'SCMP_ACT_NOTIFY' }] : []),
            // Each operator on personality(2)'s argument, with values busybox never passes.
            ...operators.map((op) => ({
              names: ['personality'],
              action: 'SCMP_ACT_ERRNO',
              args: [{ index: 0, value: op === 'SCMP_CMP_MASKED_EQ' ? 0xff00 : 0x7777, valueTwo: op === 'SCMP_CMP_MASKED_EQ' ? 0x7700 : 0, op }],
            })),
            { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO', errnoRet: 13 },
          ],
        };
      });
    } finally {
      agent?.kill('SIGKILL');
    }
    expect(out).toMatch(/Permission denied[\s\S]*status 1/);
    // The agent said yes to rmdir("/"), which the kernel refuses.
    expect(out).toMatch(notify ? /rmdir 0/ : /rmdir 1/);
  });
});

/** Capability numbers (linux/capability.h) from their names, through the kernel's own list of the host's. */
function capabilityNumbers(): Record<string, number> {
  const names = [
    'CHOWN', 'DAC_OVERRIDE', 'DAC_READ_SEARCH', 'FOWNER', 'FSETID', 'KILL', 'SETGID', 'SETUID', 'SETPCAP', 'LINUX_IMMUTABLE',
    'NET_BIND_SERVICE', 'NET_BROADCAST', 'NET_ADMIN', 'NET_RAW', 'IPC_LOCK', 'IPC_OWNER', 'SYS_MODULE', 'SYS_RAWIO', 'SYS_CHROOT',
    'SYS_PTRACE', 'SYS_PACCT', 'SYS_ADMIN', 'SYS_BOOT', 'SYS_NICE', 'SYS_RESOURCE', 'SYS_TIME', 'SYS_TTY_CONFIG', 'MKNOD', 'LEASE',
    'AUDIT_WRITE', 'AUDIT_CONTROL', 'SETFCAP', 'MAC_OVERRIDE', 'MAC_ADMIN', 'SYSLOG', 'WAKE_ALARM', 'BLOCK_SUSPEND', 'AUDIT_READ',
    'PERFMON', 'BPF', 'CHECKPOINT_RESTORE',
  ];
  return Object.fromEntries(names.map((name, i) => [`CAP_${name}`, i]));
}
