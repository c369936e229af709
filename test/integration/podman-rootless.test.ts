// Rootless Podman (Debian's 4.3) with cista as its runtime: podman runs as an ordinary user, in a user
// namespace of its own made with newuidmap from /etc/subuid, and calls cista as root of it.
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, type CommandResult, REPO, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';
import { TestUser } from '../helpers/test-user';

const USER = 'cista-podman';
const SUBORDINATE_FIRST = 1_400_100_000;
const IMAGE = 'localhost/cista-busybox';

let scratch: Scratch;
let user: TestUser;

/**
 * podman as the user. vfs storage: nothing to set up on any kernel. No network: slirp4netns needs
 * /dev/net/tun open to users, which not every host (this VM) grants, and networking is podman's.
 */
function podman(args: string[]): CommandResult {
  return user.run('podman', ['--storage-driver', 'vfs', ...args], {
    env: user.env({ CONTAINERS_CONF: path.join(scratch.dir, 'containers.conf') }),
    timeout: 120_000,
  });
}

function expectOk(r: CommandResult): string {
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return r.stdout;
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/podman', 'podman (Debian package podman) is the client under test');
  requireFile('/usr/bin/newuidmap', 'newuidmap (Debian package uidmap) maps podman\'s user namespace');
  scratch = new Scratch('podman-rootless');
  user = TestUser.create(USER, scratch.dir);
  user.addSubordinateIds(SUBORDINATE_FIRST, 65536);
  // containers.conf: cista is the runtime and takes --log-format=json (its name is not one podman knows).
  fs.writeFileSync(
    path.join(scratch.dir, 'containers.conf'),
    `[engine]\nruntime = "cista"\nruntime_supports_json = ["cista"]\ncgroup_manager = "cgroupfs"\nevents_logger = "file"\n` +
      `[engine.runtimes]\ncista = ["${CISTA}"]\n`,
  );
  // The image: the busybox rootfs of the test bundles, imported (no registry is reachable).
  const bundle = path.join(scratch.dir, 'image');
  expect(exec(path.join(REPO, 'scripts', 'example-bundle.sh'), [bundle]).code).toBe(0);
  const tar = path.join(scratch.dir, 'busybox.tar');
  expect(exec('tar', ['-C', path.join(bundle, 'rootfs'), '-cf', tar, '.']).code).toBe(0);
  fs.chmodSync(tar, 0o644);
  const imported = podman(['import', '--quiet', tar, IMAGE]);
  expect(imported.code, imported.stderr).toBe(0);
}, 180_000);

afterAll(() => {
  if (user !== undefined) {
    podman(['rm', '--all', '--force', '--time', '0']);
    // Rootless podman keeps a pause process holding its user namespace; it goes with the user.
    const pauseFile = path.join(user.runtimeDir, 'libpod', 'tmp', 'pause.pid');
    if (fs.existsSync(pauseFile)) {
      try {
        process.kill(Number(fs.readFileSync(pauseFile, 'utf8')), 'SIGKILL');
      } catch {
        // Gone already.
      }
    }
    user.remove();
  }
  scratch?.cleanup();
}, 120_000);

describe('rootless podman with cista', () => {
  it('run --rm: the process runs as root of podman\'s user namespace, its exit status comes back', () => {
    const r = podman(['run', '--rm', '--network', 'none', IMAGE, 'sh', '-c', 'id -u; cat /proc/self/uid_map; exit 3']);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(3);
    expect(r.stdout.split('\n').map((l) => l.trim().split(/\s+/).join(' '))).toEqual(['0', `0 ${user.uid} 1`, `1 ${SUBORDINATE_FIRST} 65536`, '']);
    expect(expectOk(podman(['ps', '--all', '--quiet']))).toBe('');
  });

  it('run -d, exec, exec -t, stop and rm; cista keeps its state in $XDG_RUNTIME_DIR/cista', () => {
    const id = expectOk(podman(['run', '-d', '--network', 'none', '--name', 'c1', IMAGE, 'sleep', '1000'])).trim();
    expect(fs.existsSync(path.join(user.runtimeDir, 'cista', id, 'state.json'))).toBe(true);
    expect(expectOk(podman(['exec', 'c1', 'sh', '-c', 'id -u; ps -o comm | grep -c sleep']))).toBe('0\n1\n');
    expect(expectOk(podman(['exec', '-t', 'c1', 'tty']))).toMatch(/^\/dev\/pts\/\d+\r?\n$/);
    const stopped = podman(['stop', '--time', '1', 'c1']);
    expect(stopped.code).toBe(0);
    expect(expectOk(podman(['inspect', '--format', '{{.State.Status}}', 'c1'])).trim()).toBe('exited');
    expectOk(podman(['rm', 'c1']));
    expect(fs.existsSync(path.join(user.runtimeDir, 'cista', id))).toBe(false);
  });

  it('--userns=keep-id: cista makes a user namespace inside podman\'s, in which the process is the user', () => {
    const r = podman(['run', '--rm', '--network', 'none', '--userns=keep-id', IMAGE, 'sh', '-c', 'id -u; id -g']);
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe(`${user.uid}\n${user.gid}\n`);
  });

  it('run -t gives the process a terminal', () => {
    expect(expectOk(podman(['run', '--rm', '-t', '--network', 'none', IMAGE, 'sh', '-c', 'tty; test -t 0 && echo terminal']))).toMatch(
      /^\/dev\/pts\/\d+\r?\nterminal\r?\n$/,
    );
  });
});
