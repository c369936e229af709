/**
 * A container without a mount namespace of its own mounts into the host's mount table (as runc
 * does), all of it below a bind of its rootfs onto itself (native/init/rootfs.cc). cista remembers
 * which mounts were at the rootfs before, and teardown detaches the ones that were not, so that
 * unlike runc nothing stays behind.
 */
import type { Host } from '../host/host';
import { type MountInfoEntry, parseMountInfo } from '../mountinfo';

export interface HostMountRecord {
  /** The rootfs as the host's mountinfo names it (symlinks resolved). */
  rootfs: string;
  /** Ids of the mounts at the rootfs before the container was created (e.g. an overlay of containerd's). */
  mountIdsBefore: number[];
}

/** At most this many mounts stacked at the rootfs are detached: the init makes one. */
const MAX_DETACHES = 16;

type MountHost = Pick<Host, 'fs' | 'proc' | 'addon'>;

function mountsAt(host: MountHost, mountPoint: string): MountInfoEntry[] {
  return parseMountInfo(host.proc.mountInfo()).filter((m) => m.mountPoint === mountPoint);
}

export function recordHostMounts(host: MountHost, rootfs: string): HostMountRecord {
  const real = host.fs.realpath(rootfs);
  return { rootfs: real, mountIdsBefore: mountsAt(host, real).map((m) => m.id) };
}

/** Detaches, with everything below them, the mounts at the rootfs that the container added. */
export function detachHostMounts(host: MountHost, record: HostMountRecord): void {
  const before = new Set(record.mountIdsBefore);
  for (let i = 0; i < MAX_DETACHES; i++) {
    // mountinfo lists stacked mounts bottom first: the last one is what umount2 takes off.
    const top = mountsAt(host, record.rootfs).at(-1);
    if (top === undefined || before.has(top.id)) return;
    host.addon.detachMount(record.rootfs);
  }
}
