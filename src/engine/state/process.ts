import type { HostProcesses } from '../host/host';

/** A process identity that survives pid reuse: the pid plus its start time in clock ticks since boot. */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

/** The identity of a live process; startTime 0 when it is already gone. */
export function identityOf(proc: HostProcesses, pid: number): ProcessIdentity {
  return { pid, startTime: proc.stat(pid)?.startTime ?? 0 };
}

/** Alive means: running or stopped, not a zombie, and the same process that was recorded. */
export function isAlive(proc: HostProcesses, identity: ProcessIdentity): boolean {
  if (identity.pid <= 0) return false;
  const stat = proc.stat(identity.pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === identity.startTime;
}
