import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';

import { native } from '../engine/native';
import type { StdioFds } from '../engine/plan/plan';

/**
 * One of a container process's stdin, stdout and stderr, as child_process takes it: 'pipe' (a stream
 * on our side), 'inherit' (Node's own), 'ignore' (/dev/null) or an fd of ours.
 */
export type StdioOption = 'pipe' | 'inherit' | 'ignore' | number;
export type StdioOptions = StdioOption | [stdin: StdioOption, stdout: StdioOption, stderr: StdioOption];

/** The process's side (fds for the spawn) and ours (streams for the pipes). */
export interface PreparedStdio {
  fds: StdioFds;
  stdin: Writable | null;
  stdout: Readable | null;
  stderr: Readable | null;
  /** Once spawned (or failed): closes our copies of the process's ends; on failure the streams too. */
  spawned(ok: boolean): void;
}

/** Our end of a pipe as a Node stream: libuv watches it on the event loop (no thread pool). */
function streamOf(fd: number, readable: boolean): net.Socket {
  return new net.Socket({ fd, readable, writable: !readable });
}

export function prepareStdio(options: StdioOptions): PreparedStdio {
  const each = Array.isArray(options) ? options : [options, options, options];
  const theirs: number[] = [];
  const ours: Array<net.Socket | null> = [];
  const fds: Array<number | null> = [];
  try {
    each.forEach((option, index) => {
      if (option === 'inherit') fds.push(null);
      else if (typeof option === 'number') fds.push(option);
      else if (option === 'ignore') {
        const fd = fs.openSync('/dev/null', index === 0 ? 'r' : 'w');
        theirs.push(fd);
        fds.push(fd);
      } else {
        const [read, write] = native().makePipe();
        const [child, parent] = index === 0 ? [read, write] : [write, read];
        theirs.push(child);
        fds.push(child);
        ours[index] = streamOf(parent, index !== 0);
      }
    });
  } catch (e) {
    for (const fd of theirs) fs.closeSync(fd);
    for (const stream of ours) stream?.destroy();
    throw e;
  }
  return {
    fds: { stdinFd: fds[0], stdoutFd: fds[1], stderrFd: fds[2] },
    stdin: ours[0] ?? null,
    stdout: ours[1] ?? null,
    stderr: ours[2] ?? null,
    spawned(ok) {
      for (const fd of theirs) fs.closeSync(fd);
      if (!ok) for (const stream of ours) stream?.destroy();
    },
  };
}

/** Everything a stream yields until its end. */
export async function collect(stream: Readable | null): Promise<Buffer> {
  if (stream === null) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  for await (const chunk of stream) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}
