/**
 * The CLI's stdout and stderr, written with write(2) at once rather than through process.stdout and
 * process.stderr: their first use loads Node's streams (and net for a pipe), 1.5-3 ms of a `cista
 * state` whose output is one write. Node writes files and pipes synchronously anyway, so the order
 * of the output is the same. A descriptor the caller made non-blocking may refuse a write
 * (EAGAIN): the rest then goes through the stream, which waits until it can.
 */
import * as fs from 'node:fs';

/** `stream` is a function: reading process.stdout creates the stream. */
function writeAll(fd: 1 | 2, stream: () => NodeJS.WriteStream, text: string): void {
  const data = Buffer.from(text);
  let written = 0;
  try {
    while (written < data.length) written += fs.writeSync(fd, data, written);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EAGAIN') throw e;
    stream().write(data.subarray(written));
  }
}

export function writeStdout(text: string): void {
  writeAll(1, () => process.stdout, text);
}

export function writeStderr(text: string): void {
  writeAll(2, () => process.stderr, text);
}
