import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, type CommandResult, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';

/**
 * Buildah (Debian's, the image builder of the Podman family) with cista as its OCI runtime: a
 * busybox image made locally (no registry), `buildah run` and a Containerfile with RUN steps.
 */
let scratch: Scratch;
let runtime: string;
let calls: string;

/** buildah with its own storage in the scratch directory (vfs: no overlay mounts to clean up). */
function buildah(...args: string[]): CommandResult {
  const storage = ['--root', path.join(scratch.dir, 'storage'), '--runroot', path.join(scratch.dir, 'runroot'), '--storage-driver', 'vfs'];
  return exec('/usr/bin/buildah', [...storage, ...args], { timeout: 120_000 });
}

function ok(r: CommandResult): string {
  expect(r.stderr).not.toMatch(/error/i);
  expect(r.code).toBe(0);
  return r.stdout.trim();
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/buildah', 'buildah (apt install buildah) builds images with cista as its runtime');
  scratch = new Scratch('buildah');
  // The runtime buildah is given: cista, with every call it gets written down.
  calls = path.join(scratch.dir, 'calls.log');
  runtime = path.join(scratch.dir, 'cista-runtime');
  fs.writeFileSync(runtime, `#!/bin/sh\necho "$*" >> ${calls}\nexec ${CISTA} "$@"\n`, { mode: 0o755 });
  // A busybox image from busybox-static, as scripts/example-bundle.sh lays it out.
  const bundle = scratch.bundle('image', ['true']);
  const container = ok(buildah('from', 'scratch'));
  const mountPoint = ok(buildah('mount', container));
  expect(exec('/bin/cp', ['-a', `${bundle}/rootfs/.`, mountPoint]).code).toBe(0);
  ok(buildah('umount', container));
  ok(buildah('config', '--cmd', '/bin/sh', container));
  ok(buildah('commit', '-q', '--rm', container, 'localhost/cista-busybox'));
}, 120_000);

afterAll(() => {
  if (scratch === undefined) return;
  buildah('rm', '--all');
  buildah('rmi', '--all', '--force');
  scratch.cleanup();
});

describe('buildah with cista as its OCI runtime', () => {
  it('buildah run runs a command in a working container, its output and exit status passed on', () => {
    const container = ok(buildah('from', '--pull-never', 'localhost/cista-busybox'));
    const r = buildah('run', '--runtime', runtime, '--network', 'none', container, '--', 'sh', '-c', 'echo hello from cista; id -u; echo changed > /marker');
    expect(r).toMatchObject({ code: 0, stdout: 'hello from cista\n0\n' });
    // The change is in the working container's filesystem: a second run sees it.
    expect(buildah('run', '--runtime', runtime, '--network', 'none', container, '--', 'cat', '/marker')).toMatchObject({ code: 0, stdout: 'changed\n' });
    const failed = buildah('run', '--runtime', runtime, '--network', 'none', container, '--', 'sh', '-c', 'exit 3');
    expect(failed.code).not.toBe(0);
    ok(buildah('rm', container));
    expect(fs.readFileSync(calls, 'utf8')).toMatch(/^(create|run) .*--bundle /m);
  });

  it('buildah bud builds a Containerfile whose RUN steps run in cista', () => {
    const context = path.join(scratch.dir, 'context');
    fs.mkdirSync(context);
    fs.writeFileSync(
      path.join(context, 'Containerfile'),
      [
        'FROM localhost/cista-busybox',
        'RUN echo built-by-cista > /greeting',
        'RUN test "$(cat /greeting)" = built-by-cista && mkdir /data && echo second-step > /data/file',
        'ENV WHO=cista',
        'RUN echo "hello $WHO" >> /greeting',
        'CMD ["cat", "/greeting"]',
        '',
      ].join('\n'),
    );
    fs.writeFileSync(calls, '');
    const built = buildah('bud', '--runtime', runtime, '--network', 'none', '--pull-never', '-t', 'localhost/cista-built', '-f', path.join(context, 'Containerfile'), context);
    expect(built.code).toBe(0);
    expect(built.stdout).toMatch(/STEP 5\/6: RUN echo "hello \$WHO" >> \/greeting/);
    // Three RUN steps, each a container of cista's.
    expect(fs.readFileSync(calls, 'utf8').match(/^(create|run) /gm)).toHaveLength(3);
    const container = ok(buildah('from', '--pull-never', 'localhost/cista-built'));
    expect(buildah('run', '--runtime', runtime, '--network', 'none', container, '--', 'cat', '/greeting', '/data/file')).toMatchObject({
      code: 0,
      stdout: 'built-by-cista\nhello cista\nsecond-step\n',
    });
    ok(buildah('rm', container));
    // buildah deletes each RUN step's container (they live under cista's default --root).
    const left = fs.existsSync('/run/cista') ? fs.readdirSync('/run/cista').filter((id) => id.startsWith('buildah-')) : [];
    expect(left).toEqual([]);
  });
});
