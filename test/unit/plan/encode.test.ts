import { describe, expect, it } from 'vitest';

import { LAUNCH_PLAN_VERSION } from '../../../src/generated/protocol';
import { type LaunchPlan, encodeLaunchPlan } from '../../../src/engine/plan/plan';

const empty: LaunchPlan = {
  joinNamespaces: [],
  unshareFlags: 0,
  timeOffsets: null,
  forkIntoNamespaces: false,
  sessionKeyring: null,
  hostname: null,
  domainname: null,
  rootfs: null,
  mounts: [],
  devices: [],
  symlinks: [],
  maskedPaths: [],
  readonlyPaths: [],
  mountLabel: '',
  sysctls: [],
  rlimits: [],
  uid: 0,
  gid: 0,
  additionalGids: [],
  umask: null,
  capabilities: { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n },
  noNewPrivileges: false,
  seccomp: null,
  apparmorProfile: '',
  processLabel: '',
  personality: null,
  scheduler: null,
  ioPriority: null,
  cpuAffinity: null,
  memoryPolicy: null,
  cwd: '/',
  args: ['true'],
  env: [],
  terminal: false,
  consoleSize: null,
  awaitHooks: false,
  createContainerHooks: [],
  startContainerHooks: [],
  waitForStart: true,
};

/** awaitHooks (1) and two empty hook lists (4 + 4): what an encoded plan without hooks ends with. */
const NO_HOOKS = 9;

describe('encodeLaunchPlan', () => {
  it('starts with the format version and lays fields out little-endian, length-prefixed', () => {
    const bytes = encodeLaunchPlan({ ...empty, hostname: 'ab' });
    expect(bytes.readUInt32LE(0)).toBe(LAUNCH_PLAN_VERSION);
    expect(bytes.readUInt32LE(4)).toBe(0); // no namespaces to join
    expect(bytes.readUInt32LE(8)).toBe(0); // unshare flags
    expect(bytes[12]).toBe(0); // no time offsets
    expect(bytes[13]).toBe(0); // no fork into namespaces
    expect(bytes[14]).toBe(0); // no session keyring
    expect(bytes[15]).toBe(1); // hostname present
    expect(bytes.readUInt32LE(16)).toBe(2);
    expect(bytes.toString('utf8', 20, 22)).toBe('ab');
    expect(bytes[22]).toBe(0); // no domainname
  });

  it('ends with cwd, args, env, the terminal, the hooks, then whether to wait for start', () => {
    const whole = encodeLaunchPlan({ ...empty, args: ['a'], env: ['X=1'], terminal: true, consoleSize: { rows: 24, columns: 80 }, waitForStart: true });
    expect(whole[whole.length - 1]).toBe(1);
    expect(whole.subarray(whole.length - 1 - NO_HOOKS, whole.length - 1)).toEqual(Buffer.alloc(NO_HOOKS));
    const bytes = whole.subarray(0, whole.length - 1 - NO_HOOKS);
    const tail = bytes.subarray(bytes.length - 10);
    expect(tail[0]).toBe(1);
    expect(tail[1]).toBe(1);
    expect(tail.readUInt32LE(2)).toBe(24);
    expect(tail.readUInt32LE(6)).toBe(80);
    const env = bytes.subarray(0, bytes.length - 10);
    expect(env.toString('utf8', env.length - 3)).toBe('X=1');
  });

  it('lays out each init-run hook as path, argv, env and timeout', () => {
    const hook = { path: '/h', args: ['h', 'x'], env: ['A=1'], timeoutSeconds: 7 };
    const bytes = encodeLaunchPlan({ ...empty, awaitHooks: true, startContainerHooks: [hook] });
    const expected = Buffer.concat([
      Buffer.from([1]), // awaitHooks
      Buffer.from([0, 0, 0, 0]), // no createContainer hooks
      Buffer.from([1, 0, 0, 0, 2, 0, 0, 0]),
      Buffer.from('/h'),
      Buffer.from([2, 0, 0, 0, 1, 0, 0, 0]),
      Buffer.from('h'),
      Buffer.from([1, 0, 0, 0]),
      Buffer.from('x'),
      Buffer.from([1, 0, 0, 0, 3, 0, 0, 0]),
      Buffer.from('A=1'),
      Buffer.from([7, 0, 0, 0]),
      Buffer.from([1]), // waitForStart
    ]);
    expect(bytes.subarray(bytes.length - expected.length)).toEqual(expected);
  });

  it('refuses strings with NUL bytes, which C would silently cut', () => {
    expect(() => encodeLaunchPlan({ ...empty, args: ['a\u0000b'] })).toThrow(/NUL/);
  });

  it('carries the seccomp program as a u32 length and the bytes, then the flags, after no_new_privs', () => {
    const program = Buffer.from([6, 0, 0, 0, 0, 0, 0xff, 0x7f]); // BPF_RET|BPF_K SECCOMP_RET_ALLOW
    const without = encodeLaunchPlan({ ...empty, noNewPrivileges: true });
    const bytes = encodeLaunchPlan({ ...empty, noNewPrivileges: true, seccomp: { program, flags: 5 } });
    expect(bytes.length).toBe(without.length + 4 + 8 + 4);
    // Everything up to no_new_privs (1) and the seccomp presence byte is unchanged.
    const at = bytes.indexOf(Buffer.from([1, 1, 8, 0, 0, 0]));
    expect(at).toBeGreaterThan(0);
    expect(bytes.subarray(at + 6, at + 14)).toEqual(program);
    expect(bytes.readUInt32LE(at + 14)).toBe(5);
  });

  it('refuses a seccomp program that is not whole struct sock_filter, or too long for the kernel', () => {
    expect(() => encodeLaunchPlan({ ...empty, seccomp: { program: Buffer.alloc(12), flags: 0 } })).toThrow(/sock_filter/);
    expect(() => encodeLaunchPlan({ ...empty, seccomp: { program: Buffer.alloc(0), flags: 0 } })).toThrow(/sock_filter/);
    expect(() => encodeLaunchPlan({ ...empty, seccomp: { program: Buffer.alloc(4097 * 8), flags: 0 } })).toThrow(/sock_filter/);
  });
});
