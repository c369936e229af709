/**
 * The host seam: every effect the container operations have on the machine (the addon, files,
 * /proc, the clock, cgroups, hook programs) goes through one `Host`. The real one (real.ts) does
 * it; a recording fake (test/helpers/fake-host.ts) lets the operations be tested without root,
 * down to the order of their effects and what a failure at each one leaves behind. Only types
 * here: importing this module loads nothing.
 */
import type { Caller } from '../caller';
import type { CgroupConfig, CgroupManager } from '../cgroups';
import type { RecordedCgroups } from '../cgroups/manager';
import type { NativeAddon } from '../native';
import type { SpawnRequest } from '../../generated/protocol';
import type { InitMessage } from '../process/channel';
import type { Effect } from './effect';

/** The file system, with Node's errors (`code` set) on failure. */
export interface HostFiles {
  /** A whole file as UTF-8; 0 is stdin. */
  readText(file: string | 0): string;
  writeText(file: string, content: string, mode: number): void;
  /** One O_APPEND write (creating the file with `mode`). */
  append(file: string, content: string, mode: number): void;
  rename(from: string, to: string): void;
  /** EEXIST when the directory exists, unless `recursive` (mkdir -p). */
  mkdir(dir: string, mode: number, recursive?: boolean): void;
  chmod(file: string, mode: number): void;
  /** rm -rf: what does not exist is fine. */
  remove(file: string): void;
  unlink(file: string): void;
  exists(file: string): boolean;
  /** undefined when nothing is there (or it cannot be looked at). */
  isDirectory(file: string): boolean | undefined;
  /** lstat(2): whether `file` itself is a symlink; undefined when nothing is there. */
  isSymbolicLink(file: string): boolean | undefined;
  realpath(file: string): string;
  /** The names of the directories in `dir`, sorted; ENOENT when `dir` is missing. */
  listDirectories(dir: string): string[];
  open(file: string, flags: number): number;
  /** EAGAIN on an empty non-blocking fifo; 0 at end of file. */
  read(fd: number, buffer: Buffer): number;
  write(fd: number, data: Buffer): void;
  close(fd: number): void;
}

/** /proc/<pid>/stat, the two fields cista reads. */
export interface ProcessStat {
  /** R, S, D, Z, X, ... */
  state: string;
  /** Clock ticks since boot: with the pid, an identity that survives pid reuse. */
  startTime: number;
}

/** A program run to completion with its output captured (an OCI hook). */
export interface ProgramRun {
  path: string;
  argv0: string;
  args: string[];
  env: Record<string, string>;
  stdin: string;
  /** Killed with SIGKILL after this long. */
  timeoutMs?: number;
}

export interface ProgramResult {
  status: number | null;
  signal: string | null;
  /** Why it could not be run or waited for (ENOENT, ETIMEDOUT, EPIPE...). */
  errorCode?: string;
  /** The first 16 KiB of each: enough for an error message. */
  stdout: Buffer;
  stderr: Buffer;
}

/** Processes, through /proc and kill(2). */
export interface HostProcesses {
  /** This process's pid. */
  readonly self: number;
  /** undefined when there is no such process. */
  stat(pid: number): ProcessStat | undefined;
  /** kill(2); a process that is already gone (ESRCH) is no error. */
  signal(pid: number, signal: number | NodeJS.Signals): void;
  /** readlink of /proc/<pid>/ns/<file>; undefined when this kernel has no such namespace type. */
  namespace(pid: number | 'self', file: string): string | undefined;
  /** /proc/self/mountinfo. */
  mountInfo(): string;
  /** /proc/<pid>/oom_score_adj, with Node's error (EACCES: lowering it needs CAP_SYS_RESOURCE). */
  setOomScoreAdj(pid: number, value: number): void;
  /** This process's own oom_score_adj: how low an unprivileged caller may set a child's. */
  ownOomScoreAdj(): number;
  /** Who runs cista: its effective ids, and whether it is in a user namespace (the rootless rules). */
  caller(): Caller;
  /** The name of the user running cista ('' when it has none). */
  userName(): string;
  /** A program run to completion, blocking the thread (the CLI's HostWaits.run). */
  run(program: ProgramRun): ProgramResult;
}

export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Blocks the thread (the CLI's HostWaits.idle): a CLI call is one short-lived process. */
  sleep(ms: number): void;
}

/** The freezer of a container's recorded cgroups (pause, resume, and the `paused` status). */
export interface HostFreezer {
  isFrozen(cgroups: RecordedCgroups): boolean;
  /** Returns once the kernel has frozen or thawed every process. */
  setFrozen(cgroups: RecordedCgroups, frozen: boolean): void;
}

/** Where the seam meets the cgroup drivers: a manager for this host's layout. */
export interface HostCgroups {
  /** Resolves the container's cgroups for this host's layout; creates nothing. */
  open(config: CgroupConfig): CgroupManager;
  /** A manager for the cgroups recorded in state.json. */
  reopen(cgroups: RecordedCgroups): CgroupManager;
}

/**
 * Everything an operation waits for. The CLI's host (sync-waits.ts) blocks, as a one-call process
 * may; the API's (async-waits.ts) waits on the event loop. Operations `yield*` these (effect.ts).
 */
export interface HostWaits {
  /** flock() on `dir`, exclusive or shared, once it is free: the fd holding it (closing it releases). ENOENT: no such directory. */
  lock(dir: string, exclusive: boolean): Effect<number>;
  /** Releases a lock lock() took. */
  unlock(fd: number): void;
  /** The next datagram of the init on the sync socket. */
  receive(syncFd: number, maxBytes: number): Effect<InitMessage>;
  /** Starts the init helper (the addon's spawnInit: clone() and the id maps). */
  spawnInit(request: SpawnRequest): Effect<{ pid: number; syncFd: number }>;
  /** Moves `pid` into the container's cgroup (CgroupManager.join). */
  joinCgroup(cgroup: CgroupManager, pid: number): Effect<void>;
  /** A hook program run to completion. */
  run(program: ProgramRun): Effect<ProgramResult>;
  /**
   * Returns once something the caller polls for may have changed: `fd` readable or `pid` exited
   * (the asynchronous host watches them), or after `pollMs` (the blocking host just sleeps that
   * long). The caller looks again either way.
   */
  idle(pollMs: number, watch: { fd?: number; pid?: number }): Effect<void>;
  /**
   * A point between two long synchronous stretches of an operation (planning, then the clone and
   * its records): nothing for the blocking host; the API's lets other work have a turn of the loop.
   */
  letOthersRun(): Effect<void>;
}

export interface Host {
  readonly fs: HostFiles;
  readonly proc: HostProcesses;
  readonly clock: Clock;
  readonly freezer: HostFreezer;
  readonly cgroups: HostCgroups;
  readonly waits: HostWaits;
  /** The addon (native/addon); the real host loads it on first use. */
  readonly addon: NativeAddon;
}

/** The host without the cgroup drivers: what finding a container and deriving its status need (`state`, `list`). */
export type LookupHost = Omit<Host, 'cgroups'>;
