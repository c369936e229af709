import * as fs from 'node:fs';
import * as path from 'node:path';

/**
 * What a container can leave on the host: its state directory, mounts, cgroups and processes.
 * Returns a description of each leftover; empty means clean.
 */
export function leftovers(root: string, id: string, bundleDir: string): string[] {
  const found: string[] = [];
  if (fs.existsSync(path.join(root, id))) found.push(`state dir ${path.join(root, id)}`);
  const mountinfo = fs.readFileSync('/proc/self/mountinfo', 'utf8');
  for (const line of mountinfo.split('\n')) {
    if (line.includes(bundleDir)) found.push(`mount: ${line}`);
  }
  for (const hierarchy of fs.readdirSync('/sys/fs/cgroup')) {
    const dir = path.join('/sys/fs/cgroup', hierarchy, id);
    if (fs.existsSync(dir)) found.push(`cgroup ${dir}`);
  }
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const rootLink = fs.readlinkSync(`/proc/${entry}/root`);
      if (rootLink.startsWith(bundleDir)) found.push(`process ${entry} rooted in ${rootLink}`);
    } catch {
      // Gone meanwhile, or a kernel thread.
    }
  }
  return found;
}
