import * as fs from 'node:fs';

import { reopenCgroupManager } from '../cgroups';
import { CistaError, ContainerStateError } from '../errors';
import { initHelperPath, native } from '../native';
import { buildExecPlan } from '../plan/exec';
import { NAMESPACE_FILES } from '../plan/namespaces';
import { OWN_STDIO, type StdioFds, encodePlan } from '../plan/plan';
import { awaitReady, sendPlan } from '../process/channel';
import { checkPidFile, checkPreserveFds, writePidFile } from '../process/caller-files';
import { sendConsoleToSocket } from '../process/console';
import { waitInForeground } from '../process/foreground';
import { checkConfigPart, readJsonDocument, validateSpecObject } from '../spec/load';
import type { Process, Spec } from '../spec/schema';
import { checkProcess } from '../spec/semantic';
import { rejectUnsupported } from '../spec/unsupported';
import { NAMESPACE_TYPES, type NamespaceType } from '../spec/vocabulary';
import { compileSeccompInto } from './compile-seccomp';
import { withContainer } from './lookup';

export interface ExecOptions {
  root: string;
  id: string;
  /** --process: a JSON file with an OCI process object; the flags below then do not apply. */
  processFile?: string;
  /** The command and its arguments (without --process). */
  args: string[];
  cwd?: string;
  /** NAME=value entries added to (or replacing those of) the container's environment. */
  env: string[];
  user?: { uid: number; gid?: number };
  additionalGids: number[];
  /** Capabilities added to the bounding, effective and permitted sets. */
  capabilities: string[];
  noNewPrivileges: boolean;
  tty: boolean;
  detach: boolean;
  pidFile?: string;
  consoleSocket?: string;
  preserveFds: number;
  /** The fds that become the process's stdin, stdout and stderr; default: ours. */
  stdio?: StdioFds;
}

/** An exec'd process that runs: its host pid, and its pty master when it has a terminal and no console socket. */
export interface StartedExec {
  pid: number;
  consoleFd: number | null;
}

/** The container's process as `exec` without --process starts from it, with the flags applied (runc's rules). */
function processFromFlags(defaults: Process | null, options: ExecOptions): Process {
  if (options.args.length === 0) throw new CistaError('exec: missing the command to run (or --process)');
  const base: Process = defaults ?? { cwd: '/' };
  const env = [...(base.env ?? [])];
  for (const entry of options.env) {
    const name = entry.split('=')[0];
    const existing = env.findIndex((e) => e.split('=')[0] === name);
    if (existing >= 0) env[existing] = entry;
    else env.push(entry);
  }
  const user = { ...(base.user ?? { uid: 0, gid: 0 }) };
  if (options.user !== undefined) {
    user.uid = options.user.uid;
    user.gid = options.user.gid ?? user.gid;
  }
  if (options.additionalGids.length > 0) user.additionalGids = options.additionalGids;
  const capabilities = { ...(base.capabilities ?? {}) };
  if (options.capabilities.length > 0) {
    for (const set of ['bounding', 'effective', 'permitted'] as const) {
      capabilities[set] = [...new Set([...(capabilities[set] ?? []), ...options.capabilities])];
    }
  }
  return {
    ...base,
    args: options.args,
    env,
    cwd: options.cwd ?? base.cwd,
    user,
    capabilities,
    terminal: options.tty,
    noNewPrivileges: options.noNewPrivileges || base.noNewPrivileges === true,
    // The container's console size belongs to its own terminal.
    consoleSize: undefined,
  };
}

/** Checks an exec process as create checks config.json's /process; errors name `label` (a --process file). */
function validateProcess(ociVersion: string, process: unknown, label: string): Process {
  return checkConfigPart('/process', label, () => {
    const spec = validateSpecObject({ ociVersion, process }) as Spec;
    checkProcess(spec);
    rejectUnsupported(spec);
    return spec.process!;
  });
}

/** The init's namespaces that are not the runtime's own: the ones an exec'd process joins. */
function containerNamespaces(initPid: number): Array<{ type: NamespaceType; path: string }> {
  const joined: Array<{ type: NamespaceType; path: string }> = [];
  for (const type of NAMESPACE_TYPES) {
    const file = NAMESPACE_FILES[type];
    const theirs = `/proc/${initPid}/ns/${file}`;
    let differs: boolean;
    try {
      differs = fs.readlinkSync(theirs) !== fs.readlinkSync(`/proc/self/ns/${file}`);
    } catch {
      continue; // A namespace type this kernel does not have.
    }
    if (differs) joined.push({ type, path: theirs });
  }
  return joined;
}

/**
 * Starts a process in a created or running container, like `runc exec`: the init helper joins the
 * container's namespaces and cgroup and execs the process; returns once it runs. The caller is its
 * parent and must reap it.
 */
export function startExec(options: ExecOptions): StartedExec {
  if (options.pidFile !== undefined) checkPidFile(options.pidFile);
  checkPreserveFds(options.preserveFds);
  const started = withContainer(options.root, options.id, false, ({ dir, record, status }) => {
    if (status !== 'created' && status !== 'running') throw new ContainerStateError(`cannot exec in a ${status} container`, status);
    const execProcess =
      options.processFile !== undefined
        ? validateProcess(record.ociVersion, readJsonDocument(options.processFile, options.processFile), options.processFile)
        : validateProcess(record.ociVersion, processFromFlags(record.exec.process, options), 'exec');
    if (execProcess.terminal === true && options.detach && options.consoleSocket === undefined) {
      throw new CistaError('exec: a detached process with a terminal needs --console-socket');
    }
    if (execProcess.terminal !== true && options.consoleSocket !== undefined) {
      throw new CistaError('--console-socket needs a terminal (--tty, or terminal in the process)');
    }
    const planned = buildExecPlan(execProcess, {
      namespaces: containerNamespaces(record.init.pid),
      sessionKeyring: record.exec.sessionKeyring,
      seccomp: record.exec.seccomp,
    });
    compileSeccompInto(planned.plan, planned.seccomp);
    const encodedPlan = encodePlan(planned.plan);
    const cgroup = record.cgroup === null ? undefined : reopenCgroupManager(record.cgroup.driver, record.cgroup.paths);

    const stateDirFd = native().openPath(dir);
    let spawned: { pid: number; syncFd: number };
    try {
      spawned = native().spawnInit({
        initPath: initHelperPath(),
        cloneFlags: 0,
        cloneJoins: planned.cloneJoins,
        idMaps: null,
        preserveFds: options.preserveFds,
        planBytes: encodedPlan.length,
        stateDirFd,
        stdio: options.stdio ?? OWN_STDIO,
      });
    } finally {
      fs.closeSync(stateDirFd);
    }
    try {
      cgroup?.join(spawned.pid);
      sendPlan(spawned.syncFd, encodedPlan);
      return { pid: spawned.pid, consoleFd: awaitReady(spawned.syncFd, 'exec failed').consoleFd };
    } catch (e) {
      try {
        process.kill(spawned.pid, 'SIGKILL');
      } catch {
        // Already gone.
      }
      native().reapChild(spawned.pid);
      throw e;
    } finally {
      fs.closeSync(spawned.syncFd);
    }
  });

  if (started.consoleFd !== null && options.consoleSocket !== undefined) {
    sendConsoleToSocket(started.consoleFd, options.consoleSocket);
    started.consoleFd = null;
  }
  if (options.pidFile !== undefined) writePidFile(options.pidFile, started.pid);
  return started;
}

/**
 * `runc exec`: detached, returns 0 once the process runs (the caller, a shim or conmon, reaps it); in
 * the foreground, returns its exit status.
 */
export async function execInContainer(options: ExecOptions): Promise<number> {
  const started = startExec(options);
  if (options.detach) return 0;
  return waitInForeground(started.pid, started.consoleFd);
}
