import * as path from 'node:path';

import { runAsync } from '../engine/host/effect';
import { realAsyncHost } from '../engine/host/async-waits';
import { type CreatedContainer, createSteps } from '../engine/operations/create';
import { listSteps } from '../engine/operations/list';
import { stateSteps } from '../engine/operations/state';
import type { Spec } from '../engine/spec/schema';
import { defaultRoot } from '../engine/caller';
import type { OciState } from '../engine/state/status';
import { Container, type RuntimeContext } from './container';
import { ContainerProcess, type ProcessResult, type RunControl, abortSignalOf, capturingStdio } from './process';
import { type StdioOptions, prepareStdio } from './stdio';

export interface RuntimeOptions {
  /** State directory (the CLI's --root). Default /run/cista, or $XDG_RUNTIME_DIR/cista when rootless (as the CLI's). */
  root?: string;
  /** Where failing poststart/poststop hooks are reported (the operation still succeeds). Default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

/** What a container is made from: a bundle directory, or a rootfs and a config object (nothing written by the caller). */
export type ContainerSource = { bundle: string } | { rootfs: string; spec: Spec };

export interface CreateOptions {
  /** The container process's stdin, stdout and stderr; default 'inherit' (Node's own). With process.terminal, the pty is the container's `terminal` instead. */
  stdio?: StdioOptions;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  /** Node's fds 3 to 3+N-1 reach the container as they are. */
  preserveFds?: number;
  /** The CLI's --systemd-cgroup: the container's cgroup is a transient systemd scope (linux.cgroupsPath "slice:prefix:name"). */
  systemdCgroup?: boolean;
}

export interface RunOptions extends RunControl, Omit<CreateOptions, 'stdio'> {
  /** Leave the stopped container for inspection instead of deleting it. */
  keep?: boolean;
}

/** The engine's view of a source: a bundle path, or a config object whose root.path is the rootfs. */
function sourceOptions(source: ContainerSource): { bundle?: string; spec?: Spec } {
  if ('bundle' in source) return { bundle: source.bundle };
  return { spec: { ...source.spec, root: { ...source.spec.root, path: path.resolve(source.rootfs) } } };
}

/**
 * cista's Node API: containers from a long-lived Node process, no CLI and no process but the
 * container's own. See README, "From Node".
 */
export class Runtime {
  readonly root: string;
  private readonly context: RuntimeContext;

  constructor(options: RuntimeOptions = {}) {
    this.root = options.root ?? defaultRoot();
    this.context = { root: this.root, warn: options.onWarning ?? ((message) => process.emitWarning(message, 'CistaWarning')) };
  }

  /** Creates a container waiting for start(). This Node process is its init's parent and reaps it. */
  async create(id: string, source: ContainerSource, options: CreateOptions = {}): Promise<Container> {
    const stdio = prepareStdio(options.stdio ?? 'inherit');
    let created: CreatedContainer;
    try {
      created = await runAsync(createSteps({
        root: this.root,
        id,
        ...sourceOptions(source),
        stdio: stdio.fds,
        noPivot: options.noPivot,
        noNewKeyring: options.noNewKeyring,
        preserveFds: options.preserveFds,
        systemdCgroup: options.systemdCgroup,
        // With process.terminal, the pty master comes back here: the container's `terminal`.
        attachConsole: true,
        warn: this.context.warn,
      }, realAsyncHost));
    } catch (e) {
      stdio.spawned(false);
      throw e;
    }
    stdio.spawned(true);
    return new Container(this.context, id, created.pid, new ContainerProcess(created.pid, stdio, true, created.consoleFd));
  }

  /**
   * create + start + wait: resolves with the exit and output of the container's process (stdout and
   * stderr captured unless `stdio` says otherwise), then deletes the container unless `keep`. Abort
   * or timeout kills it, deletes it and rejects.
   */
  async run(id: string, source: ContainerSource, options: RunOptions = {}): Promise<ProcessResult> {
    const { signal, done } = abortSignalOf(options);
    try {
      signal.throwIfAborted();
      const container = await this.create(id, source, { ...options, stdio: capturingStdio(options) });
      try {
        await container.start();
        return await container.init!.result(options.input, signal);
      } finally {
        if (options.keep !== true || signal.aborted) await container.delete({ force: true });
      }
    } finally {
      done();
    }
  }

  /** Every container under the root; one whose state.json is damaged is a warning (onWarning), not an error. */
  async list(): Promise<OciState[]> {
    return runAsync(listSteps(this.root, this.context.warn, realAsyncHost));
  }

  /** A handle on an existing container; rejects with ENOCONTAINER when there is none. */
  async get(id: string): Promise<Container> {
    const state = await runAsync(stateSteps(this.root, id, realAsyncHost));
    return new Container(this.context, id, state.pid);
  }
}
