import * as fs from 'node:fs';

import { type ExitStatus, native } from '../native';

export type { ExitStatus } from '../native';

/**
 * How long the status of a process that is not our child is looked for after it exited: the kernel
 * has it once its parent reaped it, which a lazy init (this VM's PID 1 takes seconds) may delay.
 */
const UNKNOWN_STATUS_WAIT_MS = 1000;
const UNKNOWN_STATUS_MAX_INTERVAL_MS = 100;

/**
 * A process's exit, watched through a pidfd on Node's event loop (no thread per process): `exited`
 * resolves with its status, and our child is reaped then, so it never stays a zombie. For a process
 * that is not our child the kernel keeps the status since Linux 6.15 (PIDFD_INFO_EXIT) once its
 * parent has reaped it; before that kernel, or when its parent reaps it later than a second after it
 * exited, both fields are null. The watch keeps Node running only while keepAlive is on. Never for a
 * child that child_process started: reaping it here would hide its exit from libuv.
 */
export class ExitWatch {
  readonly exited: Promise<ExitStatus>;
  private readonly pidfd: number;
  private watchId = 0;
  private keepAlive: boolean;

  constructor(pid: number, keepAlive: boolean) {
    this.pidfd = native().openPidfd(pid);
    this.keepAlive = keepAlive;
    this.exited = this.watch().finally(() => fs.closeSync(this.pidfd));
  }

  setKeepAlive(keepAlive: boolean): void {
    this.keepAlive = keepAlive;
    if (this.watchId !== 0) native().setWatchKeepsAlive(this.watchId, keepAlive);
  }

  private readable(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.watchId = native().watchReadable(
        this.pidfd,
        (error) => {
          this.watchId = 0;
          if (error === null) resolve();
          else reject(error);
        },
        this.keepAlive,
      );
    });
  }

  private async watch(): Promise<ExitStatus> {
    // Readable means exited; only then can the status of a process that is not our child be asked for.
    await this.readable();
    const exitedAt = Date.now();
    for (let interval = 5; ; ) {
      const status = native().exitStatusOf(this.pidfd);
      if (typeof status === 'object') return status;
      if (status === 'running') await this.readable();
      else if (Date.now() - exitedAt > UNKNOWN_STATUS_WAIT_MS) return { code: null, signal: null };
      else {
        await new Promise((resolve) => setTimeout(resolve, interval));
        interval = Math.min(interval * 2, UNKNOWN_STATUS_MAX_INTERVAL_MS);
      }
    }
  }
}

/** Resolves with the exit status of `pid` once it exits (see ExitWatch), keeping Node running meanwhile. */
export function waitForExit(pid: number): Promise<ExitStatus> {
  return new ExitWatch(pid, true).exited;
}
