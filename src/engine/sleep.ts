/**
 * Blocks the thread for `ms` milliseconds. The CLI's operations are synchronous by design (one call,
 * one short-lived process), so waiting for a process to exit or a cgroup to empty blocks too.
 */
export function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}
