import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, cista, exec } from '../helpers/cli';
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

/** Runs argv with stdout and stderr on a new pty (stdin that pty too, or /dev/null), writes what the pty showed. */
const ON_A_PTY = `
import os, pty, subprocess, sys
master, slave = pty.openpty()
stdin = open('/dev/null') if sys.argv[1] == 'null' else slave
child = subprocess.Popen(sys.argv[2:], stdin=stdin, stdout=slave, stderr=slave, start_new_session=True)
os.close(slave)
shown = b''
while True:
    try:
        chunk = os.read(master, 4096)
    except OSError:
        break
    if not chunk:
        break
    shown += chunk
sys.stdout.buffer.write(shown)
sys.exit(child.wait())
`;

/** What a terminal shows of `args`, with stdin from that terminal or /dev/null. */
function onAPty(stdin: 'tty' | 'null', args: string[]): { code: number | null; shown: string } {
  const r = exec('/usr/bin/python3', ['-c', ON_A_PTY, stdin, ...args]);
  return { code: r.code, shown: r.stdout };
}

beforeAll(() => {
  requireRoot();
  requireFile('/usr/bin/python3', 'python3 gives cista a terminal (pty) in these tests');
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
    // Only the container's pty turns \n into \r\n: the caller's terminal is raw meanwhile, as with runc.
    // script(1) may put a ^@ first: it echoes what it sends the pty when its stdin (/dev/null) ends.
    expect(r.stdout).toMatch(/^(\^@)?\/dev\/pts\/0\r\n/m);
    expect(r.stdout).toMatch(/stdio-is-a-tty\r\n/m);
    expect(r.code).toBe(5);
    expect(leftovers(scratch.root, 'tty1', bundle)).toEqual([]);
  });

  it('run and exec -t show \\r\\n line ends as runc does, stdin a terminal or /dev/null, and restore the terminal', () => {
    requireFile('/usr/sbin/runc', 'runc is the reference for what the terminal shows');
    const args = ['sh', '-c', 'echo a; echo b'];
    const bundle = scratch.bundle('lines', args, (c) => (c.process.terminal = true));
    for (const stdin of ['tty', 'null'] as const) {
      const runc = onAPty(stdin, ['/usr/sbin/runc', '--root', `${scratch.dir}/runc-state`, 'run', '--bundle', bundle, `runc-lines-${stdin}`]);
      expect(runc).toEqual({ code: 0, shown: 'a\r\nb\r\n' });
      expect(onAPty(stdin, [CISTA, '--root', scratch.root, 'run', '--bundle', bundle, 'lines1'])).toEqual(runc);
    }
    // The terminal is as it was afterwards: stty run on it after cista (same pty) still sees echo and onlcr.
    const after = onAPty('tty', ['/bin/sh', '-c', `${CISTA} --root ${scratch.root} run --bundle ${bundle} lines2 >/dev/null; stty -a`]);
    expect(after.shown).toMatch(/(^|\s)echo(\s|$)/m);
    expect(after.shown).toMatch(/(^|\s)onlcr(\s|$)/m);
    expect(after.shown).toMatch(/(^|\s)icanon(\s|$)/m);

    const sleeper = scratch.bundle('exec-lines', ['sleep', '1000']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', sleeper, 'lines3']).code).toBe(0);
    for (const stdin of ['tty', 'null'] as const) {
      expect(onAPty(stdin, [CISTA, '--root', scratch.root, 'exec', '-t', 'lines3', ...args])).toEqual({ code: 0, shown: 'a\r\nb\r\n' });
    }
    expect(cista(scratch.root, ['delete', '--force', 'lines3']).code).toBe(0);
    for (const id of ['lines1', 'lines2', 'lines3']) expect(leftovers(scratch.root, id, id === 'lines3' ? sleeper : bundle)).toEqual([]);
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
