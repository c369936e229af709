/**
 * cista's Node API: the same engine as the CLI, typed, for programs that sandbox work in containers.
 *
 *   const runtime = new Runtime({ root: '/run/cista' });
 *   runtime.create('job1', { bundle: '/srv/bundles/job1' });
 *   runtime.start('job1');
 *   console.log(runtime.state('job1').status);   // 'running'
 *   runtime.delete('job1', { force: true });
 *
 * Errors the user can act on are thrown as CistaError (ConfigError for config.json) with a one-line message.
 */
import { type CreatedContainer, createContainer } from '../engine/operations/create';
import { deleteContainer } from '../engine/operations/delete';
import { type ExecOptions, execInContainer } from '../engine/operations/exec';
import { killContainer } from '../engine/operations/kill';
import { listContainers } from '../engine/operations/list';
import { runContainer } from '../engine/operations/run';
import { startContainer } from '../engine/operations/start';
import { containerState } from '../engine/operations/state';
import { parseSignal } from '../engine/spec/signals';
import { DEFAULT_ROOT } from '../engine/state/store';
import type { OciState } from '../engine/state/status';

export { CistaError, ConfigError } from '../engine/errors';
export type { OciState, Status } from '../engine/state/status';
export type { Spec } from '../engine/spec/schema';
export { defaultSpec } from '../engine/spec/defaults';

export interface RuntimeOptions {
  /** State directory (the CLI's --root). Default /run/cista. */
  root?: string;
  /** Where failing poststart/poststop hooks are reported (the operation still succeeds). Default: process.emitWarning. */
  onWarning?: (message: string) => void;
}

export interface CreateOptions {
  bundle: string;
  pidFile?: string;
  noPivot?: boolean;
  preserveFds?: number;
}

export class Runtime {
  readonly root: string;
  private readonly warn: (message: string) => void;

  constructor(options: RuntimeOptions = {}) {
    this.root = options.root ?? DEFAULT_ROOT;
    this.warn = options.onWarning ?? ((message) => process.emitWarning(message, 'CistaWarning'));
  }

  /** Creates the container and leaves it waiting for start(); returns its init's host pid. */
  create(id: string, options: CreateOptions): CreatedContainer {
    return createContainer({ root: this.root, id, ...options, warn: this.warn });
  }

  start(id: string): void {
    startContainer(this.root, id, this.warn);
  }

  /** create + start; unless detached, resolves with the exit status once the container exits (and deletes it unless keep). */
  run(id: string, options: CreateOptions & { detach?: boolean; keep?: boolean }): Promise<number> {
    return runContainer({ root: this.root, id, ...options, warn: this.warn });
  }

  /**
   * Runs a process in a created or running container: `args` with the container's process settings
   * and the given changes, or `processFile` (an OCI process JSON). Resolves with its exit status, or
   * with 0 once it runs when detached.
   */
  exec(id: string, options: Partial<Omit<ExecOptions, 'root' | 'id'>> & ({ args: string[] } | { processFile: string })): Promise<number> {
    return execInContainer({
      root: this.root,
      id,
      args: [],
      env: [],
      additionalGids: [],
      capabilities: [],
      noNewPrivileges: false,
      tty: false,
      detach: false,
      preserveFds: 0,
      ...options,
    });
  }

  state(id: string): OciState {
    return containerState(this.root, id);
  }

  /** Signal by name ("TERM", "SIGKILL") or number. */
  kill(id: string, signal: string | number = 'SIGTERM', options: { all?: boolean } = {}): void {
    killContainer(this.root, id, typeof signal === 'number' ? signal : parseSignal(signal), options.all === true);
  }

  delete(id: string, options: { force?: boolean } = {}): void {
    deleteContainer(this.root, id, options.force === true, this.warn);
  }

  list(): OciState[] {
    return listContainers(this.root, this.warn);
  }
}
