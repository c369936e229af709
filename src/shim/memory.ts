import * as fs from 'node:fs';

import { native } from '../engine/native';

/** How long the shim is left without a call before it gives memory back. */
const IDLE_MS = 250;

/**
 * The clean private file mappings of this process (never written: no anonymous page in them), as
 * [start, end) pairs. Most of what Node maps of its own binary is read once at start-up (its snapshot,
 * its JavaScript sources, code that runs once) and stays resident, counted in the shim's RSS though
 * nothing uses it again.
 */
export function cleanFileMappings(smaps: string): number[] {
  const ranges: number[] = [];
  let current: { start: number; end: number } | null = null;
  for (const line of smaps.split('\n')) {
    // "start-end perms offset dev inode path", then "Key: value kB" lines for that mapping.
    const mapping = /^([0-9a-f]+)-([0-9a-f]+) (\S{4}) \S+ \S+ \d+ +(\/.*)$/.exec(line);
    if (mapping !== null) {
      const [, start, end, perms] = mapping;
      current = perms[1] === '-' && perms[3] === 'p' ? { start: parseInt(start, 16), end: parseInt(end, 16) } : null;
      continue;
    }
    if (/^[0-9a-f]+-/.test(line)) current = null;
    else if (current !== null && line.startsWith('Anonymous:')) {
      if (/^Anonymous:\s+0 kB$/.test(line)) ranges.push(current.start, current.end);
      current = null;
    }
  }
  return ranges;
}

/**
 * Gives back what the shim holds without using it: V8's free heap pages after a full collection (the
 * launcher runs node with --expose-gc), then, from the addon's thread once the event loop waits again,
 * malloc's free pages and the resident pages of the clean file mappings (touched again, they are
 * faulted back in from the page cache).
 */
export function releaseMemory(): void {
  (globalThis as { gc?: () => void }).gc?.();
  native().releaseMemory(cleanFileMappings(fs.readFileSync('/proc/self/smaps', 'utf8')));
}

/**
 * Calls releaseMemory once the shim has been idle for IDLE_MS: after start-up and after each burst
 * of calls, off the path of any answer. `touch()` at each call restarts the wait.
 */
export class IdleRelease {
  private timer: NodeJS.Timeout | null = null;

  touch(): void {
    if (this.timer !== null) this.timer.refresh();
    else this.timer = setTimeout(() => this.fire(), IDLE_MS).unref();
  }

  private fire(): void {
    this.timer = null;
    releaseMemory();
  }
}
