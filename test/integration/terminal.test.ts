import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

const RECEIVER = `
import os, socket, sys
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(1)
conn, _ = server.accept()
name, fds, _, _ = socket.recv_fds(conn, 1024, 1)
print("name=" + name.decode(), flush=True)
out = b""
while True:
    try:
        chunk = os.read(fds[0], 4096)
    except OSError:
        break
    if not chunk:
        break
    out += chunk
sys.stdout.write(out.decode())
`;

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/script', 'util-linux script gives cista a terminal to run under');
  scratch = new Scratch('terminal');
});
afterAll(() => scratch.cleanup());

describe('process.terminal, as in the default config', () => {
  it('a foreground run gives the process a pty of the container\'s own devpts as its controlling terminal', () => {
    const bundle = scratch.bundle('tty', ['sh', '-c', 'tty; [ -t 0 ] && [ -t 1 ] && echo stdio-is-a-tty; ps -o pid,tty | tail -1; exit 5'], (c) => {
      c.process.terminal = true;
    });
    const command = `${CISTA} --root ${scratch.root} run --bundle ${bundle} tty1`;
    const r = exec('/usr/bin/script', ['-qec', command, '/dev/null']);
    // Two ptys (script's and the container's) each turn \n into \r\n.
    expect(r.stdout).toMatch(/^\/dev\/pts\/0\r*$/m);
    expect(r.stdout).toMatch(/stdio-is-a-tty\r*$/m);
    expect(r.code).toBe(5);
    expect(leftovers(scratch.root, 'tty1', bundle)).toEqual([]);
  });

  it('create sends the pty master to --console-socket, as containerd and conmon expect', () => {
    requireFile('/usr/bin/python3', 'python3 receives the pty master in this test (Node cannot receive SCM_RIGHTS)');
    const bundle = scratch.bundle('socket', ['sh', '-c', 'tty; echo from-the-container'], (c) => (c.process.terminal = true));
    const socket = path.join(scratch.dir, 'console.sock');
    // The receiver: accept one connection, take the fd, read the container's output from the master.
    const receiver = spawn('/usr/bin/python3', ['-c', RECEIVER, socket], { stdio: ['ignore', 'pipe', 'inherit'] });
    let received = '';
    receiver.stdout.on('data', (chunk) => (received += chunk));
    const exited = new Promise((resolve) => receiver.on('exit', resolve));
    while (!fs.existsSync(socket)) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 20);
    const created = exec(CISTA, ['--root', scratch.root, 'create', '--console-socket', socket, '--bundle', bundle, 'tty3']);
    expect(created).toMatchObject({ code: 0, stdout: '', stderr: '' });
    expect(exec(CISTA, ['--root', scratch.root, 'start', 'tty3']).code).toBe(0);
    return exited.then(() => {
      expect(received).toMatch(/^name=\/dev\/ptmx$/m);
      expect(received).toMatch(/^\/dev\/pts\/0\r$/m);
      expect(received).toMatch(/^from-the-container\r$/m);
      expect(exec(CISTA, ['--root', scratch.root, 'delete', '--force', 'tty3']).code).toBe(0);
      expect(leftovers(scratch.root, 'tty3', bundle)).toEqual([]);
    });
  });

  it('a detached container with a terminal needs --console-socket', () => {
    const bundle = scratch.bundle('detached', ['true'], (c) => (c.process.terminal = true));
    const r = exec(CISTA, ['--root', scratch.root, 'create', '--bundle', bundle, 'tty2']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/\/process\/terminal: a terminal needs --console-socket/);
    expect(leftovers(scratch.root, 'tty2', bundle)).toEqual([]);
  });
});
