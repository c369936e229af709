import * as fs from 'node:fs';
import * as path from 'node:path';

/** Directories named `name` below `top`, at most `depth` levels down. */
function findDirectories(top: string, name: string, depth: number): string[] {
  const found: string[] = [];
  let entries: fs.Dirent[];
  try {
    entries = fs.readdirSync(top, { withFileTypes: true });
  } catch {
    return found;
  }
  for (const e of entries) {
    if (!e.isDirectory()) continue;
    const dir = path.join(top, e.name);
    if (e.name === name) found.push(dir);
    else if (depth > 0) found.push(...findDirectories(dir, name, depth - 1));
  }
  return found;
}

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
  for (const dir of findDirectories('/sys/fs/cgroup', id, 4)) found.push(`cgroup ${dir}`);
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const rootLink = fs.readlinkSync(`/proc/${entry}/root`);
      if (rootLink.startsWith(bundleDir)) found.push(`process ${entry} rooted in ${rootLink}`);
      // An init that never reached pivot_root is still rooted on the host, but already in its cgroup.
      const cgroups = fs.readFileSync(`/proc/${entry}/cgroup`, 'utf8');
      if (cgroups.split('\n').some((line) => line.endsWith(`/${id}`))) found.push(`process ${entry} in the container's cgroup`);
    } catch {
      // Gone meanwhile, or a kernel thread.
    }
  }
  return found;
}

/** The directories named `name` directly below each cgroup hierarchy: a test's parent of cgroupsPath. */
export function parentCgroups(name: string): string[] {
  return fs.readdirSync('/sys/fs/cgroup').map((c) => path.join('/sys/fs/cgroup', c, name)).filter((dir) => fs.existsSync(dir));
}

/** Running or stopped, not gone and not a zombie waiting for pid 1 to reap it. */
export function isRunning(pid: number): boolean {
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    return !/^[ZX]$/.test(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[0]);
  } catch {
    return false;
  }
}

/** This process's zombie children: what a process started and never reaped would be. */
export function zombieChildren(): number[] {
  const zombies: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = fs.readFileSync(`/proc/${entry}/stat`, 'latin1');
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      if (fields[0] === 'Z' && Number(fields[1]) === process.pid) zombies.push(Number(entry));
    } catch {
      // Gone meanwhile.
    }
  }
  return zombies;
}
