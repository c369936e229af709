/** The last turn handed out: turns are taken one after another. */
let lastTurn: Promise<void> = Promise.resolve();

/**
 * Resolves at this caller's own turn of the event loop. Awaited before a call into the engine that
 * is still synchronous underneath (create, start, exec, delete...): concurrent API calls then take turns, one operation
 * per turn of the loop, so timers and I/O run between them instead of after all of them. Goes once
 * the operations are asynchronous.
 */
export function turnOfTheLoop(): Promise<void> {
  const turn = lastTurn.then(() => new Promise<void>((resolve) => setImmediate(resolve)));
  lastTurn = turn;
  return turn;
}
