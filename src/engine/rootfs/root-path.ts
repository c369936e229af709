/**
 * root.path as a directory on the host, checked as runc checks it before anything is made: it must
 * exist, be a directory, and not be reached through a symlink. A rootfs that is a link (to "/", or
 * to "../../..") would otherwise give the container the host's root.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

import { ConfigError } from '../errors';

function refuse(problem: string): never {
  throw new ConfigError(`config.json: /root/path: ${problem}`);
}

/**
 * Checks `rootfs` (root.path resolved against the bundle) component by component with lstat,
 * following no link: a relative root.path's components below the bundle, an absolute one's from "/".
 */
export function checkRootfs(bundle: string, rootPath: string, rootfs: string): void {
  let current = path.isAbsolute(rootPath) ? '/' : bundle;
  for (const part of path.normalize(rootPath).split('/')) {
    if (part === '' || part === '.') continue;
    current = part === '..' ? path.dirname(current) : path.join(current, part);
    let stat: fs.Stats;
    try {
      stat = fs.lstatSync(current);
    } catch {
      refuse(`rootfs ${rootfs} does not exist or is not a directory`);
    }
    if (stat.isSymbolicLink()) refuse(`invalid rootfs ${rootfs}: ${current} is a symlink (cista, like runc, does not follow one)`);
  }
  if (!fs.statSync(rootfs).isDirectory()) refuse(`rootfs ${rootfs} does not exist or is not a directory`);
}
