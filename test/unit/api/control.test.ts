import { describe, expect, it } from 'vitest';

import { abortSignalOf, processExit } from '../../../src/api/process';

describe('abortSignalOf', () => {
  it('aborts with a TimeoutError once the timeout passes, even after a garbage collection', async () => {
    const { signal, done } = abortSignalOf({ timeout: 30 });
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((resolve) => signal.addEventListener('abort', resolve));
    expect((signal.reason as Error).name).toBe('TimeoutError');
    done();
  });

  it("follows the caller's signal, already aborted or aborted later, with its reason", () => {
    const before = new AbortController();
    before.abort(new Error('early'));
    expect(abortSignalOf({ signal: before.signal }).signal.reason).toEqual(new Error('early'));
    const later = new AbortController();
    const { signal } = abortSignalOf({ signal: later.signal, timeout: 60_000 });
    later.abort(new Error('late'));
    expect(signal.reason).toEqual(new Error('late'));
  });

  it('stops watching once done', async () => {
    const caller = new AbortController();
    const { signal, done } = abortSignalOf({ signal: caller.signal, timeout: 10 });
    done();
    caller.abort();
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(signal.aborted).toBe(false);
  });
});

describe('processExit', () => {
  it('names signals by their first name', () => {
    expect(processExit({ code: null, signal: 6 })).toEqual({ exitCode: null, signal: 'SIGABRT' });
    expect(processExit({ code: 3, signal: null })).toEqual({ exitCode: 3, signal: null });
  });
});
