import * as fs from 'node:fs';

import { native } from '../engine/native';

const CHECK_EVERY_MS = 2000;

function childZombies(): number[] {
  let children: string;
  try {
    children = fs.readFileSync(`/proc/self/task/${process.pid}/children`, 'utf8');
  } catch {
    return [];
  }
  return children
    .split(' ')
    .filter(Boolean)
    .map(Number)
    .filter((pid) => {
      try {
        const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
        return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) === 'Z';
      } catch {
        return false;
      }
    });
}

/**
 * Reaps the orphans the subreaper inherits. The shim's own children (inits and execs) are reaped by the
 * API as soon as they exit (pidfd watches on the event loop); a zombie child still there one check
 * later is nobody's to wait for, so it is reaped then. Checks follow SIGCHLD (while zombies remain),
 * never a clock: an idle shim runs no code (src/shim/memory.ts gives its pages back).
 */
export function reapOrphans(): void {
  let seen = new Set<number>();
  let timer: NodeJS.Timeout | null = null;
  const schedule = (): void => {
    timer ??= setTimeout(check, CHECK_EVERY_MS).unref();
  };
  const check = (): void => {
    timer = null;
    const zombies = childZombies();
    for (const pid of zombies) if (seen.has(pid)) native().reapChild(pid);
    seen = new Set(zombies.filter((pid) => !seen.has(pid)));
    if (seen.size > 0) schedule();
  };
  process.on('SIGCHLD', schedule);
}
