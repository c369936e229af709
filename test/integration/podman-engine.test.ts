import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, type CommandResult, REPO, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';

/**
 * Debian's Podman 4.3 configured with examples/podman/containers.conf (the README's snippet) as it
 * stands, but for where cista is: Podman runs its containers with cista, through conmon.
 */
let scratch: Scratch;
let env: NodeJS.ProcessEnv;
/**
 * As root, Podman raises RLIMIT_NOFILE and RLIMIT_NPROC to 1048576 and beyond; without
 * CAP_SYS_RESOURCE in the bounding set (this CI host, see `cista check`) no runtime may, runc
 * neither: the containers get lower limits, which need no privilege.
 */
const ULIMITS = ['--ulimit', 'nofile=1024:1024', '--ulimit', 'nproc=4096:4096'];

/** podman with its own storage in the scratch directory, and the example's containers.conf. */
function podman(...args: string[]): CommandResult {
  const storage = ['--root', path.join(scratch.dir, 'storage'), '--runroot', path.join(scratch.dir, 'runroot'), '--storage-driver', 'vfs'];
  return exec('/usr/bin/podman', [...storage, '--cgroup-manager', 'cgroupfs', '--events-backend', 'file', ...args], { env, timeout: 120_000 });
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/podman', 'podman (apt install podman) runs containers with cista');
  scratch = new Scratch('podman-engine');
  const conf = path.join(scratch.dir, 'containers.conf');
  fs.writeFileSync(conf, fs.readFileSync(path.join(REPO, 'examples', 'podman', 'containers.conf'), 'utf8').replace('/usr/local/bin/cista', CISTA));
  env = { ...process.env, CONTAINERS_CONF: conf };
  // The image: a busybox rootfs imported as it is (no registry).
  const bundle = scratch.bundle('image', ['true']);
  const tar = path.join(scratch.dir, 'rootfs.tar');
  expect(exec('/bin/tar', ['-C', path.join(bundle, 'rootfs'), '-cf', tar, '.']).code).toBe(0);
  const imported = podman('import', '--change', 'CMD ["/bin/sh"]', tar, 'localhost/cista-busybox');
  expect(imported.code).toBe(0);
}, 120_000);

afterAll(() => {
  if (scratch === undefined) return;
  podman('rm', '--all', '--force');
  podman('rmi', '--all', '--force');
  scratch.cleanup();
});

describe('Podman with the README\'s containers.conf', () => {
  it('uses cista as its runtime', () => {
    const info = podman('info', '--format', '{{.Host.OCIRuntime.Name}} {{.Host.OCIRuntime.Path}}');
    expect(info).toMatchObject({ code: 0, stdout: `cista ${CISTA}\n` });
  });

  it('runs a container in the foreground, its output and exit status passed on', () => {
    expect(podman('run', '--rm', ...ULIMITS, '--network', 'none', 'localhost/cista-busybox', 'sh', '-c', 'echo hello from cista; cat /proc/1/cmdline | tr "\\0" " "')).toMatchObject({
      code: 0,
      stdout: 'hello from cista\nsh -c echo hello from cista; cat /proc/1/cmdline | tr "\\0" " " ',
    });
    expect(podman('run', '--rm', ...ULIMITS, '--network', 'none', 'localhost/cista-busybox', 'sh', '-c', 'exit 7').code).toBe(7);
  });

  it('runs a detached container: exec, stop, rm', () => {
    const id = podman('run', '-d', ...ULIMITS, '--name', 'cista-podman1', '--network', 'none', 'localhost/cista-busybox', 'sleep', '1000');
    expect(id.code).toBe(0);
    expect(podman('exec', 'cista-podman1', 'cat', '/proc/1/comm')).toMatchObject({ code: 0, stdout: 'sleep\n' });
    expect(podman('stop', '-t', '1', 'cista-podman1').code).toBe(0);
    expect(podman('rm', 'cista-podman1').code).toBe(0);
  });
});
