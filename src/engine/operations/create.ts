import * as path from 'node:path';

import { type DeviceRule, defaultAllowedDevices } from '../cgroups';
import { NoCgroupManager } from '../cgroups/none';
import { CistaError, ConfigError, ContainerExistsError, errnoText } from '../errors';
import { type Warn, hookState, runHooks, runHooksWarning } from '../hooks/run';
import { hostSecurityModules } from '../lsm';
import { type Effect, runSync } from '../host/effect';
import type { Host } from '../host/host';
import { realHost } from '../host/real';
import { checkIntelRdt } from '../intel-rdt';
import { type NetDeviceMove, checkHostHasNetDevices, moveNetDevicesIn, planNetDevices } from '../net-devices';
import { initHelperPath } from '../native';
import { buildLaunchPlan } from '../plan/build';
import { OWN_STDIO, type StdioFds, encodePlan } from '../plan/plan';
import { awaitReady, sendPlan } from '../process/channel';
import { checkPidFile, checkPreserveFds, writePidFile } from '../process/caller-files';
import { sendConsoleToSocket } from '../process/console';
import { sendToSeccompListener } from '../process/seccomp-listener';
import { unprivilegedOnHost } from '../caller';
import { checkRootlessConfig, spawnFailureHint } from '../rootless';
import { recordHostMounts } from '../rootfs/host-mounts';
import { MountIdmapper } from '../rootfs/idmapped-mounts';
import { refuseCapabilitiesOutsideBoundingSet } from '../check/bounding-set';
import { checkRootfs } from '../rootfs/root-path';
import { loadSpec, validateSpecObject } from '../spec/load';
import { unknownPropertyWarnings } from '../spec/unknown-properties';
import type { Spec } from '../spec/schema';
import { checkSemantics } from '../spec/semantic';
import { rejectUnsupported } from '../spec/unsupported';
import { type OwnedResources, appendJournal } from '../state/journal';
import { withContainerLock } from '../state/lock';
import { identityOf } from '../state/status';
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
  /** --debug: what cista chose where a config or the host left it a choice (rootless cgroups, labels ignored). */
  debug?: (message: string) => void;
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

/**
 * Device rules need a devices cgroup (v1) or a BPF program (v2, CAP_SYS_ADMIN on the host): a
 * rootless caller's failures there are ignored, as runc's rootless cgroup manager ignores them.
 */
function devicesRefused(debug: (message: string) => void): (error: unknown) => void {
  return (error) => debug(`rootless: device rules not applied: ${errnoText(error)}`);
}

/**
 * process.oomScoreAdj on the init. Lowering it below cista's own needs CAP_SYS_RESOURCE, which a
 * rootless caller (or root without it in its bounding set) lacks: as in runc, raising is fine, and
 * the error says what value works.
 */
function setOomScoreAdj(host: Host, pid: number, value: number): void {
  try {
    host.proc.setOomScoreAdj(pid, value);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EACCES') throw new CistaError(`setting process.oomScoreAdj to ${value}: ${errnoText(e)}`);
    const own = host.proc.ownOomScoreAdj();
    throw new ConfigError(
      '/process/oomScoreAdj',
      `lowering it to ${value} needs CAP_SYS_RESOURCE on the host, which cista (oom_score_adj ${own}) lacks: use a value of at least ${own}`,
    );
  }
}

/**
 * Creates a container and leaves its init waiting on the exec fifo. Everything that can be checked
 * is checked before the host is touched; after that, any failure tears down what was made.
 */
export function* createSteps(options: CreateOptions, host: Host): Effect<CreatedContainer> {
  validateContainerId(options.id);
  const dir = containerDir(options.root, options.id);
  const bundle = options.spec === undefined ? path.resolve(options.bundle ?? '.') : dir;
  const { spec, raw } = options.spec === undefined ? loadSpec(host.fs, bundle) : { spec: validateSpecObject(options.spec), raw: options.spec as unknown };
  if (options.spec !== undefined && spec.root !== undefined && !path.isAbsolute(spec.root.path)) {
    throw new ConfigError('/root/path', 'must be absolute when the config is given without a bundle');
  }
  checkSemantics(spec);
  rejectUnsupported(spec);
  refuseCapabilitiesOutsideBoundingSet(spec.process);
  const who = host.proc.caller();
  checkRootlessConfig(spec, who, () => host.fs.readText('/proc/self/limits'));
  if (options.pidFile !== undefined) checkPidFile(host.fs, options.pidFile);
  checkPreserveFds(host.fs, options.preserveFds ?? 0);
  checkIntelRdt(spec.linux?.intelRdt, host.proc.mountInfo());
  const terminal = spec.process?.terminal === true;
  if (terminal && options.consoleSocket === undefined && !options.attachConsole) {
    throw new ConfigError('/process/terminal', 'a terminal needs --console-socket when cista detaches');
  }
  if (!terminal && options.consoleSocket !== undefined) {
    throw new CistaError('--console-socket needs process.terminal set in config.json');
  }

  const debug = options.debug ?? (() => {});
  const rootless = unprivilegedOnHost(who);
  const cgroup = host.cgroups.open({
    containerId: options.id,
    cgroupsPath: spec.linux?.cgroupsPath,
    systemd: options.systemdCgroup === true,
    rootless: rootless ? { uid: who.uid } : undefined,
  });
  if (cgroup instanceof NoCgroupManager) debug('rootless: the caller cannot create the container\'s cgroups and the config names no cgroupsPath: running without cgroups');
  const devices = deviceRules(spec);
  const resources = cgroup.planResources(spec.linux?.resources);
  const planned = buildLaunchPlan(spec, {
    containerId: options.id,
    bundle,
    noPivot: options.noPivot === true,
    noNewKeyring: options.noNewKeyring === true,
    host: { isDirectory: (file) => host.fs.isDirectory(file), securityModules: hostSecurityModules(host.fs) },
    caller: who,
    debug,
    cgroupMount: cgroup.mountLayout(),
  });
  checkRootfs(host.fs, bundle, spec.root?.path ?? '', planned.rootfs);
  compileSeccompInto(host.addon, planned.plan, planned.seccomp);
  const encodedPlan = encodePlan(planned.plan);
  const hostMounts = planned.plan.rootfs?.ownMountNamespace === false ? recordHostMounts(host, planned.rootfs) : undefined;
  const netDevices = planNetDevices(spec, dir);
  if (netDevices !== null) checkHostHasNetDevices(host.fs, netDevices);
  // Once the config is known to be good: a refused config gets its one error line only.
  for (const warning of unknownPropertyWarnings(raw)) options.warn?.(warning);
  yield* host.waits.letOthersRun();

  makeRootDirectory(host.fs, options.root);
  try {
    host.fs.mkdir(dir, 0o711);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new ContainerExistsError(options.id);
    throw e;
  }
  // The directory is ours: a failure before the lock is held removes it; after, the catch below does.
  let locked = false;
  try {
    host.fs.chmod(dir, 0o711);
    return yield* withContainerLock(host, dir, true, function* () {
      locked = true;
      const record: ContainerRecord = {
        ociVersion: spec.ociVersion,
        id: options.id,
        phase: 'creating',
        init: { pid: 0, startTime: 0 },
        creator: identityOf(host.proc, host.proc.self),
        bundle,
        rootfs: planned.rootfs,
        created: new Date(host.clock.now()).toISOString(),
        owner: host.proc.userName(),
        annotations: spec.annotations ?? {},
        cgroup: cgroup.record(),
        exec: {
          process: spec.process ?? null,
          seccomp: spec.linux?.seccomp ?? null,
          sessionKeyring: planned.plan.sessionKeyring,
          personality: spec.linux?.personality ?? null,
          memoryPolicy: spec.linux?.memoryPolicy ?? null,
        },
        hostMounts,
      };
      const hooks = spec.hooks ?? {};
      if ((hooks.poststart ?? []).length > 0 || (hooks.poststop ?? []).length > 0) {
        record.hooks = { poststart: hooks.poststart ?? [], poststop: hooks.poststop ?? [] };
      }
      // What the container will own is recorded before it is made (journal.ts), so that a create
      // killed at any system call leaves what delete --force removes; in memory first, so that a
      // create whose journal write fails still rolls back what it has (the init, once spawned).
      const remember = (owned: OwnedResources): void => {
        Object.assign(record, owned);
        appendJournal(host.fs, dir, owned);
        writeRecord(host.fs, dir, record);
      };
      try {
        // Before create() the cgroup's record names what it will make (the directories missing now, the
        // systemd unit); a rootless container without cgroups records none (null).
        remember({ creator: record.creator, cgroup: cgroup.record(), hostMounts });
        if (options.spec !== undefined) writeFileAtomic(host.fs, path.join(dir, 'config.json'), JSON.stringify(spec), 0o600);
        host.addon.makeFifo(path.join(dir, EXEC_FIFO), 0o622);

        const stateDirFd = host.addon.openPath(dir);
        let spawned: { pid: number; syncFd: number };
        try {
          spawned = yield* host.waits.spawnInit({
            initPath: initHelperPath(),
            cloneFlags: planned.cloneFlags,
            cloneJoins: planned.cloneJoins,
            childJoins: planned.childJoins,
            preserveFds: options.preserveFds ?? 0,
            planBytes: encodedPlan.length,
            stateDirFd,
            idMaps: planned.idMaps,
            stdio: options.stdio ?? OWN_STDIO,
            initialCpuAffinity: null,
          });
        } catch (e) {
          // A namespace path of the wrong type, or id maps the kernel refuses: a failure of this
          // container, not of cista.
          throw new CistaError(`starting the container init: ${errnoText(e)}${spawnFailureHint(e as NodeJS.ErrnoException, planned.cloneFlags, who)}`);
        } finally {
          host.fs.close(stateDirFd);
        }
        let consoleFd: number | null;
        const idmapper = new MountIdmapper(host, planned.idmappedMounts);
        // The init's pid changes once if it forks into namespaces it made late (SyncTag.Forked).
        let initPid = spawned.pid;
        const rememberInit = (pid: number): void => {
          initPid = pid;
          remember({ init: identityOf(host.proc, pid) });
        };
        try {
          // A create killed before this line leaves an init that exits by itself: it reads EOF on the sync socket.
          rememberInit(spawned.pid);
          if (planned.oomScoreAdj !== null) setOomScoreAdj(host, spawned.pid, planned.oomScoreAdj);
          yield* host.waits.letOthersRun();
          // In its cgroup before it reads the plan, so it unshares its cgroup namespace from there.
          try {
            cgroup.create(spawned.pid, devices, resources, rootless ? devicesRefused(debug) : undefined);
            yield* host.waits.joinCgroup(cgroup, spawned.pid);
          } finally {
            // Narrowed to what create() made: a parent another runtime made meanwhile is not ours.
            remember({ cgroup: cgroup.record() });
          }
          sendPlan(host, spawned.syncFd, encodedPlan);
          const listener = planned.seccomp?.listener ?? null;
          const firstInit = spawned.pid;
          try {
            consoleFd = (yield* awaitReady(host, spawned.syncFd, 'container init failed', {
              // With a new time namespace, or a new pid namespace in a joined user namespace, the
              // container's init is a clone of the first one (already in the cgroup, so a create
              // killed before this line still leaves nothing running).
              forked: rememberInit,
              namespacesMade: () => {
                if (netDevices === null) return;
                // Each device is remembered before it moves, and forgotten again when the move fails:
                // teardown must move back only what is ours, not a device of a joined namespace that
                // already had the name.
                const moved: NetDeviceMove[] = [];
                moveNetDevicesIn(host, netDevices, initPid, {
                  pinning: () => remember({ netDevices: { ...netDevices, devices: [] } }),
                  moving: (device) => remember({ netDevices: { ...netDevices, devices: [...moved, device] } }),
                  moved: (device) => moved.push(device),
                  failed: () => remember({ netDevices: { ...netDevices, devices: moved } }),
                });
              },
              // The init stops before pivot_root for these; the status they see is the one the container
              // has once create returns (runtime-tools expects "created"; runc passes "creating").
              *runHooks() {
                const state = hookState(record, 'created', initPid);
                yield* runHooks(host.waits, 'prestart', hooks.prestart ?? [], state);
                yield* runHooks(host.waits, 'createRuntime', hooks.createRuntime ?? [], state);
                return JSON.stringify(state);
              },
              idmapMount: (stepIndex, mountFd) => idmapper.idmap(stepIndex, mountFd),
              ...(listener !== null
                ? { seccompListener: (fd: number) => sendToSeccompListener(host.addon, listener, fd, initPid, hookState(record, 'creating', initPid)) }
                : {}),
            })).consoleFd;
          } finally {
            if (initPid !== firstInit) host.addon.reapChild(firstInit);
          }
        } finally {
          host.fs.close(spawned.syncFd);
          idmapper.close();
        }
        try {
          if (consoleFd !== null && options.consoleSocket !== undefined) {
            const masterFd = consoleFd;
            consoleFd = null;
            sendConsoleToSocket(host, masterFd, options.consoleSocket);
          }
          record.phase = 'created';
          writeRecord(host.fs, dir, record);
          if (options.pidFile !== undefined) writePidFile(host.fs, options.pidFile, initPid);
        } catch (e) {
          if (consoleFd !== null) host.fs.close(consoleFd);
          throw e;
        }
        return { id: options.id, pid: initPid, dir, consoleFd };
      } catch (e) {
        // The record in memory is the newest (state.json may not have the init yet).
        yield* teardownContainer(host, dir, record);
        // The spec's lifecycle goes on with destroy and poststop after a failed create hook; runc runs
        // them after any failed create, and so do we.
        yield* runHooksWarning(host.waits, 'poststop', hooks.poststop ?? [], hookState(record, 'stopped', undefined), options.warn ?? (() => {}));
        throw e;
      }
    }, () => {
      throw new CistaError(`container ${options.id} was deleted while it was being created`);
    });
  } catch (e) {
    if (!locked) yield* teardownContainer(host, dir, {});
    throw e;
  }
}

export function createContainer(options: CreateOptions, host: Host = realHost): CreatedContainer {
  return runSync(createSteps(options, host));
}
