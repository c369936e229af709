import { describe, expect, it } from 'vitest';
import { CistaError } from '../../../src/engine/errors';
import { parseSignal, SIGNALS } from '../../../src/engine/spec/signals';

describe('parseSignal', () => {
  it.each([
    ['KILL', 9],
    ['SIGKILL', 9],
    ['sigkill', 9],
    ['term', 15],
    ['9', 9],
    ['0', 0],
    ['SIGWINCH', 28],
    ['RTMIN', 34],
    ['SIGRTMIN+3', 37],
    ['RTMAX', 64],
    ['64', 64],
  ])('reads %s as %i', (text, signal) => {
    expect(parseSignal(text)).toBe(signal);
  });

  it.each(['FOO', '65', '-1', '', 'SIG', '9x'])('rejects %j', (text) => {
    expect(() => parseSignal(text)).toThrow(new CistaError(`unknown signal ${JSON.stringify(text)}`));
  });

  it('covers SIGHUP through SIGSYS and every realtime signal', () => {
    const numbers = new Set(Object.values(SIGNALS));
    for (let signal = 1; signal <= 31; signal++) expect(numbers.has(signal), `signal ${signal}`).toBe(true);
    for (let signal = 34; signal <= 64; signal++) expect(numbers.has(signal), `signal ${signal}`).toBe(true);
  });
});
