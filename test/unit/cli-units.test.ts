import { describe, expect, it } from 'vitest';

import { parseByteSize, parseInteger } from '../../src/cli/units';

describe('sizes as runc parses them (go-units RAMInBytes)', () => {
  it.each([
    ['1048576', 1048576],
    ['128M', 128 * 1024 ** 2],
    ['128m', 128 * 1024 ** 2],
    ['64kib', 64 * 1024],
    ['64KB', 64 * 1024],
    ['1.5g', 1.5 * 1024 ** 3],
    ['2T', 2 * 1024 ** 4],
    ['1p', 1024 ** 5],
    ['100 MB', 100 * 1024 ** 2],
    ['10b', 10],
    ['-1', -1],
  ])('%s is %d bytes', (text, bytes) => expect(parseByteSize('memory', text)).toBe(bytes));

  it.each(['lots', '', '12x', '-5', '1..5m', 'm', '1e6'])('%j is refused, naming the flag', (text) => {
    expect(() => parseByteSize('memory-swap', text)).toThrow(/^--memory-swap: ".*" is not a size/);
  });

  it('integers', () => {
    expect(parseInteger('cpu-quota', '-1')).toBe(-1);
    expect(() => parseInteger('cpu-quota', '1.5')).toThrow('--cpu-quota: "1.5" is not an integer');
  });
});
