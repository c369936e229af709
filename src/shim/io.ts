import type { ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

import type { StdioOption } from '../api/stdio';
import { native } from '../engine/native';
import { Code, StatusError } from './status';

/**
 * A task's stdio as containerd passes it: fifo paths (created and opened by containerd before Create),
 * a log URI (`file:///path`, `binary:///path?args`), or empty for none. stdout and stderr go to the
 * container directly: their fds are handed to its process, so its output does not pass through (or
 * depend on) the shim. stdin is copied from its fifo into a pipe, so that CloseIO can end it while
 * containerd keeps the fifo open.
 */
export interface TaskIo {
  stdin: string;
  stdout: string;
  stderr: string;
  terminal: boolean;
}

/** Whose output a logging binary serves: its environment (containerd's CONTAINER_ID, CONTAINER_NAMESPACE). */
export interface OutputOwner {
  /** The container's id for its init, the exec id for an exec (as runc's shim names them). */
  id: string;
  namespace: string;
}

/** How long a logging binary has to flush and exit after SIGTERM before it is killed (containerd's runc shim waits as long). */
const LOGGER_STOP_TIMEOUT_MS = 12_000;

/** A stdio string's scheme: a fifo path (bare or fifo://), or a log URI. */
function schemeOf(uri: string): string {
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(uri)?.[1];
  return scheme?.toLowerCase() ?? 'fifo';
}

function fifoPath(uri: string): string {
  return uri.startsWith('fifo://') ? uri.slice('fifo://'.length) : uri;
}

/** A log URI's path, decoded (file:///var/log/x, binary:///usr/bin/logger?...). */
function uriPath(uri: URL): string {
  return decodeURIComponent(uri.pathname);
}

/**
 * An fd for the process's end of an output fifo. O_RDWR opens without waiting for a reader (containerd
 * has one already); the shim closes its copy once the process has it, so containerd sees EOF when the
 * process and its children are gone.
 */
function openFifo(uri: string): StdioOption {
  if (uri === '') return 'ignore';
  return fs.openSync(fifoPath(uri), fs.constants.O_RDWR);
}

/** file:// — the process appends to the file itself (stdout and stderr alike), created 0644 with its directory. */
function openLogFile(uri: URL): number {
  const file = uriPath(uri);
  fs.mkdirSync(path.dirname(file), { recursive: true, mode: 0o755 });
  return fs.openSync(file, fs.constants.O_WRONLY | fs.constants.O_APPEND | fs.constants.O_CREAT, 0o644);
}

/**
 * binary:// — containerd's pluggable logging: the binary at the URI's path, its query's keys and
 * (first) values as arguments, an environment of CONTAINER_ID and CONTAINER_NAMESPACE only, stdio on
 * /dev/null, the read ends of the process's stdout and stderr pipes as fds 3 and 4, and fd 5 a pipe it
 * closes (or writes to) once ready. The process starts after that. Delete stops it; after a crash of
 * the shim it ends when the pipes do (containerd's cleanup ends the process).
 */
class LoggingBinary {
  private constructor(
    private readonly child: ChildProcess,
    /** The write ends, for the process. */
    readonly stdout: number,
    readonly stderr: number,
  ) {}

  static async start(uri: URL, owner: OutputOwner): Promise<LoggingBinary> {
    const args: string[] = [];
    const seen = new Set<string>();
    for (const [key, value] of uri.searchParams) {
      if (seen.has(key)) continue;
      seen.add(key);
      args.push(key, value);
    }
    const binary = uriPath(uri);
    const pipes: Array<[read: number, write: number]> = [];
    let child: ChildProcess;
    try {
      for (let i = 0; i < 3; i++) pipes.push(native().makePipe());
      const [[stdoutRead], [stderrRead], [, readyWrite]] = pipes;
      // Loaded only here: most shims never start a logging binary, and every shim's start-up counts.
      const { spawn } = require('node:child_process') as typeof import('node:child_process');
      child = spawn(binary, args, {
        stdio: ['ignore', 'ignore', 'ignore', stdoutRead, stderrRead, readyWrite],
        env: { CONTAINER_ID: owner.id, CONTAINER_NAMESPACE: owner.namespace },
      });
      await new Promise<void>((resolve, reject) => {
        child.once('spawn', resolve);
        child.once('error', (e) => reject(new StatusError(Code.INVALID_ARGUMENT, `logging binary ${binary}: ${e.message}`)));
      });
    } catch (e) {
      for (const fd of pipes.flat()) fs.closeSync(fd);
      throw e;
    }
    // A later error (a signal that could not be sent) must not become an uncaught one in the shim.
    child.on('error', () => {});
    const [[stdoutRead, stdoutWrite], [stderrRead, stderrWrite], [readyRead, readyWrite]] = pipes;
    // The binary has its own copies: with ours gone, its exit ends fd 5 too if it never signals.
    for (const fd of [stdoutRead, stderrRead, readyWrite]) fs.closeSync(fd);
    await new Promise<void>((resolve) => {
      const ready = new net.Socket({ fd: readyRead, readable: true, writable: false });
      const done = (): void => {
        ready.destroy();
        resolve();
      };
      ready.once('data', done);
      ready.once('end', done);
      ready.once('error', done);
    });
    return new LoggingBinary(child, stdoutWrite, stderrWrite);
  }

  /** SIGTERM so that it flushes, SIGKILL if it is still there after the timeout. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = new Promise<'late'>((resolve) => (timer = setTimeout(() => resolve('late'), LOGGER_STOP_TIMEOUT_MS)));
    if ((await Promise.race([exited, late])) === 'late') {
      child.kill('SIGKILL');
      await exited;
    }
    clearTimeout(timer);
  }
}

/**
 * A process's stdout and stderr, as the scheme of its stdout decides for both (as in containerd's runc
 * shim): fifos, one file both append to, or a logging binary's pipes.
 */
export class ProcessOutputs {
  /** Our copies of the fds are still open (closeFds and stdoutStream let go of them). */
  private open = true;

  private constructor(
    readonly stdout: StdioOption,
    readonly stderr: StdioOption,
    private readonly logger: LoggingBinary | null,
  ) {}

  static async open(io: TaskIo, owner: OutputOwner): Promise<ProcessOutputs> {
    const scheme = schemeOf(io.stdout);
    if (scheme === 'fifo') {
      const stdout = openFifo(io.stdout);
      try {
        return new ProcessOutputs(stdout, openFifo(io.stderr), null);
      } catch (e) {
        if (typeof stdout === 'number') fs.closeSync(stdout);
        throw e;
      }
    }
    let uri: URL;
    try {
      uri = new URL(io.stdout);
    } catch {
      throw new StatusError(Code.INVALID_ARGUMENT, `stdout ${io.stdout}: not a valid URI`);
    }
    if (scheme === 'file') {
      const stdout = openLogFile(uri);
      try {
        return new ProcessOutputs(stdout, openLogFile(uri), null);
      } catch (e) {
        fs.closeSync(stdout);
        throw e;
      }
    }
    if (scheme === 'binary') {
      const logger = await LoggingBinary.start(uri, owner);
      return new ProcessOutputs(logger.stdout, logger.stderr, logger);
    }
    throw new StatusError(Code.INVALID_ARGUMENT, `stdout ${io.stdout}: unknown scheme ${scheme} (use a fifo path, file:// or binary://)`);
  }

  /** Closes our copies of the fds (once the process has its own, or failed to start). */
  closeFds(): void {
    if (!this.open) return;
    this.open = false;
    for (const fd of [this.stdout, this.stderr]) if (typeof fd === 'number') fs.closeSync(fd);
  }

  /**
   * Our writing end of stdout as a stream, for a terminal's output (copied by the shim); stderr is not
   * used (a terminal has one output). Takes the fds over: the stream closes stdout's.
   */
  stdoutStream(): Writable | null {
    if (!this.open) return null;
    this.open = false;
    if (typeof this.stderr === 'number') fs.closeSync(this.stderr);
    if (typeof this.stdout !== 'number') return null;
    if (fs.fstatSync(this.stdout).isFile()) return fs.createWriteStream('', { fd: this.stdout });
    return new net.Socket({ fd: this.stdout, readable: false, writable: true });
  }

  /** Once the process is gone (Delete), or failed to start: closes the fds, stops the logging binary. */
  async release(): Promise<void> {
    this.closeFds();
    await this.logger?.stop();
  }
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
