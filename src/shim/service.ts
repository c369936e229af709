import { Runtime } from '../api/runtime';
import { signalNumber } from '../api/process';
import { containerPids } from '../engine/operations/ps';
import type { LinuxResources, Process } from '../engine/spec/schema';
import { containerd, google } from '../generated/containerd';
import { type Publisher, timestamp } from './events';
import { cgroupMetrics } from './metrics';
import { Code, StatusError } from './status';
import { Task, TaskProcess } from './task';
import type { Handler } from './ttrpc';
import type { Lifetime } from './warm';

const v2 = containerd.task.v2;
const Status = containerd.v1.types.Status;
const Empty = google.protobuf.Empty;
export const TASK_SERVICE = 'containerd.task.v2.Task';

/** What a message class gives the service: decode and encode. */
interface Codec<T> {
  decode(bytes: Uint8Array): T;
}
interface Encoder<T> {
  encode(message: T): { finish(): Uint8Array };
}

function method<Req, Res>(request: Codec<Req>, response: Encoder<Res>, body: (req: Req) => Promise<Res>): Handler {
  return async (payload) => response.encode(await body(request.decode(payload))).finish();
}

function jsonOf<T>(any: google.protobuf.IAny | null | undefined, what: string): T {
  if (any?.value == null) throw new StatusError(Code.INVALID_ARGUMENT, `${what}: missing`);
  try {
    return JSON.parse(Buffer.from(any.value).toString('utf8')) as T;
  } catch (e) {
    throw new StatusError(Code.INVALID_ARGUMENT, `${what}: not JSON (${(e as Error).message})`);
  }
}

/**
 * containerd's Task service (runtime v2) over the engine, in this process: every container of the
 * shim's group (a pod's, or the namespace's containers that name none) is a Task; operations are API
 * calls, no cista process per call.
 */
export class TaskService {
  private readonly tasks = new Map<string, Task>();
  /** Creates under way: their tasks are not in `tasks` yet, but the shim is not idle. */
  private creating = 0;

  constructor(
    private readonly runtime: Runtime,
    private readonly publisher: Publisher,
    /** Told when the shim has work (a Create) and when containerd's Shutdown finds none left. */
    private readonly lifetime: Pick<Lifetime, 'busy' | 'idle' | 'exitNow'>,
    /** Called with each new task's bundle: the shim's log lines go to its log fifo. */
    private readonly onCreate: (bundle: string) => void,
    /** containerd's namespace of the shim's tasks (a logging binary's CONTAINER_NAMESPACE). */
    private readonly namespace: string,
  ) {}

  private task(id: string): Task {
    const task = this.tasks.get(id);
    if (task === undefined) throw new StatusError(Code.NOT_FOUND, `task ${id} not found`);
    return task;
  }

  /** Publishes an exit and settles its waiters: once per process. */
  private watchExit(task: Task, proc: TaskProcess): void {
    void proc.handle?.wait().then((exit) => {
      const done = proc.exitedWith(exit);
      this.publisher.publish('/tasks/exit', {
        containerId: task.id,
        id: proc.execId === '' ? task.id : proc.execId,
        pid: proc.pid,
        exitStatus: done.status,
        exitedAt: timestamp(done.at),
      });
    });
  }

  handlers(): Record<string, Handler> {
    return {
      State: method(v2.StateRequest, v2.StateResponse, async (r) => {
        const task = this.task(r.id);
        const proc = task.process(r.execId);
        // An exec is created by Exec and running once Start has spawned it.
        const status = r.execId === '' ? task.status() : proc.handle === null ? Status.CREATED : Status.RUNNING;
        return proc.state(task.id, task.bundle, status);
      }),

      Create: method(v2.CreateTaskRequest, v2.CreateTaskResponse, async (r) => {
        if (this.tasks.has(r.id)) throw new StatusError(Code.ALREADY_EXISTS, `task ${r.id} already exists`);
        if (r.checkpoint !== '') throw new StatusError(Code.UNIMPLEMENTED, 'restoring from a checkpoint is not implemented by cista yet');
        this.lifetime.busy();
        this.onCreate(r.bundle);
        this.creating++;
        let task: Task;
        try {
          task = await Task.create(this.runtime, r, this.namespace);
        } finally {
          this.creating--;
        }
        this.tasks.set(r.id, task);
        this.watchExit(task, task.init);
        // Until Delete: the cgroup's notification, watched by the event loop.
        task.container!.on('oom', () => this.publisher.publish('/tasks/oom', { containerId: r.id }));
        this.publisher.publish('/tasks/create', {
          containerId: r.id,
          bundle: r.bundle,
          rootfs: r.rootfs,
          io: { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal },
          pid: task.init.pid,
        });
        return { pid: task.init.pid };
      }),

      Start: method(v2.StartRequest, v2.StartResponse, async (r) => {
        const task = this.task(r.id);
        if (r.execId === '') {
          await task.container!.start();
          task.started = true;
          this.publisher.publish('/tasks/start', { containerId: r.id, pid: task.init.pid });
          return { pid: task.init.pid };
        }
        const proc = task.process(r.execId);
        if (proc.handle !== null) throw new StatusError(Code.FAILED_PRECONDITION, `process ${r.execId} already started`);
        const spec = proc.spec!;
        let handle;
        try {
          const stdio = await proc.openStdio({ id: r.execId, namespace: this.namespace });
          handle = await task.container!.spawn({
            args: spec.args ?? [],
            cwd: spec.cwd,
            env: spec.env ?? [],
            user: spec.user === undefined ? undefined : { uid: spec.user.uid ?? 0, gid: spec.user.gid },
            additionalGids: spec.user?.additionalGids ?? [],
            noNewPrivileges: spec.noNewPrivileges,
            terminal: proc.io.terminal,
            stdio,
            detached: true,
          });
        } catch (e) {
          await proc.release();
          throw e;
        }
        proc.handle = handle;
        proc.pid = handle.pid;
        this.watchExit(task, proc);
        proc.attach(handle.stdin, handle.terminal);
        this.publisher.publish('/tasks/exec-started', { containerId: r.id, execId: r.execId, pid: proc.pid });
        return { pid: proc.pid };
      }),

      Delete: method(v2.DeleteRequest, v2.DeleteResponse, async (r) => {
        const task = this.task(r.id);
        const proc = task.process(r.execId);
        if (r.execId !== '') {
          if (proc.handle !== null && proc.exit === null) throw new StatusError(Code.FAILED_PRECONDITION, `process ${r.execId} is still running`);
          task.processes.delete(r.execId);
        } else {
          await task.container!.delete({ force: true });
          // The init is reaped by the force delete; its exit is in before the answer.
          if (proc.handle !== null) await proc.wait();
          task.unmountRootfs();
          this.tasks.delete(r.id);
        }
        const exit = proc.exit ?? { status: 0, at: Date.now() };
        await proc.release();
        if (r.execId === '') {
          this.publisher.publish('/tasks/delete', { containerId: r.id, pid: proc.pid, exitStatus: exit.status, exitedAt: timestamp(exit.at), id: r.id });
        }
        return { pid: proc.pid, exitStatus: exit.status, exitedAt: timestamp(exit.at) };
      }),

      Pids: method(v2.PidsRequest, v2.PidsResponse, async (r) => {
        const task = this.task(r.id);
        return { processes: containerPids(this.runtime.root, task.id).map((pid) => ({ pid })) };
      }),

      Pause: method(v2.PauseRequest, Empty, async (r) => {
        const task = this.task(r.id);
        await task.container!.pause();
        task.paused = true;
        this.publisher.publish('/tasks/paused', { containerId: r.id });
        return {};
      }),

      Resume: method(v2.ResumeRequest, Empty, async (r) => {
        const task = this.task(r.id);
        await task.container!.resume();
        task.paused = false;
        this.publisher.publish('/tasks/resumed', { containerId: r.id });
        return {};
      }),

      Kill: method(v2.KillRequest, Empty, async (r) => {
        const task = this.task(r.id);
        if (r.execId === '') {
          await task.container!.kill(r.signal, { all: r.all });
        } else {
          const proc = task.process(r.execId);
          if (proc.handle === null || proc.exit !== null) throw new StatusError(Code.NOT_FOUND, `process ${r.execId} not running`);
          proc.handle.kill(signalNumber(r.signal));
        }
        return {};
      }),

      Exec: method(v2.ExecProcessRequest, Empty, async (r) => {
        const task = this.task(r.id);
        if (task.processes.has(r.execId)) throw new StatusError(Code.ALREADY_EXISTS, `process ${r.execId} already exists`);
        const spec = jsonOf<Process>(r.spec, 'exec process spec');
        task.processes.set(r.execId, new TaskProcess(r.execId, { stdin: r.stdin, stdout: r.stdout, stderr: r.stderr, terminal: r.terminal }, spec));
        this.publisher.publish('/tasks/exec-added', { containerId: r.id, execId: r.execId });
        return {};
      }),

      ResizePty: method(v2.ResizePtyRequest, Empty, async (r) => {
        const terminal = this.task(r.id).process(r.execId).terminal;
        if (terminal === null) throw new StatusError(Code.FAILED_PRECONDITION, `process ${r.execId || r.id} has no terminal`);
        terminal.resize(r.width, r.height);
        return {};
      }),

      CloseIO: method(v2.CloseIORequest, Empty, async (r) => {
        const proc = this.task(r.id).process(r.execId);
        if (r.stdin && proc.stdin !== null && proc.terminal === null) proc.stdin.end();
        return {};
      }),

      Update: method(v2.UpdateTaskRequest, Empty, async (r) => {
        await this.task(r.id).container!.update(jsonOf<LinuxResources>(r.resources, 'resources'));
        return {};
      }),

      Wait: method(v2.WaitRequest, v2.WaitResponse, async (r) => {
        const exit = await this.task(r.id).process(r.execId).wait();
        return { exitStatus: exit.status, exitedAt: timestamp(exit.at) };
      }),

      Stats: method(v2.StatsRequest, v2.StatsResponse, async (r) => {
        this.task(r.id);
        return { stats: await cgroupMetrics(this.runtime.root, r.id) };
      }),

      Connect: method(v2.ConnectRequest, v2.ConnectResponse, async (r) => {
        const task = this.tasks.get(r.id);
        return { shimPid: process.pid, taskPid: task?.init.pid ?? 0, version: '2' };
      }),

      // containerd calls it after each task's Delete: the shim ends (or, warm, lingers) once none is
      // left. After the answer: exiting closes the connection.
      Shutdown: method(v2.ShutdownRequest, Empty, async (r) => {
        setImmediate(() => {
          if (r.now) this.lifetime.exitNow();
          // Checked once answered: a Create may have come in the meantime.
          else if (this.tasks.size === 0 && this.creating === 0) this.lifetime.idle();
        });
        return {};
      }),

      Checkpoint: async () => {
        throw new StatusError(Code.UNIMPLEMENTED, 'checkpoint is not implemented by cista yet');
      },
    };
  }
}
