import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

import type { Warn } from '../engine/hooks/run';
import type { OomWatch } from '../engine/cgroups/manager';
import type { ContainerStats } from '../engine/cgroups/stats';
import { deleteContainer } from '../engine/operations/delete';
import { containerStats, watchContainerOom } from '../engine/operations/events';
import { type StartedExec, startExec } from '../engine/operations/exec';
import { killContainer } from '../engine/operations/kill';
import { pauseContainer, resumeContainer } from '../engine/operations/pause';
import { startContainer } from '../engine/operations/start';
import { containerState } from '../engine/operations/state';
import { updateContainer } from '../engine/operations/update';
import { ExitWatch } from '../engine/process/exit';
import type { LinuxResources } from '../engine/spec/schema';
import type { OciState } from '../engine/state/status';
import { ContainerProcess, type ProcessExit, type ProcessResult, type RunControl, abortSignalOf, capturingStdio, processExit, signalNumber } from './process';
import { type StdioOptions, prepareStdio } from './stdio';
import type { Terminal } from './terminal';
import { turnOfTheLoop } from './turns';

/** Where the containers live and where hook warnings go: what a Container shares with its Runtime. */
export interface RuntimeContext {
  root: string;
  warn: Warn;
}

/** A process to run in a container: `args` with the container's process settings and these changes. */
export interface ExecOptions {
  args: string[];
  cwd?: string;
  /** NAME=value entries added to (or replacing those of) the container's environment. */
  env?: string[];
  user?: { uid: number; gid?: number };
  additionalGids?: number[];
  /** Capabilities added to the bounding, effective and permitted sets. */
  capabilities?: string[];
  noNewPrivileges?: boolean;
}

export interface SpawnOptions extends ExecOptions {
  /** Default: all three 'pipe'. Not used with a terminal: the pty is the process's stdio. */
  stdio?: StdioOptions;
  /** A pty for the process, as the process's stdin, stdout and stderr: the handle's `terminal`. */
  terminal?: boolean;
  /** The process does not keep Node running (it is still reaped if it exits while Node runs). */
  detached?: boolean;
}

/**
 * A handle on one container. Operations resolve once done and reject with CistaError subclasses
 * (`error.code`). Emits 'exit' (ProcessExit) when its init exits, for containers this Runtime created
 * and, once something waits or listens, for the others; and 'oom' each time its cgroup runs out of
 * memory, while something listens (the cgroup's notification, watched by the event loop).
 */
export class Container extends EventEmitter {
  /** The container process's streams where its stdio are pipes (only for containers this Runtime created). */
  readonly stdin: Writable | null;
  readonly stdout: Readable | null;
  readonly stderr: Readable | null;
  /** With process.terminal: the container process's pty, a duplex stream with resize(). */
  readonly terminal: Terminal | null;
  private initExit: Promise<ProcessExit> | undefined;
  private oomWatch: OomWatch | null = null;

  /** `init`: the container's process when this Node process created it (and is its parent). */
  constructor(
    private readonly context: RuntimeContext,
    readonly id: string,
    readonly pid: number,
    readonly init?: ContainerProcess,
  ) {
    super();
    this.stdin = init?.stdin ?? null;
    this.stdout = init?.stdout ?? null;
    this.stderr = init?.stderr ?? null;
    this.terminal = init?.terminal ?? null;
    if (init !== undefined) init.on('exit', (exit) => this.emit('exit', exit));
    else this.on('newListener', (event) => event === 'exit' && this.othersExit());
    this.on('newListener', (event) => event === 'oom' && this.watchOom());
    this.on('removeListener', (event) => event === 'oom' && this.listenerCount('oom') === 0 && this.stopWatchingOom());
  }

  /** From the first 'oom' listener on, until the last is removed, the container is deleted or its cgroup is gone. */
  private watchOom(): void {
    if (this.oomWatch !== null) return;
    const watch = watchContainerOom(this.context.root, this.id, () => this.emit('oom'));
    this.oomWatch = watch;
    void watch?.ended.then(() => {
      if (this.oomWatch === watch) this.oomWatch = null;
    });
  }

  private stopWatchingOom(): void {
    this.oomWatch?.close();
    this.oomWatch = null;
  }

  private othersExit(): Promise<ProcessExit> {
    if (this.initExit === undefined) {
      this.initExit = this.watchOthersExit();
      void this.initExit.then((exit) => this.emit('exit', exit));
    }
    return this.initExit;
  }

  /** The init of a container another process created: not our child, watched through its pidfd. */
  private async watchOthersExit(): Promise<ProcessExit> {
    if ((await this.state()).status === 'stopped') return { exitCode: null, signal: null };
    let watch: ExitWatch;
    try {
      watch = new ExitWatch(this.pid, true);
    } catch (e) {
      // It exited since the state above.
      if ((e as NodeJS.ErrnoException).code === 'ESRCH') return { exitCode: null, signal: null };
      throw e;
    }
    return processExit(await watch.exited);
  }

  /** Runs the container's process (it was waiting since create). */
  async start(): Promise<void> {
    await turnOfTheLoop();
    startContainer(this.context.root, this.id, this.context.warn);
  }

  /** Resolves with the container process's exit once it has exited. */
  wait(): Promise<ProcessExit> {
    return this.init?.wait() ?? this.othersExit();
  }

  /** Starts a process in the container; by default its stdio are pipes (the handle's streams). */
  async spawn(options: SpawnOptions): Promise<ContainerProcess> {
    await turnOfTheLoop();
    const stdio = prepareStdio(options.terminal === true ? 'inherit' : (options.stdio ?? 'pipe'));
    let started: StartedExec;
    try {
      started = startExec({
        root: this.context.root,
        id: this.id,
        args: options.args,
        cwd: options.cwd,
        env: options.env ?? [],
        user: options.user,
        additionalGids: options.additionalGids ?? [],
        capabilities: options.capabilities ?? [],
        noNewPrivileges: options.noNewPrivileges === true,
        tty: options.terminal === true,
        detach: false,
        preserveFds: 0,
        stdio: stdio.fds,
      });
    } catch (e) {
      stdio.spawned(false);
      throw e;
    }
    stdio.spawned(true);
    return new ContainerProcess(started.pid, stdio, options.detached === true, started.consoleFd);
  }

  /**
   * Runs a process to its end and resolves with its exit and output (stdout and stderr captured,
   * stdin from `input`). A non-zero exit resolves too; abort or timeout kills it and rejects.
   */
  async exec(options: ExecOptions & RunControl): Promise<ProcessResult> {
    const { signal, done } = abortSignalOf(options);
    try {
      signal.throwIfAborted();
      const spawned = await this.spawn({ ...options, stdio: capturingStdio(options) });
      return await spawned.result(options.input, signal);
    } finally {
      done();
    }
  }

  /** Signal by name ("TERM", "SIGKILL") or number; `all`: every process of the container. */
  async kill(signal: string | number = 'SIGTERM', options: { all?: boolean } = {}): Promise<void> {
    killContainer(this.context.root, this.id, signalNumber(signal), options.all === true);
  }

  async pause(): Promise<void> {
    await turnOfTheLoop();
    pauseContainer(this.context.root, this.id);
  }

  async resume(): Promise<void> {
    await turnOfTheLoop();
    resumeContainer(this.context.root, this.id);
  }

  /** Changes the cgroup limits given (config.json's /linux/resources without devices). */
  async update(resources: Omit<LinuxResources, 'devices'>): Promise<void> {
    await turnOfTheLoop();
    updateContainer(this.context.root, this.id, resources, 'resources');
  }

  /**
   * The container's resource usage now, read from its cgroup: runc's `events --stats` data (cpu,
   * cpuset, memory with swap and kernel, pids, blkio, hugetlb), its counters bigints.
   */
  async stats(): Promise<ContainerStats> {
    await turnOfTheLoop();
    return containerStats(this.context.root, this.id);
  }

  async state(): Promise<OciState> {
    return containerState(this.context.root, this.id);
  }

  /**
   * Deletes a stopped container; `force`: any, killing it first. The kill is waited for on the event
   * loop, so the removal that follows finds it gone.
   */
  async delete(options: { force?: boolean } = {}): Promise<void> {
    if (options.force === true) {
      const { status } = containerState(this.context.root, this.id);
      if (status === 'created' || status === 'running') {
        killContainer(this.context.root, this.id, signalNumber('SIGKILL'), false);
        await this.wait();
      }
    }
    await turnOfTheLoop();
    this.stopWatchingOom();
    deleteContainer(this.context.root, this.id, options.force === true, this.context.warn);
  }
}
