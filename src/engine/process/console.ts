import * as path from 'node:path';
import type * as Tty from 'node:tty';

import type { Host } from '../host/host';

export interface AttachedConsole {
  /** Resolves once everything the container wrote has reached our stdout, and restores the terminal. */
  drained(): Promise<void>;
}

/**
 * The caller's terminal, as runc finds it: stderr, stdout or stdin, the first that is one (a client
 * may redirect stdin from /dev/null and still show the output on a terminal).
 */
function callerTerminal(tty: typeof Tty): { fd: number; output: Tty.WriteStream | undefined } | undefined {
  for (const [fd, stream] of [
    [2, process.stderr],
    [1, process.stdout],
    [0, undefined],
  ] as const) {
    if (tty.isatty(fd)) return { fd, output: stream instanceof tty.WriteStream ? stream : undefined };
  }
  return undefined;
}

/**
 * Connects a foreground `run` or `exec -t` to its container's pty, as runc does without
 * --console-socket: our stdin goes to the pty, the pty's output to our stdout, the caller's terminal
 * is in real raw mode meanwhile (no echo, no output processing: the container's pty alone makes
 * \r\n), and its size goes to the pty.
 */
export function attachConsole(host: Pick<Host, 'fs' | 'addon'>, masterFd: number): AttachedConsole {
  // Required here, not imported: node:tty brings net and the streams, about 2 ms of every create
  // (which imports this module for sendConsoleToSocket) that never attaches a console.
  const tty = require('node:tty') as typeof Tty;
  const master = new tty.ReadStream(masterFd);
  const stdin = process.stdin;
  const terminal = callerTerminal(tty);
  const saved = terminal === undefined ? undefined : host.addon.makeRawTerminal(terminal.fd);
  const restore = () => {
    if (terminal !== undefined && saved !== undefined) host.addon.restoreTerminal(terminal.fd, saved);
  };
  // Also when something ends the process early: a terminal left raw is unusable.
  process.once('exit', restore);
  const toContainer = (chunk: Buffer) => host.fs.write(masterFd, chunk);
  stdin.on('data', toContainer);
  const output = terminal?.output;
  const resize = () => {
    const [columns, rows] = output!.getWindowSize();
    if (rows > 0 && columns > 0) host.addon.resizePty(masterFd, rows, columns);
  };
  if (output !== undefined) {
    resize();
    output.on('resize', resize);
  }
  // The pty reports EIO once the last process holding its peer has exited: that is the end.
  const ended = new Promise<void>((resolve) => {
    master.on('data', (chunk: Buffer) => process.stdout.write(chunk));
    master.on('error', () => resolve());
    master.on('end', () => resolve());
    master.on('close', () => resolve());
  });
  return {
    async drained() {
      await ended;
      stdin.off('data', toContainer);
      stdin.pause();
      output?.off('resize', resize);
      process.off('exit', restore);
      restore();
      master.destroy();
    },
  };
}

/** Hands a pty master to the client's --console-socket (SCM_RIGHTS, as runc's recvtty expects) and closes ours. */
export function sendConsoleToSocket(host: Pick<Host, 'fs' | 'addon'>, masterFd: number, socketPath: string): void {
  try {
    host.addon.sendFdToSocket(path.resolve(socketPath), masterFd, '/dev/ptmx', 'console socket');
  } finally {
    host.fs.close(masterFd);
  }
}
