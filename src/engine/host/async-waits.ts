/**
 * The long-lived API's waits (see HostWaits): each is a promise settled from Node's event loop, so
 * no operation blocks it. Loaded by the API only, never by the CLI.
 */
import * as fs from 'node:fs';

import { cgroupWriteError } from '../cgroups/cgroupfs';
import type { CgroupManager } from '../cgroups/manager';
import { native } from '../native';
import { whenReadable } from '../process/readable';
import { awaiting } from './effect';
import type { Host, HostWaits, ProgramResult, ProgramRun } from './host';
import { programOutput } from './real-lookup';
import { realHostWith } from './real';

/** Retries of a held lock back off up to this interval. */
const MAX_LOCK_RETRY_MS = 50;
/** An idle wait looks again after this long even when nothing it watches fired (a pid reused meanwhile). */
const MAX_IDLE_MS = 100;

/** The directories of the locks this process holds, by fd; and who waits for one of them to be released. */
const heldLocks = new Map<number, string>();
const lockWaiters = new Map<string, Set<() => void>>();

/**
 * flock() has no fd to watch: a held lock is tried again (LOCK_NB) on a timer backing off from 1 ms,
 * or at once when this process releases it.
 */
async function lock(dir: string, exclusive: boolean): Promise<number> {
  let fd = native().lockFile(dir, exclusive, true);
  for (let delay = 1; fd < 0; delay = Math.min(delay * 2, MAX_LOCK_RETRY_MS)) {
    const waiters = lockWaiters.get(dir) ?? new Set<() => void>();
    lockWaiters.set(dir, waiters);
    await new Promise<void>((resolve) => {
      const wake = (): void => {
        clearTimeout(timer);
        waiters.delete(wake);
        if (waiters.size === 0 && lockWaiters.get(dir) === waiters) lockWaiters.delete(dir);
        resolve();
      };
      const timer = setTimeout(wake, delay);
      waiters.add(wake);
    });
    fd = native().lockFile(dir, exclusive, true);
  }
  heldLocks.set(fd, dir);
  return fd;
}

function unlock(fd: number): void {
  const dir = heldLocks.get(fd);
  heldLocks.delete(fd);
  fs.closeSync(fd);
  if (dir !== undefined) for (const wake of [...(lockWaiters.get(dir) ?? [])]) wake();
}

/** One message of the init, received once the event loop sees the socket readable. */
async function receive(syncFd: number, maxBytes: number) {
  for (;;) {
    const message = native().receiveMessage(syncFd, maxBytes, true);
    if (message !== null) return message;
    await whenReadable(syncFd);
  }
}

/** The cgroup.procs writes of CgroupManager.join, from libuv's thread pool and at once. */
async function joinCgroup(cgroup: CgroupManager, pid: number): Promise<void> {
  const value = String(pid);
  await Promise.all(
    cgroup.procsFiles().map((file) =>
      fs.promises.writeFile(file, value).catch((error: unknown) => {
        throw cgroupWriteError(file, value, error);
      }),
    ),
  );
}

/** child_process.spawn with the blocking host's rules: output to files, SIGKILL after the timeout. */
function run(program: ProgramRun): Promise<ProgramResult> {
  const { spawn } = require('node:child_process') as typeof import('node:child_process');
  const output = programOutput();
  return new Promise<ProgramResult>((resolve) => {
    let error: Error | undefined;
    const child = spawn(program.path, program.args, { argv0: program.argv0, env: program.env, stdio: ['pipe', output.stdout, output.stderr] });
    const timer =
      program.timeoutMs === undefined
        ? undefined
        : setTimeout(() => {
            error = Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' });
            child.kill('SIGKILL');
          }, program.timeoutMs);
    // A hook need not read its stdin (EPIPE).
    child.stdin!.on('error', () => {});
    child.stdin!.end(program.stdin);
    child.on('error', (e) => {
      // Not started (ENOENT, EACCES): there is no exit to wait for.
      clearTimeout(timer);
      resolve(output.result(null, null, e));
    });
    child.on('exit', (status, signal) => {
      clearTimeout(timer);
      resolve(output.result(status, signal, error));
    });
  }).finally(() => output.close());
}

/** Resolves once `fd` is readable, `pid` has exited, or MAX_IDLE_MS passed. */
function idle(watch: { fd?: number; pid?: number }): Promise<void> {
  return new Promise((resolve) => {
    const watches: number[] = [];
    let pidfd = -1;
    let timer: NodeJS.Timeout | undefined;
    const done = (): void => {
      clearTimeout(timer);
      for (const id of watches.splice(0)) native().cancelWatch(id);
      if (pidfd >= 0) fs.closeSync(pidfd);
      pidfd = -1;
      resolve();
    };
    if (watch.pid !== undefined) {
      try {
        pidfd = native().openPidfd(watch.pid);
      } catch {
        // Gone already (ESRCH): the caller looks again at once.
        resolve();
        return;
      }
      watches.push(native().watchReadable(pidfd, done, true));
    }
    if (watch.fd !== undefined) watches.push(native().watchReadable(watch.fd, done, true));
    timer = setTimeout(done, MAX_IDLE_MS);
  });
}

export const eventLoopWaits: HostWaits = {
  lock: (dir, exclusive) => awaiting(lock(dir, exclusive)),
  unlock,
  receive: (syncFd, maxBytes) => awaiting(receive(syncFd, maxBytes)),
  spawnInit: (request) => awaiting(native().spawnInitAsync(request)),
  joinCgroup: (cgroup, pid) => awaiting(joinCgroup(cgroup, pid)),
  run: (program) => awaiting(run(program)),
  idle: (_pollMs, watch) => awaiting(idle(watch)),
  // runAsync resumes the operation at its next turn.
  letOthersRun: () => awaiting(Promise.resolve()),
};

/** The real host for the API: its operations wait on the event loop. */
export const realAsyncHost: Host = realHostWith(eventLoopWaits);
