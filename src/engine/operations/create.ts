import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { type DeviceRule, defaultAllowedDevices, openCgroupManager } from '../cgroups';
import { CistaError, ConfigError, ContainerExistsError } from '../errors';
import { type Warn, hookState, runHooks, runHooksWarning } from '../hooks/run';
import { native, initHelperPath } from '../native';
import { buildLaunchPlan } from '../plan/build';
import { MS_RDONLY } from '../plan/mount-flags';
import { OWN_STDIO, type StdioFds, encodePlan } from '../plan/plan';
import { awaitReady, sendPlan } from '../process/channel';
import { checkPidFile, checkPreserveFds, writePidFile } from '../process/caller-files';
import { sendConsoleToSocket } from '../process/console';
import { recordHostMounts } from '../rootfs/host-mounts';
import { checkRootfs } from '../rootfs/root-path';
import { loadSpec, validateSpecObject } from '../spec/load';
import type { Spec } from '../spec/schema';
import { checkSemantics } from '../spec/semantic';
import { rejectUnsupported } from '../spec/unsupported';
import { type OwnedResources, appendJournal } from '../state/journal';
import { withContainerLock } from '../state/lock';
import { startTimeOf } from '../state/process';
import { type ContainerRecord, EXEC_FIFO, containerDir, makeRootDirectory, validateContainerId, writeFileAtomic, writeRecord } from '../state/store';
import { compileSeccompInto } from './compile-seccomp';
import { teardownContainer } from './teardown';

export interface CreateOptions {
  root: string;
  id: string;
  /** The bundle directory; with `spec`, none: the state directory becomes the bundle and gets its config.json. */
  bundle?: string;
  /** A config given as an object (the API's bundle-less create): its root.path must be absolute. */
  spec?: unknown;
  /** The fds that become the container process's stdin, stdout and stderr; default: ours. */
  stdio?: StdioFds;
  pidFile?: string;
  consoleSocket?: string;
  noPivot?: boolean;
  noNewKeyring?: boolean;
  preserveFds?: number;
  systemdCgroup?: boolean;
  /** `run` in the foreground: a terminal's pty master comes back to the caller instead of a console socket. */
  attachConsole?: boolean;
  /** Where poststop hooks that fail while a failed create is rolled back are reported. */
  warn?: Warn;
}

export interface CreatedContainer {
  id: string;
  pid: number;
  dir: string;
  /** The pty master, with attachConsole and process.terminal. */
  consoleFd: number | null;
}

/** The cgroup device rules of a config: its own rules, one allowing each configured device, then runc's defaults. */
function deviceRules(spec: Spec): DeviceRule[] {
  const rules: DeviceRule[] = (spec.linux?.resources?.devices ?? []).map((d) => ({
    allow: d.allow,
    type: (d.type ?? 'a') as DeviceRule['type'],
    major: d.major === undefined ? null : Number(d.major),
    minor: d.minor === undefined ? null : Number(d.minor),
    access: d.access ?? 'rwm',
  }));
  for (const d of spec.linux?.devices ?? []) {
    if (d.type === 'b' || d.type === 'c' || d.type === 'u') {
      rules.push({ allow: true, type: d.type === 'b' ? 'b' : 'c', major: Number(d.major ?? 0), minor: Number(d.minor ?? 0), access: 'rwm' });
    }
  }
  return [...rules, ...defaultAllowedDevices()];
}

function hostIsDirectory(hostPath: string): boolean | undefined {
  try {
    return fs.statSync(hostPath).isDirectory();
  } catch {
    return undefined;
  }
}

/** Written by the runtime, not the init: see PlannedLaunch.oomScoreAdj. */
function writeOomScoreAdj(pid: number, value: number): void {
  try {
    fs.writeFileSync(`/proc/${pid}/oom_score_adj`, String(value));
  } catch (e) {
    const error = e as NodeJS.ErrnoException;
    const reason = error.code === 'EACCES' ? 'permission denied (lowering it needs CAP_SYS_RESOURCE)' : error.message;
    throw new CistaError(`setting process.oomScoreAdj to ${value}: ${reason}`);
  }
}

function ownerName(): string {
  try {
    return os.userInfo().username;
  } catch {
    return '';
  }
}

/**
 * Creates a container and leaves its init waiting on the exec fifo. Everything that can be checked
 * is checked before the host is touched; after that, any failure tears down what was made.
 */
export function createContainer(options: CreateOptions): CreatedContainer {
  validateContainerId(options.id);
  const dir = containerDir(options.root, options.id);
  const bundle = options.spec === undefined ? path.resolve(options.bundle ?? '.') : dir;
  const spec = options.spec === undefined ? loadSpec(bundle).spec : validateSpecObject(options.spec);
  if (options.spec !== undefined && spec.root !== undefined && !path.isAbsolute(spec.root.path)) {
    throw new ConfigError('config.json: /root/path: must be absolute when the config is given without a bundle');
  }
  checkSemantics(spec);
  rejectUnsupported(spec);
  if (options.pidFile !== undefined) checkPidFile(options.pidFile);
  checkPreserveFds(options.preserveFds ?? 0);
  if (options.systemdCgroup) throw new CistaError('the systemd cgroup driver is not supported yet (--systemd-cgroup)');
  const terminal = spec.process?.terminal === true;
  if (terminal && options.consoleSocket === undefined && !options.attachConsole) {
    throw new ConfigError('config.json: /process/terminal: a terminal needs --console-socket when cista detaches');
  }
  if (!terminal && options.consoleSocket !== undefined) {
    throw new CistaError('--console-socket needs process.terminal set in config.json');
  }

  const cgroup = openCgroupManager({ containerId: options.id, cgroupsPath: spec.linux?.cgroupsPath });
  const devices = deviceRules(spec);
  const resourceWrites = cgroup.planResources(spec.linux?.resources);
  const planned = buildLaunchPlan(spec, {
    containerId: options.id,
    bundle,
    noPivot: options.noPivot === true,
    noNewKeyring: options.noNewKeyring === true,
    host: { isDirectory: hostIsDirectory },
    cgroupMountSteps: (mount, flags) =>
      cgroup.mountSteps(mount.destination, {
        readonly: (flags & MS_RDONLY) !== 0,
        flags: flags & ~MS_RDONLY,
        cgroupNamespace: (spec.linux?.namespaces ?? []).some((ns) => ns.type === 'cgroup'),
      }),
  });
  checkRootfs(bundle, spec.root?.path ?? '', planned.rootfs);
  compileSeccompInto(planned.plan, planned.seccomp);
  const encodedPlan = encodePlan(planned.plan);
  const hostMounts = planned.plan.rootfs?.ownMountNamespace === false ? recordHostMounts(planned.rootfs) : undefined;

  makeRootDirectory(options.root);
  try {
    fs.mkdirSync(dir, { mode: 0o711 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ContainerExistsError(options.id);
    throw e;
  }
  fs.chmodSync(dir, 0o711);

  return withContainerLock(dir, true, () => {
    const record: ContainerRecord = {
      ociVersion: spec.ociVersion,
      id: options.id,
      phase: 'creating',
      init: { pid: 0, startTime: 0 },
      creator: { pid: process.pid, startTime: startTimeOf(process.pid) ?? 0 },
      bundle,
      rootfs: planned.rootfs,
      created: new Date().toISOString(),
      owner: ownerName(),
      annotations: spec.annotations ?? {},
      cgroup: { driver: cgroup.driver, paths: cgroup.paths },
      exec: { process: spec.process ?? null, seccomp: spec.linux?.seccomp ?? null, sessionKeyring: planned.plan.sessionKeyring },
      hostMounts,
    };
    const hooks = spec.hooks ?? {};
    if ((hooks.poststart ?? []).length > 0 || (hooks.poststop ?? []).length > 0) {
      record.hooks = { poststart: hooks.poststart ?? [], poststop: hooks.poststop ?? [] };
    }
    // What the container will own is recorded before it is made (journal.ts), so that a create
    // killed at any system call leaves what delete --force removes.
    const remember = (owned: OwnedResources): void => {
      appendJournal(dir, owned);
      Object.assign(record, owned);
      writeRecord(dir, record);
    };
    try {
      const { driver, paths } = cgroup;
      remember({ creator: record.creator, cgroup: { driver, paths, created: cgroup.missingDirectories() }, hostMounts });
      if (options.spec !== undefined) writeFileAtomic(path.join(dir, 'config.json'), JSON.stringify(spec), 0o600);
      native().makeFifo(path.join(dir, EXEC_FIFO), 0o622);
      cgroup.create();
      // Narrowed to what create() made: a parent another runtime made meanwhile is not ours.
      remember({ cgroup: { driver, paths, created: cgroup.createdDirectories() } });
      cgroup.applyDevices(devices);
      cgroup.applyResources(resourceWrites);

      const stateDirFd = native().openPath(dir);
      let spawned: { pid: number; syncFd: number };
      try {
        spawned = native().spawnInit({
          initPath: initHelperPath(),
          cloneFlags: planned.cloneFlags,
          cloneJoins: planned.cloneJoins,
          preserveFds: options.preserveFds ?? 0,
          planBytes: encodedPlan.length,
          stateDirFd,
          idMaps: planned.idMaps,
          stdio: options.stdio ?? OWN_STDIO,
        });
      } catch (e) {
        // A namespace path of the wrong type, or id maps the kernel refuses: a failure of this
        // container, not of cista.
        throw new CistaError(`starting the container init: ${(e as Error).message}`);
      } finally {
        fs.closeSync(stateDirFd);
      }
      let consoleFd: number | null;
      try {
        // A create killed before this line leaves an init that exits by itself: it reads EOF on the sync socket.
        remember({ init: { pid: spawned.pid, startTime: startTimeOf(spawned.pid) ?? 0 } });
        if (planned.oomScoreAdj !== null) writeOomScoreAdj(spawned.pid, planned.oomScoreAdj);
        // In its cgroup before it reads the plan, so it unshares its cgroup namespace from there.
        cgroup.join(spawned.pid);
        sendPlan(spawned.syncFd, encodedPlan);
        // The init stops before pivot_root for these; the status they see is the one the container
        // has once create returns (runtime-tools expects "created"; runc passes "creating").
        const pid = spawned.pid;
        consoleFd = awaitReady(spawned.syncFd, 'container init failed', () => {
          const state = hookState(record, 'created', pid);
          runHooks('prestart', hooks.prestart ?? [], state);
          runHooks('createRuntime', hooks.createRuntime ?? [], state);
          return JSON.stringify(state);
        }).consoleFd;
      } finally {
        fs.closeSync(spawned.syncFd);
      }
      if (consoleFd !== null && options.consoleSocket !== undefined) {
        sendConsoleToSocket(consoleFd, options.consoleSocket);
        consoleFd = null;
      }
      record.phase = 'created';
      writeRecord(dir, record);
      if (options.pidFile !== undefined) writePidFile(options.pidFile, spawned.pid);
      return { id: options.id, pid: spawned.pid, dir, consoleFd };
    } catch (e) {
      teardownContainer(dir, record);
      // The spec's lifecycle goes on with destroy and poststop after a failed create hook; runc runs
      // them after any failed create, and so do we.
      runHooksWarning('poststop', hooks.poststop ?? [], hookState(record, 'stopped', undefined), options.warn ?? (() => {}));
      throw e;
    }
  }, () => {
    throw new CistaError(`container ${options.id} was deleted while it was being created`);
  });
}
