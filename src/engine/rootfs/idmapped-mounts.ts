/**
 * Idmapped mounts (mounts[].uidMappings/gidMappings, the `idmap` and `ridmap` options). The init
 * makes the detached bind inside its mount namespace and sends it over the sync socket; the runtime
 * sets MOUNT_ATTR_IDMAP on it, which needs privilege over the source's filesystem (host root) that
 * an init in a new user namespace lacks, and a user namespace holding the mapping, which the addon
 * makes (as runc does, with a child that only waits) or opens (a joined one).
 */
import * as fs from 'node:fs';

import { CistaError, errnoText } from '../errors';
import type { Host } from '../host/host';

export interface MountIdmap {
  /** The user namespace whose mapping the mount takes: one made with these maps, or a joined one by path. */
  userNamespace: { uidMap: string; gidMap: string } | { path: string };
  /** `ridmap`: the submounts of an rbind are idmapped too (AT_RECURSIVE). */
  recursive: boolean;
  /** The mount in config.json, for errors: "/mounts/2". */
  pointer: string;
  destination: string;
}

/** Answers the init's idmap requests of one create; close() releases the user namespaces it made. */
export class MountIdmapper {
  /** User namespace fds by the text of their maps (or path), so mounts with the same mapping share one. */
  private readonly namespaces = new Map<string, number>();

  constructor(
    private readonly host: Pick<Host, 'fs' | 'addon'>,
    private readonly idmaps: ReadonlyMap<number, MountIdmap>,
  ) {}

  idmap(stepIndex: number, mountFd: number): void {
    const idmap = this.idmaps.get(stepIndex);
    if (idmap === undefined) throw new CistaError(`container init asked to idmap mount step ${stepIndex}, which the plan does not idmap`);
    const what = `idmapping ${idmap.pointer} (${idmap.destination})`;
    try {
      this.host.addon.idmapMount(mountFd, this.userNamespace(idmap), idmap.recursive);
    } catch (e) {
      if (e instanceof CistaError) throw e;
      // EINVAL: the filesystem (or, with ridmap, a submount's) cannot be idmapped, or the source is idmapped already.
      const hint = (e as NodeJS.ErrnoException).code === 'EINVAL' ? ' (does the filesystem of the source support idmapped mounts?)' : '';
      throw new CistaError(`${what}: ${errnoText(e)}${hint}`);
    }
  }

  close(): void {
    for (const fd of this.namespaces.values()) this.host.fs.close(fd);
    this.namespaces.clear();
  }

  private userNamespace(idmap: MountIdmap): number {
    const source = idmap.userNamespace;
    const key = 'path' in source ? `path:${source.path}` : `maps:${source.uidMap}/${source.gidMap}`;
    let fd = this.namespaces.get(key);
    if (fd === undefined) {
      try {
        fd = 'path' in source ? this.host.fs.open(source.path, fs.constants.O_RDONLY) : this.host.addon.makeUserNamespace(source.uidMap, source.gidMap);
      } catch (e) {
        throw new CistaError(`idmapping ${idmap.pointer} (${idmap.destination}): ${errnoText(e)}`);
      }
      this.namespaces.set(key, fd);
    }
    return fd;
  }
}
