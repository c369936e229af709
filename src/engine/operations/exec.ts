import { CistaError, ContainerStateError, errnoText } from '../errors';
import { type Effect, runSync } from '../host/effect';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { initHelperPath } from '../native';
import { buildExecPlan } from '../plan/exec';
import { NAMESPACE_FILES } from '../plan/namespaces';
import { OWN_STDIO, type StdioFds, encodePlan } from '../plan/plan';
import { awaitReady, sendPlan } from '../process/channel';
import { checkPidFile, checkPreserveFds, writePidFile } from '../process/caller-files';
import { hostSecurityModules, processSecurity } from '../lsm';
import { unprivilegedOnHost } from '../caller';
import { sendConsoleToSocket } from '../process/console';
import { sendToSeccompListener } from '../process/seccomp-listener';
import { hookState } from '../hooks/run';
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
function containerNamespaces(host: Host, initPid: number): Array<{ type: NamespaceType; path: string }> {
  const joined: Array<{ type: NamespaceType; path: string }> = [];
  for (const type of NAMESPACE_TYPES) {
    const file = NAMESPACE_FILES[type];
    const theirs = host.proc.namespace(initPid, file);
    // undefined: a namespace type this kernel does not have.
    if (theirs !== undefined && theirs !== host.proc.namespace('self', file)) joined.push({ type, path: `/proc/${initPid}/ns/${file}` });
  }
  return joined;
}

/** Ends an exec'd process that will not be handed over; it is our child. */
function killAndReap(host: Host, pid: number): void {
  host.proc.signal(pid, 'SIGKILL');
  host.addon.reapChild(pid);
}

/**
 * Starts a process in a created or running container, like `runc exec`: the init helper joins the
 * container's namespaces and cgroup and execs the process; returns once it runs. The caller is its
 * parent and must reap it.
 */
export function* execSteps(options: ExecOptions, host: Host): Effect<StartedExec> {
  if (options.pidFile !== undefined) checkPidFile(host.fs, options.pidFile);
  checkPreserveFds(host.fs, options.preserveFds);
  const started = yield* withContainer(host, options.root, options.id, false, function* ({ dir, record, status }) {
    if (status !== 'created' && status !== 'running') throw new ContainerStateError(`cannot exec in a ${status} container`, status);
    const label = options.processFile ?? 'exec';
    const execProcess =
      options.processFile !== undefined
        ? validateProcess(record.ociVersion, readJsonDocument(host.fs, options.processFile, options.processFile), label)
        : validateProcess(record.ociVersion, processFromFlags(record.exec.process, options), label);
    if (execProcess.terminal === true && options.detach && options.consoleSocket === undefined) {
      throw new CistaError('exec: a detached process with a terminal needs --console-socket');
    }
    if (execProcess.terminal !== true && options.consoleSocket !== undefined) {
      throw new CistaError('--console-socket needs a terminal (--tty, or terminal in the process)');
    }
    // Planning checks the process's values too (a CPU list, a scheduler): errors name the --process file.
    const planned = checkConfigPart('/process', label, () =>
      buildExecPlan(
        execProcess,
        {
          namespaces: containerNamespaces(host, record.init.pid),
          sessionKeyring: record.exec.sessionKeyring,
          seccomp: record.exec.seccomp,
          personality: record.exec.personality ?? null,
          memoryPolicy: record.exec.memoryPolicy ?? null,
          // runc's exec: the process's own profile and label, or else the container's.
          security: processSecurity(
            {
              apparmorProfile: execProcess.apparmorProfile || record.exec.process?.apparmorProfile,
              selinuxLabel: execProcess.selinuxLabel || record.exec.process?.selinuxLabel,
            },
            hostSecurityModules(host.fs),
          ),
        },
        unprivilegedOnHost(host.proc.caller()),
      ),
    );
    compileSeccompInto(host.addon, planned.plan, planned.seccomp);
    const encodedPlan = encodePlan(planned.plan);
    const cgroup = record.cgroup === null ? undefined : host.cgroups.reopen(record.cgroup);

    const stateDirFd = host.addon.openPath(dir);
    let spawned: { pid: number; syncFd: number };
    try {
      spawned = yield* host.waits.spawnInit({
        initPath: initHelperPath(),
        cloneFlags: 0,
        cloneJoins: planned.cloneJoins,
        childJoins: planned.childJoins,
        idMaps: null,
        initialCpuAffinity: planned.initialCpuAffinity,
        preserveFds: options.preserveFds,
        planBytes: encodedPlan.length,
        stateDirFd,
        stdio: options.stdio ?? OWN_STDIO,
      });
    } catch (e) {
      throw new CistaError(`starting the exec'd process: ${errnoText(e)}`);
    } finally {
      host.fs.close(stateDirFd);
    }
    try {
      if (cgroup !== undefined) yield* host.waits.joinCgroup(cgroup, spawned.pid);
      sendPlan(host, spawned.syncFd, encodedPlan);
      const listener = planned.seccomp?.listener ?? null;
      const pid = spawned.pid;
      const requests =
        listener !== null
          ? { seccompListener: (fd: number) => sendToSeccompListener(host.addon, listener, fd, pid, hookState(record, status, record.init.pid)) }
          : {};
      return { pid, consoleFd: (yield* awaitReady(host, spawned.syncFd, 'exec failed', requests)).consoleFd };
    } catch (e) {
      killAndReap(host, spawned.pid);
      throw e;
    } finally {
      host.fs.close(spawned.syncFd);
    }
  });

  let consoleFd = started.consoleFd;
  try {
    if (consoleFd !== null && options.consoleSocket !== undefined) {
      const masterFd = consoleFd;
      consoleFd = null;
      sendConsoleToSocket(host, masterFd, options.consoleSocket);
    }
    if (options.pidFile !== undefined) writePidFile(host.fs, options.pidFile, started.pid);
  } catch (e) {
    // As runc: a process whose caller cannot be told about it does not stay.
    if (consoleFd !== null) host.fs.close(consoleFd);
    killAndReap(host, started.pid);
    throw e;
  }
  return { pid: started.pid, consoleFd };
}

export function startExec(options: ExecOptions, host: Host = realHost): StartedExec {
  return runSync(execSteps(options, host));
}

/**
 * `runc exec`: detached, returns 0 once the process runs (the caller, a shim or conmon, reaps it); in
 * the foreground, returns its exit status.
 */
export async function execInContainer(options: ExecOptions, host: Host = realHost): Promise<number> {
  const started = startExec(options, host);
  if (options.detach) return 0;
  return waitInForeground(host, started.pid, started.consoleFd);
}
