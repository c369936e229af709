import * as path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';

import { REPO, exec } from '../helpers/cli';
import { requireFile, requireRoot } from '../helpers/prerequisites';

// The README's examples run as a user runs them: `node examples/NAME.js`, requiring 'cista' (the
// package's own name resolves to the built dist/api inside this checkout).
beforeAll(() => {
  requireRoot();
  requireFile('/bin/busybox', 'busybox-static is needed for the examples\' rootfs');
});

function example(name: string) {
  return exec('node', [path.join(REPO, 'examples', `${name}.js`)], { cwd: REPO });
}

describe('examples/', () => {
  it('run-and-capture.js prints the exit code and output of a container', () => {
    expect(example('run-and-capture')).toEqual({
      code: 0,
      stdout: 'exit code 3\nstdout: hello from cista, pid 1\nstderr: a warning\n',
      stderr: '',
    });
  });

  it('long-lived.js runs several processes in one container', () => {
    const ran = example('long-lived');
    expect(ran.stderr).toBe('');
    expect(ran.stdout).toMatch(/^container example-box-\d+: running, init pid \d+\n/);
    expect(ran.stdout).toContain('hostname: cista\ntr: FED THROUGH STDIN\nat once: 100 200 300\nsh said 42, exited with 5\ndeleted\n');
    expect(ran.code).toBe(0);
  });

  it('terminal.js runs a shell on a terminal of its size', () => {
    expect(example('terminal')).toEqual({ code: 0, stdout: 'window: 30 120, terminal: /dev/pts/0\nshell exited with 4\n', stderr: '' });
  });

  it('limits-and-timeout.js sets and updates limits, reads the usage, sees an OOM and times a command out', () => {
    expect(example('limits-and-timeout')).toEqual({
      code: 0,
      stdout: 'pids limit: 32\npids limit after update: 16\nmemory limit: 64 MiB, processes: 1\nout of memory: tail got SIGKILL\nsleep 60 with a 500 ms timeout: TimeoutError\n',
      stderr: '',
    });
  });
});
