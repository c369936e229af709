import * as fs from 'node:fs';
import * as net from 'node:net';
import type { Readable, Writable } from 'node:stream';

import type { StdioOption } from '../api/stdio';
import { native } from '../engine/native';

/**
 * A task's stdio as containerd passes it: fifo paths (created and opened by containerd before Create),
 * or empty for none. stdout and stderr go to the container directly: the fifos' fds are handed to its
 * process, so its output does not pass through (or depend on) the shim. stdin is copied from its fifo
 * into a pipe, so that CloseIO can end it while containerd keeps the fifo open.
 */
export interface TaskIo {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

function fifoPath(uri: string): string {
  if (uri.startsWith('fifo://')) return uri.slice('fifo://'.length);
  if (/^[a-z]+:\/\//.test(uri)) throw new Error(`stdio ${uri}: only fifos are supported yet (binary:// and file:// log URIs are not)`);
  return uri;
}

/**
 * An fd for the process's end of an output fifo. O_RDWR opens without waiting for a reader (containerd
 * has one already); the shim closes its copy once the process has it, so containerd sees EOF when the
 * process and its children are gone.
 */
export function openOutput(uri: string): StdioOption {
  if (uri === '') return 'ignore';
  return fs.openSync(fifoPath(uri), fs.constants.O_RDWR);
}

/**
 * Our writing end of an output fifo as a stream (terminal output is copied by the shim). Non-blocking:
 * containerd opened its reader before Create; without one this fails (ENXIO) rather than waiting.
 */
export function outputStream(uri: string): Writable | null {
  if (uri === '') return null;
  const fd = fs.openSync(fifoPath(uri), fs.constants.O_WRONLY | fs.constants.O_NONBLOCK);
  return new net.Socket({ fd, readable: false, writable: true });
}

/**
 * containerd's stdin fifo as a stream, once a writer has come. Opened without waiting (a thread blocked
 * in open() would also hold up the shim's exit), it is only read after it first polls readable: data,
 * or the hang-up of a writer that has been and gone. Before any writer, reading would see an end.
 * Returns what closes it.
 */
export function inputStream(uri: string, onStream: (input: Readable) => void): () => void {
  if (uri === '') return () => {};
  const fd = fs.openSync(fifoPath(uri), fs.constants.O_RDONLY | fs.constants.O_NONBLOCK);
  let stream: net.Socket | null = null;
  const watch = native().watchReadable(
    fd,
    () => {
      stream = new net.Socket({ fd, readable: true, writable: false });
      onStream(stream);
    },
    false,
  );
  // Returns the way to let go of it (the process is deleted): a writer that never came leaves the fd watched.
  return () => {
    if (stream !== null) {
      stream.destroy();
    } else {
      native().cancelWatch(watch);
      fs.closeSync(fd);
    }
  };
}

/** Closes the fds openOutput gave (the process has its own copies). */
export function closeOutputs(options: StdioOption[]): void {
  for (const option of options) if (typeof option === 'number') fs.closeSync(option);
}
