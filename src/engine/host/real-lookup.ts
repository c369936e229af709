/**
 * The real host's parts that `state` and `list` need too, so they load no cgroup driver (and
 * node:os and node:child_process only when asked): see real.ts for the whole host.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { caller } from '../caller';
import { reopenCgroupManager } from '../cgroups';
import type { CgroupManager, RecordedCgroups } from '../cgroups/manager';
import { type NativeAddon, native } from '../native';
import { sleepSync } from '../sleep';
import { blockingWaits } from './sync-waits';
import type { Clock, HostFiles, HostFreezer, HostProcesses, LookupHost, ProcessStat, ProgramResult, ProgramRun } from './host';

export const realFiles: HostFiles = {
  readText: (file) => fs.readFileSync(file, 'utf8'),
  writeText: (file, content, mode) => fs.writeFileSync(file, content, { mode }),
  append: (file, content, mode) => fs.appendFileSync(file, content, { mode }),
  rename: (from, to) => fs.renameSync(from, to),
  mkdir: (dir, mode, recursive) => void fs.mkdirSync(dir, { mode, recursive }),
  chmod: (file, mode) => fs.chmodSync(file, mode),
  remove: (file) => fs.rmSync(file, { recursive: true, force: true }),
  unlink: (file) => fs.unlinkSync(file),
  exists: (file) => fs.existsSync(file),
  isDirectory(file) {
    try {
      return fs.statSync(file).isDirectory();
    } catch {
      return undefined;
    }
  },
  isSymbolicLink(file) {
    try {
      return fs.lstatSync(file).isSymbolicLink();
    } catch {
      return undefined;
    }
  },
  realpath: (file) => fs.realpathSync(file),
  listDirectories: (dir) =>
    fs
      .readdirSync(dir, { withFileTypes: true })
      .filter((e) => e.isDirectory())
      .map((e) => e.name)
      .sort(),
  open: (file, flags) => fs.openSync(file, flags),
  read: (fd, buffer) => fs.readSync(fd, buffer, 0, buffer.length, null),
  write: (fd, data) => void fs.writeSync(fd, data),
  close: (fd) => fs.closeSync(fd),
};

function readStat(pid: number): ProcessStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields restart after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: Number(fields[19]) };
}

/** A hook's output only goes into an error message: its first 16 KiB are enough. */
function readHead(fd: number): Buffer {
  const buffer = Buffer.alloc(16 * 1024);
  return buffer.subarray(0, fs.readSync(fd, buffer, 0, buffer.length, 0));
}

/**
 * Where a program run writes its stdout and stderr. Files, not pipes: we wait for the program to
 * exit, not for a daemon it started to close its stdout.
 */
export interface ProgramOutput {
  stdout: number;
  stderr: number;
  /** The result of a run that ended with this status, or `error` (spawn's: ENOENT, ETIMEDOUT...). */
  result(status: number | null, signal: string | null, error: Error | undefined): ProgramResult;
  close(): void;
}

export function programOutput(): ProgramOutput {
  const os = require('node:os') as typeof import('node:os');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-hook-'));
  const stdout = fs.openSync(path.join(dir, 'stdout'), 'w+');
  const stderr = fs.openSync(path.join(dir, 'stderr'), 'w+');
  return {
    stdout,
    stderr,
    result: (status, signal, error) => ({
      status,
      signal,
      errorCode: error === undefined ? undefined : ((error as NodeJS.ErrnoException).code ?? error.message),
      stdout: readHead(stdout),
      stderr: readHead(stderr),
    }),
    close() {
      fs.closeSync(stdout);
      fs.closeSync(stderr);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

function runProgram(program: ProgramRun): ProgramResult {
  const { spawnSync } = require('node:child_process') as typeof import('node:child_process');
  const output = programOutput();
  try {
    const result = spawnSync(program.path, program.args, {
      argv0: program.argv0,
      env: program.env,
      input: program.stdin,
      timeout: program.timeoutMs,
      killSignal: 'SIGKILL',
      stdio: ['pipe', output.stdout, output.stderr],
    });
    return output.result(result.status, result.signal, result.error);
  } finally {
    output.close();
  }
}

export const realProcesses: HostProcesses = {
  self: process.pid,
  stat: readStat,
  signal(pid, signal) {
    try {
      process.kill(pid, signal);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ESRCH') throw e;
    }
  },
  namespace(pid, file) {
    try {
      return fs.readlinkSync(`/proc/${pid}/ns/${file}`);
    } catch {
      return undefined;
    }
  },
  mountInfo: () => fs.readFileSync('/proc/self/mountinfo', 'utf8'),
  setOomScoreAdj: (pid, value) => fs.writeFileSync(`/proc/${pid}/oom_score_adj`, String(value)),
  ownOomScoreAdj: () => Number(fs.readFileSync('/proc/self/oom_score_adj', 'utf8').trim()),
  caller,
  userName() {
    try {
      return (require('node:os') as typeof import('node:os')).userInfo().username;
    } catch {
      return '';
    }
  },
  run: runProgram,
};

export const realClock: Clock = { now: () => Date.now(), sleep: sleepSync };

/**
 * The freezer is each driver's own (v1 freezer.state, v2 cgroup.freeze); reopening one reads
 * nothing. Imported, not required on first use: the Node API runs these modules from their
 * sources too, where a lazy require() of a TypeScript module cannot resolve.
 */
function recordedDriver(cgroups: RecordedCgroups): CgroupManager {
  return reopenCgroupManager(cgroups);
}

export const realFreezer: HostFreezer = {
  isFrozen: (cgroups) => recordedDriver(cgroups).frozen(),
  setFrozen: (cgroups, frozen) => recordedDriver(cgroups).freeze(frozen),
};

/** The addon is loaded on first use: `state` and `list` never need it. */
export const realWaits = blockingWaits({
  fs: realFiles,
  proc: realProcesses,
  clock: realClock,
  get addon(): NativeAddon {
    return native();
  },
});

export const realLookupHost: LookupHost = {
  fs: realFiles,
  proc: realProcesses,
  clock: realClock,
  freezer: realFreezer,
  waits: realWaits,
  get addon(): NativeAddon {
    return native();
  },
};
