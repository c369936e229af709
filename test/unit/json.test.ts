import { describe, expect, it } from 'vitest';

import { MAX_JSON_DEPTH, parseJson, stringifyJson } from '../../src/engine/json';

/** Documents JSON.parse and parseJson must read to the same value (none has an integer beyond 2^53). */
const SAME_AS_JSON_PARSE = [
  '0', '-0', '1', '-1', '9007199254740991', '-9007199254740991', '1.5', '-0.25e-3', '1E+2', '1e400', '2.5e-400',
  '9007199254740993.0', '1e20', 'true', 'false', 'null', '""', '"a"', '"\\u00e9\\n\\t\\"\\\\\\/\\b\\f\\r"', '"\\ud83d\\ude00"', '"\\ud800"',
  '"é😀"', '[]', '[1,[2,[3]],{}]', '{}', ' {"a" : 1 , "b":[ true , null ] }\n', '{"a":1,"a":2}', '{"__proto__":{"x":1}}',
  '{"constructor":1,"toString":"x"}', '\t\r\n[\t1\r\n]',
];

/** Text JSON.parse refuses; parseJson must refuse it too. */
const INVALID = [
  '', ' ', '{', '}', '[1,]', '{"a":1,}', '{a:1}', "{'a':1}", '01', '-', '1.', '.5', '1e', '+1', 'NaN', 'Infinity', 'tru', 'nul',
  '"a', '"\\x"', '"\\u12"', '"\n"', '[1 2]', '{"a" 1}', '1 2', '{"a":1}x', '\u00a0 1', '0x10',
];

describe('parseJson', () => {
  it.each(SAME_AS_JSON_PARSE)('reads %j as JSON.parse does', (text) => {
    expect(parseJson(text)).toStrictEqual(JSON.parse(text));
  });

  it('keeps "__proto__" an own property, as JSON.parse does, never the prototype', () => {
    const value = parseJson('{"__proto__":{"polluted":true}}') as Record<string, unknown>;
    expect(Object.getPrototypeOf(value)).toBe(Object.prototype);
    expect(Object.keys(value)).toEqual(['__proto__']);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it.each(INVALID)('refuses %j with a SyntaxError naming line and column', (text) => {
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(() => parseJson(text)).toThrow(/ at line \d+, column \d+$/);
  });

  it('names where the text goes wrong', () => {
    expect(() => parseJson('{\n  "a": 1,\n  "b": }')).toThrow(new SyntaxError('unexpected "}" at line 3, column 8'));
    expect(() => parseJson('[1,')).toThrow(new SyntaxError('unexpected end of input at line 1, column 4'));
  });

  it('gives integers beyond 2^53 as exact bigints and keeps smaller ones numbers', () => {
    const text = '[9007199254740991,9007199254740992,18446744073709551615,-9223372036854775808,123456789012345678901234567890]';
    expect(parseJson(text)).toStrictEqual([
      9007199254740991,
      9007199254740992n,
      18446744073709551615n,
      -9223372036854775808n,
      123456789012345678901234567890n,
    ]);
  });

  it('leaves numbers with a fraction or an exponent as JSON.parse reads them', () => {
    expect(parseJson('[1e20,18446744073709551615.0]')).toStrictEqual([1e20, 18446744073709551616]);
  });

  it('refuses nesting deeper than its limit instead of overflowing the stack', () => {
    expect(parseJson('['.repeat(MAX_JSON_DEPTH) + ']'.repeat(MAX_JSON_DEPTH))).toBeInstanceOf(Array);
    expect(() => parseJson('['.repeat(100000))).toThrow(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    // Well-formed, which JSON.parse would read: the limit holds for it too.
    expect(() => parseJson('['.repeat(2 * MAX_JSON_DEPTH) + ']'.repeat(2 * MAX_JSON_DEPTH))).toThrow(`nested deeper than ${MAX_JSON_DEPTH} levels`);
  });

  it('reads random documents as JSON.parse does', () => {
    let seed = 7;
    const random = () => (seed = (seed * 1103515245 + 12345) % 2 ** 31) / 2 ** 31;
    const generate = (depth: number): unknown => {
      const kind = Math.floor(random() * (depth > 3 ? 4 : 6));
      if (kind === 0) return Math.floor((random() - 0.5) * 2 ** 52);
      // Below 2^53: JSON.stringify writes larger doubles as integer literals, which parseJson keeps exact.
      if (kind === 1) return (random() - 0.5) * 10 ** Math.floor(random() * 30 - 20);
      if (kind === 2) return String.fromCharCode(...Array.from({ length: Math.floor(random() * 12) }, () => Math.floor(random() * 0x3000)));
      if (kind === 3) return [true, false, null][Math.floor(random() * 3)];
      if (kind === 4) return Array.from({ length: Math.floor(random() * 5) }, () => generate(depth + 1));
      return Object.fromEntries(Array.from({ length: Math.floor(random() * 5) }, (_, i) => [`k${i}${String.fromCharCode(Math.floor(random() * 200))}`, generate(depth + 1)]));
    };
    for (let i = 0; i < 500; i++) {
      const text = JSON.stringify(generate(0), null, i % 2 === 0 ? undefined : ' ');
      expect(parseJson(text)).toStrictEqual(JSON.parse(text));
    }
  });
});

describe('stringifyJson', () => {
  it('writes what JSON.stringify writes for plain data', () => {
    const value = { a: 1, b: 'x"\n', c: [1, null, undefined, true], d: { e: undefined, f: -0.5 }, g: [] as unknown[], h: {} };
    expect(stringifyJson(value)).toBe(JSON.stringify(value));
  });

  it('writes bigints as their exact digits, so parseJson reads back the same values', () => {
    const value = { soft: 18446744073709551615n, hard: -9223372036854775808n, small: 5, list: [9007199254740993n] };
    const text = stringifyJson(value);
    expect(text).toBe('{"soft":18446744073709551615,"hard":-9223372036854775808,"small":5,"list":[9007199254740993]}');
    expect(parseJson(text)).toStrictEqual(value);
  });
});
