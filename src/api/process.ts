import { EventEmitter } from 'node:events';
import * as os from 'node:os';
import type { Readable, Writable } from 'node:stream';

import { type ExitStatus, ExitWatch } from '../engine/process/exit';
import { parseSignal } from '../engine/spec/signals';
import { type StdioOptions, collect } from './stdio';
import type { PreparedStdio } from './stdio';
import { Terminal } from './terminal';

/** How a process ended: its exit code, or the signal that killed it (both null: not our child, and the kernel kept no status). */
export interface ProcessExit {
  exitCode: number | null;
  signal: NodeJS.Signals | null;
}

/** A finished process and what it wrote (with stdout/stderr 'pipe'; empty otherwise). */
export interface ProcessResult extends ProcessExit {
  stdout: string;
  stderr: string;
}

/** Options every way of running a process takes. */
export interface RunControl {
  stdio?: StdioOptions;
  /** Written to the process's stdin, which is then closed (stdin becomes a pipe). */
  input?: string | Buffer;
  /** Kills the process (SIGKILL) when aborted; the call rejects with the signal's reason. */
  signal?: AbortSignal;
  /** Milliseconds before the process is killed and the call rejects with a TimeoutError. */
  timeout?: number;
}

/** Signal numbers to names; the first name of a number wins (SIGABRT, not its alias SIGIOT). */
const SIGNAL_NAMES = new Map<number, NodeJS.Signals>();
for (const [name, n] of Object.entries(os.constants.signals)) if (!SIGNAL_NAMES.has(n)) SIGNAL_NAMES.set(n, name as NodeJS.Signals);

export function processExit(status: ExitStatus): ProcessExit {
  return { exitCode: status.code, signal: status.signal === null ? null : (SIGNAL_NAMES.get(status.signal) ?? null) };
}

export function signalNumber(signal: string | number): number {
  return typeof signal === 'number' ? signal : parseSignal(signal);
}

/**
 * What a call observes: the caller's signal and its timeout, combined. Not AbortSignal.any with
 * AbortSignal.timeout: Node 20 holds those sources weakly, and a collected timeout never fires. The
 * timer here is held (and keeps Node running) until `done()`.
 */
export function abortSignalOf(control: RunControl): { signal: AbortSignal; done(): void } {
  const controller = new AbortController();
  const onAbort = () => controller.abort(control.signal!.reason);
  if (control.signal?.aborted) onAbort();
  else control.signal?.addEventListener('abort', onAbort, { once: true });
  const timer =
    control.timeout === undefined
      ? undefined
      : setTimeout(() => controller.abort(new DOMException(`timed out after ${control.timeout} ms`, 'TimeoutError')), control.timeout);
  return {
    signal: controller.signal,
    done() {
      clearTimeout(timer);
      control.signal?.removeEventListener('abort', onAbort);
    },
  };
}

/** The stdio a convenience call uses: output captured, stdin from `input` or /dev/null. */
export function capturingStdio(control: RunControl): StdioOptions {
  return control.stdio ?? [control.input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'];
}

/**
 * A process running in a container, started by this Node process (which is its parent): its host
 * pid, its stdio streams where they are pipes, and its exit. It is always reaped once it exits, so it
 * never stays a zombie; `detached` ones do not keep Node running. Emits 'exit' (ProcessExit).
 */
export class ContainerProcess extends EventEmitter {
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** With `terminal: true`: the pty, a duplex stream with resize(). */
  readonly terminal: Terminal | null;
  private readonly exit: ExitWatch;
  private readonly exited: Promise<ProcessExit>;

  constructor(
    readonly pid: number,
    stdio: PreparedStdio,
    detached: boolean,
    terminalFd: number | null = null,
  ) {
    super();
    this.terminal = terminalFd === null ? null : new Terminal(terminalFd);
    this.stdin = stdio.stdin;
    this.stdout = stdio.stdout;
    this.stderr = stdio.stderr;
    this.exit = new ExitWatch(pid, !detached);
    this.exited = this.exit.exited.then(processExit);
    void this.exited.then((exit) => this.emit('exit', exit));
  }

  /** Resolves once the process has exited; keeps Node running until then, even when detached. */
  wait(): Promise<ProcessExit> {
    this.exit.setKeepAlive(true);
    return this.exited;
  }

  /** Signal by name ("TERM", "SIGKILL") or number; a process that has exited is left alone. */
  kill(signal: string | number = 'SIGTERM'): void {
    try {
      process.kill(this.pid, signalNumber(signal));
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  }

  /**
   * Feeds `input`, collects stdout and stderr, and resolves once the process has exited and its
   * output ended; `signal` kills it (SIGKILL) and rejects with the signal's reason.
   */
  async result(input?: string | Buffer, signal?: AbortSignal): Promise<ProcessResult> {
    const onAbort = () => this.kill('SIGKILL');
    signal?.addEventListener('abort', onAbort, { once: true });
    if (signal?.aborted) onAbort();
    try {
      // A process that exits without reading all of it is not an error of ours (EPIPE).
      if (input !== undefined) this.stdin?.on('error', () => {}).end(input);
      const [exit, stdout, stderr] = await Promise.all([this.wait(), collect(this.stdout), collect(this.stderr)]);
      signal?.throwIfAborted();
      return { ...exit, stdout: stdout.toString('utf8'), stderr: stderr.toString('utf8') };
    } finally {
      signal?.removeEventListener('abort', onAbort);
    }
  }
}
