import { EventEmitter } from 'node:events';
import type { Readable, Writable } from 'node:stream';

import type { Warn } from '../engine/hooks/run';
import type { OomWatch } from '../engine/cgroups/manager';
import type { ContainerStats } from '../engine/cgroups/stats';
import { realAsyncHost } from '../engine/host/async-waits';
import { runAsync } from '../engine/host/effect';
import { deleteSteps } from '../engine/operations/delete';
import { oomWatchSteps, statsSteps } from '../engine/operations/events';
import { type StartedExec, execSteps } from '../engine/operations/exec';
import { killSteps } from '../engine/operations/kill';
import { freezeSteps } from '../engine/operations/pause';
import { startSteps } from '../engine/operations/start';
import { stateSteps } from '../engine/operations/state';
import { updateSteps } from '../engine/operations/update';
import { ExitWatch } from '../engine/process/exit';
import type { LinuxResources } from '../engine/spec/schema';
import type { OciState } from '../engine/state/status';
import { ContainerProcess, type ProcessExit, type ProcessResult, type RunControl, abortSignalOf, capturingStdio, processExit, signalNumber } from './process';
import { type StdioOptions, prepareStdio } from './stdio';
import type { Terminal } from './terminal';

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
  /** The cgroup's out-of-memory watch; a promise while it is being set up (under the container's lock). */
  private oomWatch: OomWatch | Promise<OomWatch | null> | null = null;

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
    // Set up on the event loop: an event listener cannot wait, and the lock may be held by an
    // operation of this process. A container that cannot be looked at is a warning, not a throw.
    const setup = runAsync(oomWatchSteps(this.context.root, this.id, () => this.emit('oom'), realAsyncHost)).catch((e: unknown) => {
      this.context.warn(`container ${this.id}: cannot watch for oom: ${(e as Error).message}`);
      return null;
    });
    this.oomWatch = setup;
    void setup.then((watch) => {
      // The last listener went meanwhile.
      if (this.oomWatch !== setup) return watch?.close();
      this.oomWatch = watch;
      void watch?.ended.then(() => {
        if (this.oomWatch === watch) this.oomWatch = null;
      });
    });
  }

  private stopWatchingOom(): void {
    // One still being set up closes once it is (watchOom sees it is no longer this one).
    if (this.oomWatch !== null && !(this.oomWatch instanceof Promise)) this.oomWatch.close();
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
    await runAsync(startSteps(this.context.root, this.id, this.context.warn, realAsyncHost));
  }

  /** Resolves with the container process's exit once it has exited. */
  wait(): Promise<ProcessExit> {
    return this.init?.wait() ?? this.othersExit();
  }

  /** Starts a process in the container; by default its stdio are pipes (the handle's streams). */
  async spawn(options: SpawnOptions): Promise<ContainerProcess> {
    const stdio = prepareStdio(options.terminal === true ? 'inherit' : (options.stdio ?? 'pipe'));
    let started: StartedExec;
    try {
      started = await runAsync(execSteps({
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
      }, realAsyncHost));
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
    await runAsync(killSteps(this.context.root, this.id, signalNumber(signal), options.all === true, realAsyncHost));
  }

  async pause(): Promise<void> {
    await runAsync(freezeSteps(this.context.root, this.id, true, realAsyncHost));
  }

  async resume(): Promise<void> {
    await runAsync(freezeSteps(this.context.root, this.id, false, realAsyncHost));
  }

  /** Changes the cgroup limits given (config.json's /linux/resources without devices). */
  async update(resources: Omit<LinuxResources, 'devices'>): Promise<void> {
    await runAsync(updateSteps(this.context.root, this.id, resources, 'resources', realAsyncHost));
  }

  /**
   * The container's resource usage now, read from its cgroup: runc's `events --stats` data (cpu,
   * cpuset, memory with swap and kernel, pids, blkio, hugetlb), its counters bigints.
   */
  async stats(): Promise<ContainerStats> {
    return runAsync(statsSteps(this.context.root, this.id, realAsyncHost));
  }

  async state(): Promise<OciState> {
    return runAsync(stateSteps(this.context.root, this.id, realAsyncHost));
  }

  /**
   * Deletes a stopped container; `force`: any, killing it first. The kill is waited for on the event
   * loop, so the removal that follows finds it gone.
   */
  async delete(options: { force?: boolean } = {}): Promise<void> {
    if (options.force === true) {
      const { status } = await this.state();
      if (status === 'created' || status === 'running') {
        await this.kill('SIGKILL');
        await this.wait();
      }
    }
    this.stopWatchingOom();
    await runAsync(deleteSteps(this.context.root, this.id, options.force === true, this.context.warn, realAsyncHost));
  }
}
