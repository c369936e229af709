/**
 * A recording fake of the host seam (src/engine/host/host.ts), for testing the operations without
 * root: an in-memory machine (files, fds, processes, cgroups, freezer, mounts) that logs every
 * call in order, and can make the call with a given index fail, as youki's test Syscall does.
 */
import * as path from 'node:path';

import { FifoAnswer, SyncTag } from '../../src/generated/protocol';
import type { Caller } from '../../src/engine/caller';
import type { CgroupConfig, CgroupManager, CgroupMountLayout, CgroupWrite, ContainerStats, DeviceRule, OomWatch, RecordedCgroups, ResourcePlan } from '../../src/engine/cgroups';
import { NoCgroupManager } from '../../src/engine/cgroups/none';
import type { Host, HostCgroups, HostFiles, HostFreezer, HostProcesses, HostWaits, ProcessStat, ProgramResult, ProgramRun } from '../../src/engine/host/host';
import { blockingWaits } from '../../src/engine/host/sync-waits';
import type { NativeAddon } from '../../src/engine/native';
import type { LinuxResources } from '../../src/engine/spec/schema';

export interface Effect {
  call: string;
  args: unknown[];
}

/** A Node-style system error, as the real host throws them. */
export function systemError(code: string, call: string, file?: string): NodeJS.ErrnoException {
  return Object.assign(new Error(`${code}: injected by the fake host, ${call}${file === undefined ? '' : ` '${file}'`}`), { code, syscall: call, path: file });
}

interface FakeNode {
  kind: 'dir' | 'file' | 'fifo';
  content: string;
}

interface FakeProcess {
  state: 'S' | 'Z';
  startTime: number;
  /** A child of cista's: it turns into a zombie until reaped. */
  child: boolean;
  /** Namespaces (by /proc/PID/ns file name) that differ from cista's own. */
  namespaces: string[];
}

interface FakeFd {
  kind: 'file' | 'fifo' | 'lock' | 'path' | 'sync' | 'console' | 'mount' | 'seccomp' | 'userns' | 'pidfd';
  file?: string;
  offset: number;
  /** sync: what the init still has to send. */
  messages?: string[];
  /** sync: the init at the other end (it changes with SyncTag.Forked); pidfd: its process. */
  pid?: number;
}

/** The runtime's own network namespace, as net-devices.ts names it. */
const RUNTIME_NETNS = '/proc/thread-self/ns/net';

/** The messages an init sends with an fd attached (SCM_RIGHTS), and what that fd is. */
const MESSAGE_FDS: Partial<Record<string, FakeFd['kind']>> = {
  [SyncTag.Console]: 'console',
  [SyncTag.IdmapMount]: 'mount',
  [SyncTag.SeccompListener]: 'seccomp',
};

/** Calls that only look: they report absence instead of failing. */
const LOOKS = new Set(['fs.exists', 'fs.isDirectory', 'fs.isSymbolicLink', 'proc.stat', 'proc.namespace', 'proc.userName', 'proc.caller', 'clock.now', 'clock.sleep', 'freezer.isFrozen']);

/** Calls that do not fail: close(2) releases the fd even when it reports an error; reaping an exited child. */
export const NEVER_FAIL = new Set([...LOOKS, 'fs.close', 'addon.reapChild']);

/** Calls that change nothing: left out of changes(). */
const QUIET = new Set([
  ...LOOKS,
  'cgroups.open',
  'cgroups.reopen',
  'fs.readText',
  'fs.realpath',
  'fs.listDirectories',
  'fs.open',
  'fs.read',
  'fs.close',
  'proc.mountInfo',
  'proc.ownOomScoreAdj',
  'cgroup.pids',
  'addon.openPath',
  'addon.receiveMessage',
  'addon.compileSeccompFilter',
]);

function notAnOperationCall(name: string): never {
  throw new Error(`fake host: addon.${name} is not part of the operations`);
}

export class FakeHost implements Host {
  /** Every call, in order. */
  readonly effects: Effect[] = [];
  /** The call with this index in `effects` fails with EIO (unless it is one that cannot fail). */
  failAt: number | undefined;

  readonly nodes = new Map<string, FakeNode>();
  readonly fdTable = new Map<number, FakeFd>();
  readonly processes = new Map<number, FakeProcess>();
  readonly cgroupDirs = new Set<string>();
  readonly cgroupMembers = new Map<string, Set<number>>();
  readonly frozen = new Set<string>();
  readonly mounts: Array<{ id: number; mountPoint: string }> = [{ id: 1, mountPoint: '/' }];
  /** Network devices by the namespace (path) they are in. */
  readonly netDevices = new Map<string, Set<string>>([[RUNTIME_NETNS, new Set()]]);
  /** What a spawned init sends on its sync socket (SyncTag.RunHooks asks for the create-time hooks). */
  initMessages: string[] = [SyncTag.Ready];
  /** What a spawned init's namespaces are (those that differ from cista's). */
  initNamespaces: string[] = ['mnt', 'pid', 'uts', 'ipc', 'net'];
  /** Where a spawned init mounts in the host's mount table (a container without a mount namespace binds its rootfs there). */
  initMountsAt: string | undefined;
  /** What `start` reads from the exec fifo: FifoAnswer.Started, or FifoAnswer.Refused and why. */
  fifoAnswer: string = FifoAnswer.Started;
  /** Exit statuses of hook programs by path (0 when absent). */
  readonly hookStatus = new Map<string, number>();
  stdin = '';
  /** Who runs cista: root of the host's user namespace unless a test says otherwise. */
  who: Caller = { uid: 0, gid: 0, rootlessEuid: false, inUserNamespace: false };
  /** Whether a rootless caller may create its container's cgroups (a delegated subtree). */
  userCgroupsWritable = false;
  ownOomScore = 0;
  private clockMs = Date.UTC(2026, 11, 1);
  private nextPid = 4000;
  private nextFd = 100;

  constructor() {
    for (const dir of ['/', '/run', '/tmp', '/sys/fs/cgroup']) this.makeDirectory(dir);
    this.cgroupDirs.add('/sys/fs/cgroup');
    this.processes.set(1000, { state: 'S', startTime: 50, child: false, namespaces: [] });
  }

  /** The calls that change something, as "call first-argument", in order. */
  changes(): string[] {
    return this.effects.filter((e) => !QUIET.has(e.call)).map((e) => `${e.call} ${describe(e.args[0])}`.trim());
  }

  /** Everything that can be left behind, for comparing the machine before and after. */
  snapshot(): unknown {
    return {
      nodes: [...this.nodes.entries()].sort(([a], [b]) => a.localeCompare(b)),
      fds: [...this.fdTable.entries()],
      processes: [...this.processes.entries()],
      cgroups: [...this.cgroupDirs].sort(),
      members: [...this.cgroupMembers.entries()].map(([dir, pids]) => [dir, [...pids]]).filter(([, pids]) => pids.length > 0),
      frozen: [...this.frozen],
      mounts: [...this.mounts],
      netDevices: [...this.netDevices.entries()].map(([netns, names]) => [netns, [...names].sort()]).filter(([, names]) => names.length > 0),
    };
  }

  /** A network device of the host's, e.g. one end of a veth. */
  addNetDevice(name: string): void {
    this.netDevices.get(RUNTIME_NETNS)!.add(name);
    this.writeFile(`/sys/class/net/${name}`, '');
  }

  writeFile(file: string, content: string): void {
    this.makeDirectory(path.dirname(file));
    this.nodes.set(file, { kind: 'file', content });
  }

  readFile(file: string): string | undefined {
    return this.nodes.get(file)?.content;
  }

  /** A process that is not cista's child, e.g. another container's init. */
  addProcess(pid: number, startTime: number): void {
    this.processes.set(pid, { state: 'S', startTime, child: false, namespaces: this.initNamespaces });
  }

  /** mkdir -p, outside the log. */
  makeDirectory(dir: string): void {
    for (let d = dir; !this.nodes.has(d); d = path.dirname(d)) this.nodes.set(d, { kind: 'dir', content: '' });
  }

  private effect<T>(call: string, args: unknown[], run: () => T): T {
    const index = this.effects.length;
    this.effects.push({ call, args });
    if (index === this.failAt && !NEVER_FAIL.has(call)) throw systemError('EIO', call, typeof args[0] === 'string' ? args[0] : undefined);
    return run();
  }

  private node(file: string, call: string): FakeNode {
    const node = this.nodes.get(file);
    if (node === undefined) throw systemError('ENOENT', call, file);
    return node;
  }

  private parentDir(file: string, call: string): void {
    if (this.nodes.get(path.dirname(file))?.kind !== 'dir') throw systemError('ENOENT', call, file);
  }

  private openFd(fd: FakeFd): number {
    const n = this.nextFd++;
    this.fdTable.set(n, fd);
    return n;
  }

  private fd(n: number, call: string): FakeFd {
    const fd = this.fdTable.get(n);
    if (fd === undefined) throw systemError('EBADF', call);
    return fd;
  }

  readonly fs: HostFiles = {
    readText: (file) =>
      this.effect('fs.readText', [file], () => {
        if (file === 0) return this.stdin;
        const pidfd = /^\/proc\/self\/fdinfo\/(\d+)$/.exec(file);
        if (pidfd !== null) return `Pid:\t${this.fd(Number(pidfd[1]), 'open').pid ?? 0}\n`;
        const node = this.node(file, 'open');
        if (node.kind === 'dir') throw systemError('EISDIR', 'read', file);
        return node.content;
      }),
    writeText: (file, content, mode) =>
      this.effect('fs.writeText', [file, content, mode], () => {
        this.parentDir(file, 'open');
        this.nodes.set(file, { kind: 'file', content });
      }),
    append: (file, content, mode) =>
      this.effect('fs.append', [file, content, mode], () => {
        this.parentDir(file, 'open');
        const node = this.nodes.get(file) ?? { kind: 'file', content: '' };
        node.content += content;
        this.nodes.set(file, node);
      }),
    rename: (from, to) =>
      this.effect('fs.rename', [from, to], () => {
        const node = this.node(from, 'rename');
        this.parentDir(to, 'rename');
        this.nodes.delete(from);
        this.nodes.set(to, node);
      }),
    mkdir: (dir, mode, recursive) =>
      this.effect('fs.mkdir', [dir, mode, recursive === true], () => {
        if (recursive) return this.makeDirectory(dir);
        if (this.nodes.has(dir)) throw systemError('EEXIST', 'mkdir', dir);
        this.parentDir(dir, 'mkdir');
        this.nodes.set(dir, { kind: 'dir', content: '' });
      }),
    chmod: (file, mode) => this.effect('fs.chmod', [file, mode], () => void this.node(file, 'chmod')),
    remove: (file) =>
      this.effect('fs.remove', [file], () => {
        for (const name of [...this.nodes.keys()]) if (name === file || name.startsWith(`${file}/`)) this.nodes.delete(name);
      }),
    unlink: (file) =>
      this.effect('fs.unlink', [file], () => {
        if (this.node(file, 'unlink').kind === 'dir') throw systemError('EISDIR', 'unlink', file);
        this.nodes.delete(file);
      }),
    exists: (file) => this.effect('fs.exists', [file], () => this.nodes.has(file)),
    isDirectory: (file) => this.effect('fs.isDirectory', [file], () => (this.nodes.has(file) ? this.nodes.get(file)!.kind === 'dir' : undefined)),
    isSymbolicLink: (file) => this.effect('fs.isSymbolicLink', [file], () => (this.nodes.has(file) ? false : undefined)),
    realpath: (file) => this.effect('fs.realpath', [file], () => (this.node(file, 'realpath'), file)),
    listDirectories: (dir) =>
      this.effect('fs.listDirectories', [dir], () => {
        this.node(dir, 'scandir');
        return [...this.nodes.entries()]
          .filter(([name, node]) => path.dirname(name) === dir && name !== dir && node.kind === 'dir')
          .map(([name]) => path.basename(name))
          .sort();
      }),
    open: (file, flags) =>
      this.effect('fs.open', [file, flags], () => {
        const node = this.node(file, 'open');
        return this.openFd({ kind: node.kind === 'fifo' ? 'fifo' : 'file', file, offset: 0 });
      }),
    read: (n, buffer) =>
      this.effect('fs.read', [n], () => {
        const fd = this.fd(n, 'read');
        const content = fd.kind === 'fifo' ? this.fifoAnswer : (this.nodes.get(fd.file!)?.content ?? '');
        const bytes = Buffer.from(content).subarray(fd.offset, fd.offset + buffer.length);
        bytes.copy(buffer);
        fd.offset += bytes.length;
        return bytes.length;
      }),
    write: (n, data) =>
      this.effect('fs.write', [`${this.fdTable.get(n)?.kind ?? 'bad'} fd${data.toString('latin1', 0, 1) === SyncTag.HooksDone ? ': hooks done + state' : ''}`, n, data.toString()], () => {
        const fd = this.fd(n, 'write');
        if (fd.kind === 'file') this.nodes.get(fd.file!)!.content += data.toString();
      }),
    close: (n) =>
      this.effect('fs.close', [n], () => {
        if (!this.fdTable.delete(n)) throw systemError('EBADF', 'close');
      }),
  };

  readonly proc: HostProcesses = {
    self: 1000,
    stat: (pid) =>
      this.effect('proc.stat', [pid], (): ProcessStat | undefined => {
        const p = this.processes.get(pid);
        return p === undefined ? undefined : { state: p.state, startTime: p.startTime };
      }),
    signal: (pid, signal) =>
      this.effect('proc.signal', [pid, signal], () => {
        const p = this.processes.get(pid);
        if (p === undefined || (signal !== 9 && signal !== 'SIGKILL')) return;
        for (const members of this.cgroupMembers.values()) members.delete(pid);
        if (p.child) p.state = 'Z';
        else this.processes.delete(pid);
      }),
    namespace: (pid, file) =>
      this.effect('proc.namespace', [pid, file], () => {
        if (pid === 'self') return `${file}:[1]`;
        const p = this.processes.get(pid);
        if (p === undefined) return undefined;
        return `${file}:[${p.namespaces.includes(file) ? pid : 1}]`;
      }),
    mountInfo: () =>
      this.effect('proc.mountInfo', [], () =>
        this.mounts.map((m) => `${m.id} 1 0:1 / ${m.mountPoint} rw - ext4 /dev/sda1 rw\n`).join(''),
      ),
    setOomScoreAdj: (pid, value) =>
      this.effect('proc.setOomScoreAdj', [pid, value], () => {
        if (!this.processes.has(pid)) throw systemError('ENOENT', 'open', `/proc/${pid}/oom_score_adj`);
        // Below its own needs CAP_SYS_RESOURCE, which an unprivileged caller lacks.
        if (value < this.ownOomScore && (this.who.rootlessEuid || this.who.inUserNamespace)) throw systemError('EACCES', 'write', `/proc/${pid}/oom_score_adj`);
      }),
    ownOomScoreAdj: () => this.effect('proc.ownOomScoreAdj', [], () => this.ownOomScore),
    caller: () => this.effect('proc.caller', [], () => this.who),
    userName: () => this.effect('proc.userName', [], () => (this.who.uid === 0 ? 'root' : `user${this.who.uid}`)),
    run: (program: ProgramRun) =>
      this.effect('proc.run', [program.path, program.stdin], (): ProgramResult => {
        const status = this.hookStatus.get(program.path) ?? 0;
        return { status, signal: null, stdout: Buffer.from(''), stderr: Buffer.from(status === 0 ? '' : 'hook failed') };
      }),
  };

  /** The CLI's waits, made of the recorded calls above. */
  readonly waits: HostWaits = blockingWaits(this);

  readonly clock = {
    now: () => this.effect('clock.now', [], () => this.clockMs),
    sleep: (ms: number) => this.effect('clock.sleep', [ms], () => void (this.clockMs += ms)),
  };

  readonly freezer: HostFreezer = {
    isFrozen: (cgroups) => this.effect('freezer.isFrozen', [cgroups.paths['']], () => this.frozen.has(cgroups.paths[''])),
    setFrozen: (cgroups: RecordedCgroups, frozen: boolean) =>
      this.effect('freezer.setFrozen', [cgroups.paths[''], frozen], () => {
        if (!this.cgroupDirs.has(cgroups.paths[''])) throw systemError('ENOENT', 'open', cgroups.paths['']);
        if (frozen) this.frozen.add(cgroups.paths['']);
        else this.frozen.delete(cgroups.paths['']);
      }),
  };

  readonly cgroups: HostCgroups = {
    open: (config: CgroupConfig) =>
      this.effect('cgroups.open', [config.containerId], () => {
        const manager = new FakeCgroupManager(this, path.join('/sys/fs/cgroup', config.cgroupsPath ?? config.containerId));
        if (config.rootless === undefined || this.userCgroupsWritable) return manager;
        return new NoCgroupManager('v2', (resources) => manager.planResources(resources).writes, () => 'the fake host gives users no cgroups');
      }),
    reopen: (cgroups) => this.effect('cgroups.reopen', [cgroups.paths['']], () => new FakeCgroupManager(this, cgroups.paths[''], cgroups.created)),
  };

  readonly addon: NativeAddon = {
    spawnInit: (request) =>
      this.effect('addon.spawnInit', [`clone flags 0x${request.cloneFlags.toString(16)}`, request], () => {
        this.fd(request.stateDirFd, 'spawn');
        const pid = this.nextPid++;
        this.processes.set(pid, { state: 'S', startTime: 900 + pid, child: true, namespaces: this.initNamespaces });
        if (this.initMountsAt !== undefined) this.mounts.push({ id: Math.max(...this.mounts.map((m) => m.id)) + 1, mountPoint: this.initMountsAt });
        return { pid, syncFd: this.openFd({ kind: 'sync', offset: 0, messages: [...this.initMessages], pid }) };
      }),
    makeFifo: (file) =>
      this.effect('addon.makeFifo', [file], () => {
        if (this.nodes.has(file)) throw systemError('EEXIST', 'mkfifo', file);
        this.parentDir(file, 'mkfifo');
        this.nodes.set(file, { kind: 'fifo', content: '' });
      }),
    openPath: (file) => this.effect('addon.openPath', [file], () => (this.node(file, 'open'), this.openFd({ kind: 'path', file, offset: 0 }))),
    lockFile: (file, exclusive) => this.effect('addon.lockFile', [file, exclusive], () => (this.node(file, 'open'), this.openFd({ kind: 'lock', file, offset: 0 }))),
    reapChild: (pid) =>
      this.effect('addon.reapChild', [pid], () => {
        const p = this.processes.get(pid);
        if (p?.child !== true || p.state !== 'Z') return false;
        this.processes.delete(pid);
        return true;
      }),
    receiveMessage: (n) =>
      this.effect('addon.receiveMessage', [n], () => {
        const sync = this.fd(n, 'recvmsg');
        let message = sync.messages?.shift() ?? '';
        if (message.startsWith(SyncTag.Forked)) {
          // "F<pid>" in initMessages: the init cloned itself as <pid>; the message has only the tag, and a pidfd.
          const pid = Number(message.slice(1));
          this.handOver(sync, pid);
          message = SyncTag.Forked;
          return { data: Buffer.from(message), fd: this.openFd({ kind: 'pidfd', offset: 0, pid }) };
        }
        const kind = MESSAGE_FDS[message.slice(0, 1)];
        return { data: Buffer.from(message), fd: kind === undefined ? -1 : this.openFd({ kind, offset: 0 }) };
      }),
    sendFdToSocket: (socket, n, _payload, what) => this.effect('addon.sendFdToSocket', [socket, n, what], () => void this.fd(n, 'sendmsg')),
    resizePty: (n) => this.effect('addon.resizePty', [n], () => void this.fd(n, 'ioctl')),
    detachMount: (file) =>
      this.effect('addon.detachMount', [file], () => {
        const top = this.mounts.map((m) => m.mountPoint).lastIndexOf(file);
        if (top < 0) throw systemError('EINVAL', 'umount2', file);
        this.mounts.splice(top, 1);
      }),
    moveNetDevice: (fromNetns, name, toNetns, newName) =>
      this.effect('addon.moveNetDevice', [`${fromNetns} ${name} -> ${toNetns} ${newName}`], () => {
        const from = this.netDevices.get(fromNetns);
        if (!from?.delete(name)) throw systemError('ENODEV', 'moveNetDevice', name);
        const to = this.netDevices.get(toNetns) ?? new Set<string>();
        this.netDevices.set(toNetns, to.add(newName));
        if (fromNetns === RUNTIME_NETNS) this.nodes.delete(`/sys/class/net/${name}`);
        if (toNetns === RUNTIME_NETNS) this.writeFile(`/sys/class/net/${newName}`, '');
      }),
    pinNamespace: (nsPath, target) =>
      this.effect('addon.pinNamespace', [target, nsPath], () => {
        this.node(target, 'mount');
        this.mounts.push({ id: Math.max(...this.mounts.map((m) => m.id)) + 1, mountPoint: target });
      }),
    idmapMount: (mountFd, userNamespaceFd, recursive) =>
      this.effect('addon.idmapMount', [recursive ? 'with its submounts' : 'the top mount', mountFd], () => {
        this.fd(mountFd, 'mount_setattr');
        this.fd(userNamespaceFd, 'mount_setattr');
      }),
    makeUserNamespace: (uidMap, gidMap) =>
      this.effect('addon.makeUserNamespace', [`${uidMap.trim()} / ${gidMap.trim()}`], () => this.openFd({ kind: 'userns', offset: 0 })),
    loadDeviceFilter: (_, dir) => this.effect('addon.loadDeviceFilter', [dir], () => undefined),
    compileSeccompFilter: () => this.effect('addon.compileSeccompFilter', [], () => Buffer.alloc(8)),
    // The event-loop primitives serve the API and the CLI's foreground waits, never an operation.
    makePipe: () => notAnOperationCall('makePipe'),
    openPidfd: () => notAnOperationCall('openPidfd'),
    spawnInitAsync: () => notAnOperationCall('spawnInitAsync'),
    exitStatusOf: () => notAnOperationCall('exitStatusOf'),
    watchReadable: () => notAnOperationCall('watchReadable'),
    cancelWatch: () => notAnOperationCall('cancelWatch'),
    setWatchKeepsAlive: () => notAnOperationCall('setWatchKeepsAlive'),
    // Cgroup notifications serve the OOM watches of `events`, the API and the shim.
    registerCgroupEvent: () => notAnOperationCall('registerCgroupEvent'),
    watchFileChanges: () => notAnOperationCall('watchFileChanges'),
    drainFd: () => notAnOperationCall('drainFd'),
    // The caller's terminal is the CLI's, the probes are `check`'s, the rootfs mount and the
    // subreaper and releasing memory are the shim's.
    makeRawTerminal: () => notAnOperationCall('makeRawTerminal'),
    restoreTerminal: () => notAnOperationCall('restoreTerminal'),
    seccompVersion: () => notAnOperationCall('seccompVersion'),
    probeKernel: () => notAnOperationCall('probeKernel'),
    mountFilesystem: () => notAnOperationCall('mountFilesystem'),
    setChildSubreaper: () => notAnOperationCall('setChildSubreaper'),
    releaseMemory: () => notAnOperationCall('releaseMemory'),
  };

  /**
   * SyncTag.Forked: the init cloned itself as `pid` (CLONE_PARENT: cista's child too) into the
   * namespaces it unshared and exits; the clone is in its cgroup and at the other end of the sync socket.
   */
  private handOver(sync: FakeFd, pid: number): void {
    const old = this.processes.get(sync.pid!)!;
    this.processes.set(pid, { ...old, startTime: 900 + pid });
    old.state = 'Z';
    for (const members of this.cgroupMembers.values()) if (members.delete(sync.pid!)) members.add(pid);
    sync.pid = pid;
  }

  /** For cgroup managers: records a call on the one log. */
  record<T>(call: string, args: unknown[], run: () => T): T {
    return this.effect(call, args, run);
  }
}

/** A cgroup manager over the fake's cgroup tree: the seam the operations see (CgroupManager). */
class FakeCgroupManager implements CgroupManager {
  readonly driver = 'v2' as const;
  readonly paths: Record<string, string>;
  private created: string[] | undefined;

  constructor(
    private readonly host: FakeHost,
    private readonly dir: string,
    created?: string[],
  ) {
    this.paths = { '': dir };
    this.created = created;
  }

  record(): RecordedCgroups {
    return { driver: this.driver, layout: 'v2', paths: this.paths, created: [...(this.created ?? this.missingDirectories())] };
  }

  private missingDirectories(): string[] {
    const missing: string[] = [];
    for (let d = this.dir; !this.host.cgroupDirs.has(d); d = path.dirname(d)) missing.unshift(d);
    return missing;
  }

  mountLayout(): CgroupMountLayout {
    return { layout: 'v2', dir: this.dir };
  }

  create(pid: number, devices: DeviceRule[], resources: ResourcePlan): void {
    this.host.record('cgroup.create', [this.dir], () => {
      const missing = this.missingDirectories();
      for (const d of missing) this.host.cgroupDirs.add(d);
      this.created = missing;
    });
    this.host.record('cgroup.applyDevices', [devices.length], () => {
      if (!this.host.cgroupDirs.has(this.dir)) throw systemError('ENOENT', 'open', this.dir);
    });
    this.update(resources);
  }

  procsFiles(): string[] {
    return [path.join(this.dir, 'cgroup.procs')];
  }

  join(pid: number): void {
    this.host.record('cgroup.join', [pid], () => {
      if (!this.host.cgroupDirs.has(this.dir)) throw systemError('ENOENT', 'open', this.dir);
      if (!this.host.processes.has(pid)) throw systemError('ESRCH', 'write', this.dir);
      const members = this.host.cgroupMembers.get(this.dir) ?? new Set<number>();
      this.host.cgroupMembers.set(this.dir, members.add(pid));
    });
  }

  planResources(resources: LinuxResources | undefined): ResourcePlan {
    const limit = resources?.memory?.limit;
    const writes: CgroupWrite[] = limit === undefined ? [] : [{ controller: 'memory', file: 'memory.max', value: String(limit), pointer: '/linux/resources/memory/limit' }];
    return { writes, unitProperties: [] };
  }

  update(resources: ResourcePlan): void {
    this.host.record('cgroup.applyResources', [resources.writes.map((w) => `${w.file}=${w.value}`).join(' ')], () => {
      if (!this.host.cgroupDirs.has(this.dir)) throw systemError('ENOENT', 'open', this.dir);
    });
  }

  pids(): number[] {
    return this.host.record('cgroup.pids', [this.dir], () => [...(this.host.cgroupMembers.get(this.dir) ?? [])].sort((a, b) => a - b));
  }

  stats(): ContainerStats {
    throw new Error('the fake host keeps no cgroup statistics');
  }

  watchOom(): OomWatch | null {
    return null;
  }

  frozen(): boolean {
    return this.host.freezer.isFrozen(this.record());
  }

  freeze(frozen: boolean): void {
    this.host.freezer.setFrozen(this.record(), frozen);
  }

  destroy(): void {
    this.host.record('cgroup.destroy', [this.dir], () => {
      for (const d of [...(this.created ?? [this.dir])].reverse()) {
        if ((this.host.cgroupMembers.get(d)?.size ?? 0) > 0) throw systemError('EBUSY', 'rmdir', d);
        this.host.cgroupDirs.delete(d);
        this.host.cgroupMembers.delete(d);
        this.host.frozen.delete(d);
      }
      this.created = [];
    });
  }
}

function describe(arg: unknown): string {
  if (arg === undefined) return '';
  // Temp files are named after the writing process (writeFileAtomic).
  return typeof arg === 'string' ? arg.replace(`.${process.pid}.tmp`, '.PID.tmp') : JSON.stringify(arg);
}
