import { Duplex } from 'node:stream';
import * as tty from 'node:tty';

import { native } from '../engine/native';

/**
 * A container process's terminal: the pty master as one duplex stream (what the process prints is
 * read, what is written is its keyboard), and `resize` for its window. Reading ends when the last
 * process holding the terminal has exited.
 */
export class Terminal extends Duplex {
  private readonly master: tty.ReadStream;

  constructor(private readonly masterFd: number) {
    super();
    // libuv's tty handle: reads and writes on the event loop, never on the thread pool.
    this.master = new tty.ReadStream(masterFd);
    this.master.on('data', (chunk: Buffer) => {
      if (!this.push(chunk)) this.master.pause();
    });
    this.master.on('end', () => this.push(null));
    this.master.on('error', (error: NodeJS.ErrnoException) => {
      // The pty reports EIO once the last process holding its peer has exited: that is the end.
      if (error.code === 'EIO') this.push(null);
      else this.destroy(error);
    });
  }

  resize(columns: number, rows: number): void {
    native().resizePty(this.masterFd, rows, columns);
  }

  override _read(): void {
    this.master.resume();
  }

  override _write(chunk: Buffer, encoding: BufferEncoding, done: (error?: Error | null) => void): void {
    this.master.write(chunk, encoding, done);
  }

  override _destroy(error: Error | null, done: (error?: Error | null) => void): void {
    this.master.destroy();
    done(error);
  }
}
