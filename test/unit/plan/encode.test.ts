import { describe, expect, it } from 'vitest';

import { PLAN_FORMAT_VERSION, encodePlan } from '../../../src/engine/plan/encode';
import type { LaunchPlan } from '../../../src/engine/plan/plan';

const empty: LaunchPlan = {
  joinNamespaces: [],
  unshareFlags: 0,
  sessionKeyring: null,
  hostname: null,
  domainname: null,
  rootfs: null,
  mounts: [],
  devices: [],
  symlinks: [],
  maskedPaths: [],
  readonlyPaths: [],
  sysctls: [],
  oomScoreAdj: null,
  rlimits: [],
  uid: 0,
  gid: 0,
  additionalGids: [],
  umask: null,
  capabilities: { bounding: 0n, effective: 0n, permitted: 0n, inheritable: 0n, ambient: 0n },
  noNewPrivileges: false,
  cwd: '/',
  args: ['true'],
  env: [],
  terminal: false,
  consoleSize: null,
};

describe('encodePlan', () => {
  it('starts with the format version and lays fields out little-endian, length-prefixed', () => {
    const bytes = encodePlan({ ...empty, hostname: 'ab' });
    expect(bytes.readUInt32LE(0)).toBe(PLAN_FORMAT_VERSION);
    expect(bytes.readUInt32LE(4)).toBe(0); // no namespaces to join
    expect(bytes.readUInt32LE(8)).toBe(0); // unshare flags
    expect(bytes[12]).toBe(0); // no session keyring
    expect(bytes[13]).toBe(1); // hostname present
    expect(bytes.readUInt32LE(14)).toBe(2);
    expect(bytes.toString('utf8', 18, 20)).toBe('ab');
    expect(bytes[20]).toBe(0); // no domainname
  });

  it('ends with cwd, args, env and the terminal', () => {
    const bytes = encodePlan({ ...empty, args: ['a'], env: ['X=1'], terminal: true, consoleSize: { rows: 24, columns: 80 } });
    const tail = bytes.subarray(bytes.length - 10);
    expect(tail[0]).toBe(1);
    expect(tail[1]).toBe(1);
    expect(tail.readUInt32LE(2)).toBe(24);
    expect(tail.readUInt32LE(6)).toBe(80);
    const env = bytes.subarray(0, bytes.length - 10);
    expect(env.toString('utf8', env.length - 3)).toBe('X=1');
  });

  it('refuses strings with NUL bytes, which C would silently cut', () => {
    expect(() => encodePlan({ ...empty, args: ['a\u0000b'] })).toThrow(/NUL/);
  });
});
