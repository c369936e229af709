import * as fs from 'node:fs';

/** A process identity that survives pid reuse: the pid plus its start time in clock ticks since boot. */
export interface ProcessIdentity {
  pid: number;
  startTime: number;
}

interface ProcStat {
  state: string;
  startTime: number;
}

function readStat(pid: number): ProcStat | undefined {
  let text: string;
  try {
    text = fs.readFileSync(`/proc/${pid}/stat`, 'latin1');
  } catch {
    return undefined;
  }
  // The command name (field 2) may contain spaces and parentheses: fields restart after the last ')'.
  const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
  return { state: fields[0], startTime: Number(fields[19]) };
}

export function startTimeOf(pid: number): number | undefined {
  return readStat(pid)?.startTime;
}

/** Alive means: running or stopped, not a zombie, and the same process that was recorded. */
export function isAlive(identity: ProcessIdentity): boolean {
  if (identity.pid <= 0) return false;
  const stat = readStat(identity.pid);
  if (stat === undefined || stat.state === 'Z' || stat.state === 'X') return false;
  return stat.startTime === identity.startTime;
}
