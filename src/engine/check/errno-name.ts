import * as os from 'node:os';

/** 38 -> "ENOSYS": the probes report numbers. */
export function errnoName(errno: number): string {
  return Object.entries(os.constants.errno).find(([, value]) => value === errno)?.[0] ?? `errno ${errno}`;
}
