/**
 * One operation body for both callers: an operation is a generator that `yield*`s the host's waits
 * (HostWaits). The CLI's host does each wait at once, blocking (a fresh process, one call); the
 * API's host yields a promise instead, and the operation resumes when it settles, so the event loop
 * runs meanwhile. runSync and runAsync drive the same generator for either.
 */

/** A step that may wait: yields promises (only on the asynchronous host), returns a T. */
export type Effect<T> = Generator<Promise<unknown>, T, unknown>;

/** A promise as a step: the asynchronous host's waits are made of these. */
export function* awaiting<T>(promise: Promise<T>): Effect<T> {
  return (yield promise) as T;
}

/** Runs an operation on a synchronous host: one that never yields. */
export function runSync<T>(operation: Effect<T>): T {
  const step = operation.next();
  if (!step.done) throw new Error('internal error: a synchronous host waited asynchronously');
  return step.value;
}

/** Operations waiting for their turn, first come first served; a turn is one turn of the event loop. */
const waitingForTurn: Array<() => void> = [];

function giveTurn(): void {
  waitingForTurn.shift()!();
  // Queued from an immediate, the next turn comes in the next turn of the loop, after timers and I/O.
  if (waitingForTurn.length > 0) setImmediate(giveTurn);
}

/**
 * Resolves at the caller's own turn of the event loop. Between two waits an operation runs
 * synchronously (a few small fs calls, a clone()); concurrent operations take turns, one such stretch
 * per turn of the loop, so timers and I/O run between them instead of after all of them.
 */
function turn(): Promise<void> {
  return new Promise((resolve) => {
    if (waitingForTurn.push(resolve) === 1) setImmediate(giveTurn);
  });
}

/** Runs an operation, resuming it with what each promise it yields settles to, each stretch at its turn. */
export async function runAsync<T>(operation: Effect<T>): Promise<T> {
  await turn();
  let step = operation.next();
  while (!step.done) {
    let value: unknown;
    try {
      value = await step.value;
    } catch (e) {
      await turn();
      step = operation.throw(e);
      continue;
    }
    await turn();
    step = operation.next(value);
  }
  return step.value;
}
