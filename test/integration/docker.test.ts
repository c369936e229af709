import { type ChildProcess, spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, type CommandResult, REPO, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';
import { sleepSync } from '../../src/engine/sleep';

/**
 * Debian's Docker 20.10 with examples/docker/daemon.json (the README's snippet) as it stands, but
 * for where cista is: `docker run --runtime cista`. dockerd runs here with its own data, exec root
 * and socket, no bridge and no iptables, and the vfs storage driver.
 */
let scratch: Scratch;
let daemon: ChildProcess;
let socket: string;

function docker(...args: string[]): CommandResult {
  return exec('/usr/bin/docker', ['-H', `unix://${socket}`, ...args], { timeout: 60_000 });
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/sbin/dockerd', 'Docker (apt install docker.io) runs cista as a runtime of daemon.json');
  scratch = new Scratch('docker');
  socket = path.join(scratch.dir, 'docker.sock');
  const config = path.join(scratch.dir, 'daemon.json');
  fs.writeFileSync(config, fs.readFileSync(path.join(REPO, 'examples', 'docker', 'daemon.json'), 'utf8').replace('/usr/local/bin/cista', CISTA));
  const log = fs.openSync(path.join(scratch.dir, 'dockerd.log'), 'w');
  const dirs = ['--data-root', path.join(scratch.dir, 'data'), '--exec-root', path.join(scratch.dir, 'exec'), '--pidfile', path.join(scratch.dir, 'docker.pid')];
  daemon = spawn('/usr/sbin/dockerd', [...dirs, '-H', `unix://${socket}`, '--config-file', config, '--iptables=false', '--ip6tables=false', '--bridge=none', '--storage-driver', 'vfs'], { stdio: ['ignore', log, log] });
  fs.closeSync(log);
  for (let i = 0; i < 150 && docker('info', '--format', '{{.ID}}').code !== 0; i++) sleepSync(200);
  // The image: a busybox rootfs imported as it is (no registry).
  const bundle = scratch.bundle('image', ['true']);
  const tar = path.join(scratch.dir, 'rootfs.tar');
  expect(exec('/bin/tar', ['-C', path.join(bundle, 'rootfs'), '-cf', tar, '.']).code).toBe(0);
  expect(docker('import', tar, 'cista-busybox').code).toBe(0);
}, 120_000);

afterAll(() => {
  if (daemon !== undefined) {
    docker('rm', '--force', 'cista-docker1');
    docker('rmi', '--force', 'cista-busybox');
    daemon.kill('SIGTERM');
    for (let i = 0; i < 500 && daemon.exitCode === null && daemon.signalCode === null; i++) sleepSync(20);
  }
  scratch?.cleanup();
});

describe('Docker with the README\'s daemon.json', () => {
  it('knows cista as a runtime', () => {
    expect(docker('info', '--format', '{{(index .Runtimes "cista").Path}}')).toMatchObject({ code: 0, stdout: `${CISTA}\n` });
  });

  it('docker run --runtime cista: output and exit status; with -t a terminal', () => {
    expect(docker('run', '--rm', '--runtime', 'cista', '--network', 'none', 'cista-busybox', '/bin/sh', '-c', 'echo hello from cista; exit 5')).toMatchObject({
      code: 5,
      stdout: 'hello from cista\n',
    });
    expect(docker('run', '--rm', '-t', '--runtime', 'cista', '--network', 'none', 'cista-busybox', '/bin/tty')).toMatchObject({ code: 0, stdout: '/dev/pts/0\r\n' });
  });

  it('a detached container: exec, stop, rm', () => {
    expect(docker('run', '-d', '--name', 'cista-docker1', '--runtime', 'cista', '--network', 'none', 'cista-busybox', '/bin/sleep', '1000').code).toBe(0);
    expect(docker('exec', 'cista-docker1', 'cat', '/proc/1/comm')).toMatchObject({ code: 0, stdout: 'sleep\n' });
    expect(docker('stop', '-t', '1', 'cista-docker1').code).toBe(0);
    expect(docker('rm', 'cista-docker1').code).toBe(0);
  });
});
