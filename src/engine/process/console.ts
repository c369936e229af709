import * as path from 'node:path';
import * as tty from 'node:tty';

import type { Host } from '../host/host';

export interface AttachedConsole {
  /** Resolves once everything the container wrote has reached our stdout, and restores the terminal. */
  drained(): Promise<void>;
}

/**
 * Connects a foreground `run` to its container's pty, as `runc run` does without --console-socket:
 * our stdin goes to the pty (raw, when it is a terminal), the pty's output to our stdout, and our
 * terminal's size to the pty.
 */
export function attachConsole(host: Pick<Host, 'fs' | 'addon'>, masterFd: number): AttachedConsole {
  const master = new tty.ReadStream(masterFd);
  const stdin = process.stdin;
  const rawTerminal = stdin.isTTY === true;
  if (rawTerminal) stdin.setRawMode(true);
  const toContainer = (chunk: Buffer) => host.fs.write(masterFd, chunk);
  stdin.on('data', toContainer);
  const resize = () => {
    const { rows, columns } = process.stdout;
    if (rows > 0 && columns > 0) host.addon.resizePty(masterFd, rows, columns);
  };
  if (process.stdout.isTTY) {
    resize();
    process.stdout.on('resize', resize);
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
      process.stdout.off('resize', resize);
      if (rawTerminal) stdin.setRawMode(false);
      master.destroy();
    },
  };
}

/** Hands a pty master to the client's --console-socket (SCM_RIGHTS, as runc's recvtty expects) and closes ours. */
export function sendConsoleToSocket(host: Pick<Host, 'fs' | 'addon'>, masterFd: number, socketPath: string): void {
  try {
    host.addon.sendFdToSocket(path.resolve(socketPath), masterFd, '/dev/ptmx');
  } finally {
    host.fs.close(masterFd);
  }
}
