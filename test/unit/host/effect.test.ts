import { describe, expect, it } from 'vitest';

import { type Effect, awaiting, runAsync, runSync } from '../../../src/engine/host/effect';

/** An operation of three synchronous stretches, each 5 ms long, with a wait between them. */
function* operation(name: string, order: string[]): Effect<string> {
  for (let stretch = 1; stretch <= 3; stretch++) {
    order.push(`${name} ${stretch}`);
    const end = Date.now() + 5;
    while (Date.now() < end);
    if (stretch < 3) yield* awaiting(Promise.resolve());
  }
  return name;
}

describe('one operation body for both hosts', () => {
  it('runs a body that never waits synchronously, and refuses one that does', () => {
    function* plain(): Effect<number> {
      return 42;
    }
    expect(runSync(plain())).toBe(42);
    expect(() => runSync(operation('a', []))).toThrow('internal error: a synchronous host waited asynchronously');
  });

  it('resumes with what a wait settles to, and throws its rejection at the wait', async () => {
    function* body(): Effect<string> {
      const value = yield* awaiting(Promise.resolve('value'));
      try {
        yield* awaiting(Promise.reject(new Error('refused')));
      } catch (e) {
        return `${value}, then ${(e as Error).message}`;
      }
      return 'not reached';
    }
    expect(await runAsync(body())).toBe('value, then refused');
  });

  it('gives concurrent operations one stretch per turn of the loop, with timers running between them', async () => {
    const order: string[] = [];
    const timer = setInterval(() => order.push('timer'), 0);
    await new Promise((resolve) => setTimeout(resolve, 5));
    order.length = 0;
    expect(await Promise.all(['a', 'b', 'c'].map((name) => runAsync(operation(name, order))))).toEqual(['a', 'b', 'c']);
    clearInterval(timer);
    const stretches = order.map((e, i) => [e, i] as const).filter(([e]) => e !== 'timer');
    expect(stretches.map(([e]) => e)).toEqual(['a 1', 'b 1', 'c 1', 'a 2', 'b 2', 'c 2', 'a 3', 'b 3', 'c 3']);
    // A timer ran between each two stretches: the loop turned.
    for (let i = 1; i < stretches.length; i++) expect(order.slice(stretches[i - 1][1] + 1, stretches[i][1])).toContain('timer');
  });
});
