import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, type CommandResult, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';
import { sleepSync } from '../../src/engine/sleep';

/**
 * Debian's containerd 1.6 with its runc shim (io.containerd.runc.v2) running cista as its binary:
 * `ctr run --runc-binary` sets the shim option that BinaryName in config.toml sets for the CRI
 * plugin. containerd runs here with its own root, state and socket, and without the CRI plugin.
 */
let scratch: Scratch;
let daemon: ChildProcess;
let socket: string;
let rootfs: string;
/** The runtime the shim is given: cista, with every call it gets written down. */
let runtime: string;
let calls: string;

function ctr(...args: string[]): CommandResult {
  return exec('/usr/bin/ctr', ['--address', socket, ...args], { timeout: 60_000 });
}

/** `ctr run` of the busybox rootfs with cista, then the command. */
function ctrRun(flags: string[], id: string, ...command: string[]): CommandResult {
  return ctr('run', ...flags, '--runtime', 'io.containerd.runc.v2', '--runc-binary', runtime, '--rootfs', rootfs, id, ...command);
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/containerd', 'containerd (apt install containerd) runs cista through its runc shim');
  scratch = new Scratch('containerd');
  socket = path.join(scratch.dir, 'containerd.sock');
  const config = path.join(scratch.dir, 'config.toml');
  fs.writeFileSync(
    config,
    [
      'version = 2',
      `root = "${scratch.dir}/root"`,
      `state = "${scratch.dir}/state"`,
      'disabled_plugins = ["io.containerd.grpc.v1.cri"]',
      '[grpc]',
      `  address = "${socket}"`,
      '[ttrpc]',
      `  address = "${socket}.ttrpc"`,
      '',
    ].join('\n'),
  );
  const log = fs.openSync(path.join(scratch.dir, 'containerd.log'), 'w');
  daemon = spawn('/usr/bin/containerd', ['--config', config], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  for (let i = 0; i < 500 && !fs.existsSync(socket); i++) sleepSync(20);
  expect(fs.existsSync(socket)).toBe(true);
  rootfs = path.join(scratch.bundle('image', ['true']), 'rootfs');
  calls = path.join(scratch.dir, 'calls.log');
  runtime = path.join(scratch.dir, 'cista-runtime');
  fs.writeFileSync(runtime, `#!/bin/sh\necho "$*" >> ${calls}\nexec ${CISTA} "$@"\n`, { mode: 0o755 });
}, 60_000);

afterAll(() => {
  if (daemon !== undefined) {
    daemon.kill('SIGTERM');
    for (let i = 0; i < 250 && daemon.exitCode === null && daemon.signalCode === null; i++) sleepSync(20);
  }
  scratch?.cleanup();
});

describe('containerd\'s runc shim with cista as its binary', () => {
  it('ctr run: output and exit status', () => {
    const r = ctrRun(['--rm'], 'ctd-run', '/bin/sh', '-c', 'echo hello from cista; exit 4');
    expect(r).toMatchObject({ code: 4, stdout: 'hello from cista\n' });
  });

  it('a detached task: exec, ps, kill, and ctr task delete -f, which sends kill --all', () => {
    expect(ctrRun(['-d'], 'ctd-task', '/bin/sleep', '1000').code).toBe(0);
    expect(ctr('task', 'exec', '--exec-id', 'e1', 'ctd-task', '/bin/cat', '/proc/1/comm')).toMatchObject({ code: 0, stdout: 'sleep\n' });
    const ps = ctr('task', 'ps', 'ctd-task');
    expect(ps.code).toBe(0);
    expect(ps.stdout.trim().split('\n')).toHaveLength(2);
    fs.writeFileSync(calls, '');
    expect(ctr('task', 'delete', '-f', 'ctd-task').code).toBe(0);
    expect(fs.readFileSync(calls, 'utf8')).toMatch(/ kill --all ctd-task 9$/m);
    expect(ctr('container', 'delete', 'ctd-task').code).toBe(0);
    expect(leftovers(path.join(scratch.dir, 'state'), 'ctd-task', rootfs).filter((l) => !l.startsWith('state dir'))).toEqual([]);
  });
});
