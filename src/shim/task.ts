import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { Readable, Writable } from 'node:stream';

import type { Container } from '../api/container';
import type { ContainerProcess, ProcessExit } from '../api/process';
import type { Runtime } from '../api/runtime';
import type { StdioOption } from '../api/stdio';
import type { Terminal } from '../api/terminal';
import { native } from '../engine/native';
import type { Process } from '../engine/spec/schema';
import { containerd } from '../generated/containerd';
import { type OutputOwner, ProcessOutputs, type TaskIo, inputStream } from './io';
import { Code, StatusError } from './status';

const Status = containerd.v1.types.Status;

/** An exit as containerd counts it: the code, or 128 + the signal's number. */
export interface TaskExit {
  status: number;
  at: number;
}

export function exitStatusOf(exit: ProcessExit): number {
  if (exit.exitCode !== null) return exit.exitCode;
  if (exit.signal !== null) return 128 + os.constants.signals[exit.signal];
  return 255;
}

/** One process of a task: the container's init (execId '') or an exec'd one. */
export class TaskProcess {
  pid = 0;
  exit: TaskExit | null = null;
  handle: ContainerProcess | null = null;
  terminal: Terminal | null = null;
  stdin: Writable | null = null;
  /** Where stdout and stderr go (opened by openStdio). */
  private outputs: ProcessOutputs | null = null;
  /** Lets go of stdin's fifo. */
  private closeInput: () => void = () => {};
  private readonly exited: Promise<TaskExit>;
  private onExit!: (exit: TaskExit) => void;

  constructor(
    readonly execId: string,
    readonly io: TaskIo,
    /** The exec's process spec (null for the init). */
    readonly spec: Process | null,
  ) {
    this.exited = new Promise((resolve) => (this.onExit = resolve));
  }

  /** Called once when the process has exited and been reaped. */
  exitedWith(exit: ProcessExit): TaskExit {
    this.exit = { status: exitStatusOf(exit), at: Date.now() };
    this.onExit(this.exit);
    return this.exit;
  }

  wait(): Promise<TaskExit> {
    return this.exited;
  }

  /**
   * The stdio the process is created with. Without a terminal: stdout and stderr as containerd named
   * them (fifos, a log file, a logging binary's pipes), stdin through a pipe fed from its fifo. With
   * one, the pty: the shim copies between it and them (attach()). Undone by release().
   */
  async openStdio(owner: OutputOwner): Promise<[StdioOption, StdioOption, StdioOption]> {
    this.outputs = await ProcessOutputs.open(this.io, owner);
    if (this.io.terminal) return ['ignore', 'ignore', 'ignore'];
    return [this.io.stdin === '' ? 'ignore' : 'pipe', this.outputs.stdout, this.outputs.stderr];
  }

  /**
   * Once created: starts the copies from stdin's fifo (and, with a terminal, to stdout) and closes our
   * copies of the output fds. stdin is read once containerd's writer has come (it may never: ctr run
   * without a terminal).
   */
  attach(stdin: Writable | null, terminal: Terminal | null): void {
    this.terminal = terminal;
    this.stdin = terminal ?? stdin;
    const target = this.stdin;
    if (target !== null) this.closeInput = inputStream(this.io.stdin, (input) => pipeKeepingOpen(input, target, terminal !== null));
    if (terminal !== null) {
      const output = this.outputs?.stdoutStream() ?? null;
      if (output !== null) terminal.pipe(output);
      else terminal.resume();
    }
    this.outputs?.closeFds();
  }

  /**
   * At Delete, or when the process failed to start: lets go of what the shim holds for it, stdin's
   * fifo and the pipe into its stdin or the terminal's master (containerd's client has read the output
   * to its end before it deletes), and its outputs (a logging binary is stopped). A handle is not
   * closed by the collector: a warm shim serves many processes.
   */
  async release(): Promise<void> {
    this.closeInput();
    this.stdin?.destroy();
    await this.outputs?.release();
  }

  state(id: string, bundle: string, status: number): containerd.task.v2.IStateResponse {
    return {
      id,
      bundle,
      pid: this.pid,
      status: this.exit !== null ? Status.STOPPED : status,
      stdin: this.io.stdin,
      stdout: this.io.stdout,
      stderr: this.io.stderr,
      terminal: this.io.terminal,
      exitStatus: this.exit?.status ?? 0,
      exitedAt: this.exit === null ? null : { seconds: Math.floor(this.exit.at / 1000), nanos: (this.exit.at % 1000) * 1e6 },
      execId: this.execId,
    };
  }
}

/** stdin's fifo into the process; its end ends the process's stdin, except a terminal's (a pty has no half-close). */
function pipeKeepingOpen(from: Readable, to: Writable, terminal: boolean): void {
  from.on('error', () => {});
  to.on('error', () => {});
  from.pipe(to, { end: !terminal });
}

/** A container and its processes, as one containerd task. */
export class Task {
  readonly processes = new Map<string, TaskProcess>();
  container: Container | null = null;
  paused = false;
  /** The init was started (containerd's Start without an exec id). */
  started = false;
  private mountedRootfs = false;

  constructor(
    readonly id: string,
    readonly bundle: string,
  ) {}

  get init(): TaskProcess {
    return this.processes.get('')!;
  }

  process(execId: string): TaskProcess {
    const found = this.processes.get(execId);
    if (found === undefined) throw new StatusError(Code.NOT_FOUND, `process ${execId} does not exist in task ${this.id}`);
    return found;
  }

  /** Mounts the rootfs containerd prepared (the image's snapshot) at bundle/rootfs. */
  mountRootfs(mounts: containerd.types.IMount[]): void {
    if (mounts.length === 0) return;
    if (mounts.length > 1) throw new StatusError(Code.INVALID_ARGUMENT, `rootfs: ${mounts.length} mounts; one is supported`);
    const [mount] = mounts;
    const target = path.join(this.bundle, 'rootfs');
    fs.mkdirSync(target, { recursive: true });
    const type = mount.type ?? '';
    const options = mount.options ?? [];
    const bind = type === 'bind' || options.includes('bind') || options.includes('rbind');
    const readOnly = options.includes('ro');
    const fsOptions = options
      .filter((o) => !['ro', 'rw', 'bind', 'rbind'].includes(o))
      .map((o): [string, string | null] => {
        const eq = o.indexOf('=');
        return eq === -1 ? [o, null] : [o.slice(0, eq), o.slice(eq + 1)];
      });
    native().mountFilesystem(target, bind ? 'bind' : type, mount.source ?? '', bind ? [] : fsOptions, readOnly);
    this.mountedRootfs = true;
  }

  unmountRootfs(): void {
    if (!this.mountedRootfs) return;
    native().detachMount(path.join(this.bundle, 'rootfs'));
    this.mountedRootfs = false;
  }

  status(): number {
    if (this.init.exit !== null) return Status.STOPPED;
    if (this.paused) return Status.PAUSED;
    return this.started ? Status.RUNNING : Status.CREATED;
  }

  static async create(runtime: Runtime, request: containerd.task.v2.CreateTaskRequest, namespace: string): Promise<Task> {
    const task = new Task(request.id, request.bundle);
    const io = { stdin: request.stdin, stdout: request.stdout, stderr: request.stderr, terminal: request.terminal };
    const init = new TaskProcess('', io, null);
    task.processes.set('', init);
    task.mountRootfs(request.rootfs);
    try {
      const stdio = await init.openStdio({ id: request.id, namespace });
      task.container = await runtime.create(request.id, { bundle: request.bundle }, { stdio });
    } catch (e) {
      await init.release();
      task.unmountRootfs();
      throw e;
    }
    init.pid = task.container.pid;
    init.handle = task.container.init ?? null;
    init.attach(task.container.stdin, task.container.terminal);
    return task;
  }
}
