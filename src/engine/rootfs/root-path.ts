/**
 * root.path as a directory on the host, checked as runc checks it before anything is made: it must
 * exist, be a directory, and not be reached through a symlink. A rootfs that is a link (to "/", or
 * to "../../..") would otherwise give the container the host's root.
 */
import * as path from 'node:path';

import { ConfigError } from '../errors';
import type { HostFiles } from '../host/host';

function refuse(problem: string): never {
  throw new ConfigError('/root/path', problem);
}

/**
 * Checks `rootfs` (root.path resolved against the bundle) component by component with lstat,
 * following no link: a relative root.path's components below the bundle, an absolute one's from "/".
 */
export function checkRootfs(files: HostFiles, bundle: string, rootPath: string, rootfs: string): void {
  let current = path.isAbsolute(rootPath) ? '/' : bundle;
  for (const part of path.normalize(rootPath).split('/')) {
    if (part === '' || part === '.') continue;
    current = part === '..' ? path.dirname(current) : path.join(current, part);
    const link = files.isSymbolicLink(current);
    if (link === undefined) refuse(`rootfs ${rootfs} does not exist or is not a directory`);
    if (link) refuse(`invalid rootfs ${rootfs}: ${current} is a symlink (cista, like runc, does not follow one)`);
  }
  if (files.isDirectory(rootfs) !== true) refuse(`rootfs ${rootfs} does not exist or is not a directory`);
}
