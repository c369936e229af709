/**
 * Gives vitest's worker a turn of the event loop. The tests drive cista with spawnSync, which blocks
 * the worker; vitest's calls to its main process (onTaskUpdate) time out after 60 s and fail the run
 * with an "unhandled error" when their answers wait behind one long blocking stretch after another.
 * A short timer (not setImmediate, which can run before the next poll) lets libuv read those answers.
 */
export function runnerTurn(): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, 10));
}
