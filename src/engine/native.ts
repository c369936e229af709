import * as path from 'node:path';

import { PACKAGE_ROOT } from './paths';
import { type SpawnRequest, encodeSpawnRequest } from '../generated/protocol';
import type { SeccompFilterInput } from './plan/seccomp';

/** How a process ended: an exit code, or the number of the signal that killed it. */
export interface ExitStatus {
  code: number | null;
  signal: number | null;
}

/** The addon's functions (native/addon), typed. Loaded on first use: `state` and `list` never need it. */
export interface NativeAddon {
  spawnInit(request: SpawnRequest): { pid: number; syncFd: number };
  /** spawnInit on libuv's thread pool: clone() blocks its caller for milliseconds. */
  spawnInitAsync(request: SpawnRequest): Promise<{ pid: number; syncFd: number }>;
  makeFifo(path: string, mode: number): void;
  /** [read end, write end], close-on-exec. */
  makePipe(): [number, number];
  openPath(path: string): number;
  /** An fd holding flock() on path; with tryOnly, -1 when another holds it (never blocks). */
  lockFile(path: string, exclusive: boolean, tryOnly?: boolean): number;
  /** A pidfd of `pid`: readable once it has exited. */
  openPidfd(pid: number): number;
  /**
   * The exit status behind a pidfd (reaping it when it is our child); 'unknown' for a process that is
   * not our child when the kernel keeps no status for it (see native/addon/event_loop.cc).
   */
  exitStatusOf(pidfd: number): ExitStatus | 'running' | 'unknown';
  /** Calls `callback` once when `fd` is readable, from Node's event loop; returns the watch's id. */
  watchReadable(fd: number, callback: (error: Error | null) => void, keepAlive: boolean): number;
  cancelWatch(id: number): void;
  setWatchKeepsAlive(id: number, keepAlive: boolean): void;
  /** cgroup v1 notifications: an eventfd the kernel signals when the event of `dir/file` happens and when the cgroup is removed. */
  registerCgroupEvent(dir: string, file: string): number;
  /** An inotify fd, readable when one of `paths` is modified or deleted. */
  watchFileChanges(paths: string[]): number;
  /** Reads a non-blocking fd empty (an eventfd, an inotify fd); returns the bytes read. */
  drainFd(fd: number): number;
  /** Reaps `pid` if it is an exited child of ours; never blocks. */
  reapChild(pid: number): boolean;
  /** One datagram and the fd it carried (-1: none); null with dontWait when none is there yet. */
  receiveMessage(fd: number, maxBytes: number): { data: Buffer; fd: number };
  receiveMessage(fd: number, maxBytes: number, dontWait: true): { data: Buffer; fd: number } | null;
  /** Connects to an AF_UNIX stream socket and sends `payload` with `fd` attached; `what` names the socket in errors. */
  sendFdToSocket(socketPath: string, fd: number, payload: string, what: string): void;
  resizePty(masterFd: number, rows: number, columns: number): void;
  /** Moves network device `name` from one network namespace (a path) to another, renamed `newName`, with its addresses, and up. */
  moveNetDevice(fromNetns: string, name: string, toNetns: string, newName: string): void;
  /** cfmakeraw on a terminal; returns its previous settings for restoreTerminal. */
  makeRawTerminal(fd: number): Buffer;
  restoreTerminal(fd: number, saved: Buffer): void;
  /** The linked libseccomp's version, "2.5.4". */
  seccompVersion(): string;
  /** Kernel features the init helper uses: 0 when available, else the errno of the probe. */
  probeKernel(): KernelProbes;
  /** umount2(MNT_DETACH | UMOUNT_NOFOLLOW) of the topmost mount at path. */
  detachMount(path: string): void;
  /** Bind-mounts a namespace file onto the file `target`, keeping the namespace alive without a process. */
  pinNamespace(nsPath: string, target: string): void;
  /** mount_setattr(MOUNT_ATTR_IDMAP) with a user namespace fd on a detached mount. */
  idmapMount(mountFd: number, userNamespaceFd: number, recursive: boolean): void;
  /** An fd of a new user namespace with these uid_map and gid_map texts. */
  makeUserNamespace(uidMap: string, gidMap: string): number;
  /**
   * A new filesystem (fsopen, one fsconfig per [key, value or null flag] option) or, with fstype "bind",
   * a recursive clone of source, attached at target (a directory, its last component not followed).
   */
  mountFilesystem(target: string, fstype: string, source: string, options: Array<[string, string | null]>, readOnly: boolean): void;
  /** prctl(PR_SET_CHILD_SUBREAPER, 1). */
  setChildSubreaper(): void;
  /** A moment later, on a thread of its own: malloc_trim(0), then madvise(MADV_DONTNEED) of each [start, end) pair (clean private file mappings only). */
  releaseMemory(ranges: number[]): void;
  /** Loads a cgroup device eBPF program and attaches it to a cgroup2 directory. */
  loadDeviceFilter(instructions: Buffer, cgroupDir: string): void;
  /** Compiles a resolved seccomp filter with libseccomp into a struct sock_filter array. */
  compileSeccompFilter(filter: SeccompFilterInput): Buffer;
}

export interface KernelProbes {
  openat2: number;
  newMountApi: number;
  mountSetattr: number;
  closeRange: number;
  pidfd: number;
  seccomp: number;
}

/** Where node-gyp puts the addons and the init helper. */
export const BUILD_DIR = path.join(PACKAGE_ROOT, 'build', 'Release');

/** The addon as it is: spawnInit takes an encoded SpawnRequest, so C++ never reads a JS object for it. */
type RawAddon = Omit<NativeAddon, 'spawnInit' | 'spawnInitAsync'> & {
  spawnInit(request: Buffer): { pid: number; syncFd: number };
  spawnInitAsync(request: Buffer): Promise<{ pid: number; syncFd: number }>;
};

let addon: NativeAddon | undefined;

export function native(): NativeAddon {
  if (addon === undefined) {
    const raw = require(path.join(BUILD_DIR, 'cista.node')) as RawAddon;
    addon = {
      ...raw,
      spawnInit: (request) => raw.spawnInit(encodeSpawnRequest(request)),
      spawnInitAsync: (request) => raw.spawnInitAsync(encodeSpawnRequest(request)),
    };
  }
  return addon;
}

/** The static init helper that is sealed into a memfd for every container and exec. */
export function initHelperPath(): string {
  return path.join(BUILD_DIR, 'cista-init');
}
