/**
 * The namespace's warm shim: the containers of a containerd namespace that name no group share one
 * shim process, which outlives its last task for a while (the linger), so that the next `start` is
 * answered by the launcher with shell builtins from the address this shim publishes, and containerd's
 * task operations are calls into a process already running.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { CISTA_RUN_DIR } from './flags';

/**
 * Where the warm shims publish their addresses: a name no containerd namespace can take (they begin
 * with a letter or digit), so that it never meets a namespace's state root.
 */
const PUBLISHED_DIR = path.join(CISTA_RUN_DIR, '_warm');

/**
 * The file of a namespace's warm shim for one containerd (two containerds may have a namespace of the
 * same name): `NAMESPACE@ADDRESS` with the address's slashes made `%` (no namespace has an `@`).
 * bin/containerd-shim-cista-v2 makes the same name.
 */
export function publishedFile(namespace: string, containerdAddress: string): string {
  return path.join(PUBLISHED_DIR, `${namespace}@${containerdAddress.replaceAll('/', '%')}`);
}

/** The environment variable that sets the linger, in seconds (containerd passes its environment to shims). */
export const LINGER_ENV = 'CISTA_SHIM_LINGER';
/**
 * How long a warm shim with no task left waits for the next one: a gap longer than a burst of
 * containers (a CI job's, a script's, a pod's restarts) but short enough that an idle host holds no
 * shim for long. An idle shim holds about 12 MiB (src/shim/memory.ts).
 */
const DEFAULT_LINGER_MS = 30_000;
/**
 * How long a shim that unpublished its address keeps serving before it exits: longer than a `start`
 * that read the address just before takes to reach the shim (the launcher's exit, containerd's
 * connect and Create), even on a loaded host.
 */
const GRACE_MS = 5_000;

/** The linger from CISTA_SHIM_LINGER, or the default (with a warning when the value is not a number of seconds). */
export function lingerMs(env: NodeJS.ProcessEnv, warn: (message: string) => void): number {
  const value = env[LINGER_ENV];
  if (value === undefined || value === '') return DEFAULT_LINGER_MS;
  const seconds = Number(value);
  if (!Number.isFinite(seconds) || seconds < 0) {
    warn(`${LINGER_ENV}=${value}: not a number of seconds >= 0; lingering ${DEFAULT_LINGER_MS / 1000} s`);
    return DEFAULT_LINGER_MS;
  }
  return Math.round(seconds * 1000);
}

/** The fields of /proc/PID/stat after the command's name: [0] is field 3, the state. */
function statFields(stat: string): string[] {
  return stat.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** A process's start time in clock ticks since boot (field 22): with the pid, names one process. */
export function startTimeOf(stat: string): string {
  return statFields(stat)[19];
}

/** Whether /proc/PID/stat is of the process that started at `started`, and it is not a zombie (a killed shim is one until reaped). */
export function isAlive(stat: string, started: string): boolean {
  const fields = statFields(stat);
  return fields[19] === started && fields[0] !== 'Z' && fields[0] !== 'X';
}

/**
 * The published address, one line: `PID STARTTIME SOCKET CONTAINERD-ADDRESS` (the containerd address
 * last: it may hold spaces, and the launcher's `read` gives the last name the rest of the line). The
 * launcher answers SOCKET only for that containerd, while PID with STARTTIME is alive and SOCKET is
 * a socket: a crashed shim's line sends `start` to a cold start, never to a dead address.
 */
export class PublishedAddress {
  private readonly file: string;
  private readonly line: string;

  constructor(namespace: string, socket: string, containerdAddress: string) {
    this.file = publishedFile(namespace, containerdAddress);
    const started = startTimeOf(fs.readFileSync('/proc/self/stat', 'utf8'));
    this.line = `${process.pid} ${started} ${socket} ${containerdAddress}\n`;
  }

  /**
   * Written whole (a rename), so that the launcher never reads half a line; unless it is there
   * already. Checked each time: another warm shim of the namespace and containerd (one that lost a
   * race to listen on the group's socket) may have written its own since, or removed ours as it exited.
   */
  publish(): void {
    if (readOr(this.file, '') === this.line) return;
    fs.mkdirSync(PUBLISHED_DIR, { recursive: true, mode: 0o700 });
    const temporary = `${this.file}.${process.pid}`;
    fs.writeFileSync(temporary, this.line, { mode: 0o600 });
    fs.renameSync(temporary, this.file);
  }

  /** Removes the line if it is still ours (another shim of the namespace may have published since). */
  unpublish(): void {
    removeIf(this.file, (line) => line === this.line);
  }
}

/** After a shim died: its namespace's published line, if it names a process that is gone, is removed. */
export function unpublishDead(namespace: string, containerdAddress: string): void {
  removeIf(publishedFile(namespace, containerdAddress), (line) => {
    const [pid, started] = line.split(' ');
    try {
      return !isAlive(fs.readFileSync(`/proc/${pid}/stat`, 'utf8'), started);
    } catch {
      return true;
    }
  });
}

function readOr(file: string, fallback: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch {
    return fallback;
  }
}

function removeIf(file: string, test: (line: string) => boolean): void {
  const line = readOr(file, '');
  if (line !== '' && test(line)) fs.rmSync(file, { force: true });
}

/**
 * When a shim with no task exits. `idle()` (containerd's Shutdown once no task is left, and a warm
 * shim's start): after `lingerMs` the address is unpublished, then the shim serves on for the grace
 * before `exit()`. `busy()` (a Create) and `touched()` (a new connection: a `start` that found this
 * shim, containerd reconnecting) call the exit off and publish again. A pod's shim has no linger and
 * publishes nothing: it exits with its last task, as runc's does.
 */
export class Lifetime {
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly options: { lingerMs: number; graceMs?: number; address?: Pick<PublishedAddress, 'publish' | 'unpublish'>; exit: () => void },
  ) {}

  static warm(address: Pick<PublishedAddress, 'publish' | 'unpublish'>, linger: number, exit: () => void): Lifetime {
    return new Lifetime({ lingerMs: linger, graceMs: GRACE_MS, address, exit });
  }

  busy(): void {
    this.cancel();
    this.options.address?.publish();
  }

  idle(): void {
    this.cancel();
    this.options.address?.publish();
    this.timer = setTimeout(() => this.unpublish(), this.options.lingerMs);
  }

  /** A new connection while idle starts the linger again. */
  touched(): void {
    if (this.timer !== null) this.idle();
  }

  /** containerd's Shutdown with `now`. */
  exitNow(): void {
    this.cancel();
    this.options.address?.unpublish();
    this.options.exit();
  }

  private unpublish(): void {
    this.options.address?.unpublish();
    this.timer = setTimeout(() => this.exitNow(), this.options.graceMs ?? 0);
  }

  private cancel(): void {
    if (this.timer !== null) clearTimeout(this.timer);
    this.timer = null;
  }
}
