/**
 * JSON that keeps every integer exact. config.json carries 64-bit values (RLIM_INFINITY, seccomp
 * argument masks, memory limits) that JSON.parse rounds to the nearest double, and a JSON.parse
 * reviver cannot see the source text on Node 20. parseJson reads the same grammar as JSON.parse and
 * gives the same values, except that an integer literal beyond Number.MAX_SAFE_INTEGER becomes an
 * exact bigint; stringifyJson writes such values back as the same digits.
 */

/** Deeper nesting is refused rather than exhausting the stack. */
export const MAX_JSON_DEPTH = 1000;

const NUMBER = /-?(?:0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?/y;
const ESCAPES: Readonly<Record<string, string>> = { '"': '"', '\\': '\\', '/': '/', b: '\b', f: '\f', n: '\n', r: '\r', t: '\t' };

class Parser {
  private at = 0;

  constructor(private readonly text: string) {}

  parseDocument(): unknown {
    const value = this.value(0);
    this.skipWhitespace();
    if (this.at < this.text.length) this.fail('unexpected text after the JSON value');
    return value;
  }

  /** "<problem> at line L, column C". */
  private fail(problem: string): never {
    const before = this.text.slice(0, this.at);
    const line = before.split('\n').length;
    const column = this.at - before.lastIndexOf('\n');
    throw new SyntaxError(`${problem} at line ${line}, column ${column}`);
  }

  private unexpected(): never {
    if (this.at >= this.text.length) this.fail('unexpected end of input');
    this.fail(`unexpected ${JSON.stringify(this.text[this.at])}`);
  }

  private skipWhitespace(): void {
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (c !== 0x20 && c !== 0x0a && c !== 0x0d && c !== 0x09) return;
      this.at++;
    }
  }

  private expect(char: string): void {
    this.skipWhitespace();
    if (this.text[this.at] !== char) this.unexpected();
    this.at++;
  }

  private value(depth: number): unknown {
    if (depth > MAX_JSON_DEPTH) this.fail(`nested deeper than ${MAX_JSON_DEPTH} levels`);
    this.skipWhitespace();
    const c = this.text[this.at];
    if (c === '{') return this.object(depth);
    if (c === '[') return this.array(depth);
    if (c === '"') return this.string();
    for (const [word, value] of [['true', true], ['false', false], ['null', null]] as const) {
      if (this.text.startsWith(word, this.at)) {
        this.at += word.length;
        return value;
      }
    }
    return this.number();
  }

  /** The comma-separated items of an object or array, from its opening bracket to `close`. */
  private items(close: string, item: () => void): void {
    this.at++;
    this.skipWhitespace();
    if (this.text[this.at] === close) {
      this.at++;
      return;
    }
    for (;;) {
      item();
      this.skipWhitespace();
      const next = this.text[this.at];
      if (next !== ',' && next !== close) this.unexpected();
      this.at++;
      if (next === close) return;
    }
  }

  private object(depth: number): Record<string, unknown> {
    const result: Record<string, unknown> = {};
    this.items('}', () => {
      this.skipWhitespace();
      if (this.text[this.at] !== '"') this.unexpected();
      const key = this.string();
      this.expect(':');
      // As JSON.parse: "__proto__" is an ordinary own property, never the prototype.
      Object.defineProperty(result, key, { value: this.value(depth + 1), writable: true, enumerable: true, configurable: true });
    });
    return result;
  }

  private array(depth: number): unknown[] {
    const result: unknown[] = [];
    this.items(']', () => result.push(this.value(depth + 1)));
    return result;
  }

  private string(): string {
    this.at++;
    let result = '';
    let chunkStart = this.at;
    for (;;) {
      const c = this.text.charCodeAt(this.at);
      if (Number.isNaN(c)) this.fail('unterminated string');
      if (c < 0x20) this.fail('control character in string');
      if (c === 0x22) {
        result += this.text.slice(chunkStart, this.at++);
        return result;
      }
      if (c !== 0x5c) {
        this.at++;
        continue;
      }
      result += this.text.slice(chunkStart, this.at);
      const escape = this.text[this.at + 1];
      if (escape === 'u') {
        const hex = this.text.slice(this.at + 2, this.at + 6);
        if (!/^[0-9a-fA-F]{4}$/.test(hex)) this.fail('bad \\u escape');
        result += String.fromCharCode(parseInt(hex, 16));
        this.at += 6;
      } else {
        const decoded = escape === undefined ? undefined : ESCAPES[escape];
        if (decoded === undefined) this.fail('bad escape in string');
        result += decoded;
        this.at += 2;
      }
      chunkStart = this.at;
    }
  }

  private number(): number | bigint {
    NUMBER.lastIndex = this.at;
    const match = NUMBER.exec(this.text);
    if (match === null) this.unexpected();
    this.at += match[0].length;
    const value = Number(match[0]);
    const isIntegerLiteral = match[1] === undefined && match[2] === undefined;
    return isIntegerLiteral && !Number.isSafeInteger(value) ? BigInt(match[0]) : value;
  }
}

/**
 * Only an integer literal of 16 digits or more can be beyond 2^53 - 1, and only a document with
 * more than MAX_JSON_DEPTH opening brackets can nest deeper: a document with neither (any state.json,
 * most configs) is read by JSON.parse, which gives the same values natively, where this parser, cold
 * in a fresh CLI process, took about 1.4 ms of a `cista state`.
 */
const LONG_DIGIT_RUN = /[0-9]{16}/;
const OPENING_BRACKETS = /[[{]/g;

/** JSON.parse, with integers beyond 2^53 - 1 (in magnitude) as exact bigints. Throws SyntaxError naming line and column. */
export function parseJson(text: string): unknown {
  if (!LONG_DIGIT_RUN.test(text) && (text.match(OPENING_BRACKETS)?.length ?? 0) <= MAX_JSON_DEPTH) {
    try {
      return JSON.parse(text);
    } catch {
      // The parser below words the error (line and column).
    }
  }
  return new Parser(text).parseDocument();
}

/** JSON.stringify (no indentation) of plain data that may hold bigints, written as their exact digits. */
export function stringifyJson(value: unknown): string {
  const parts: string[] = [];
  const write = (v: unknown): boolean => {
    if (typeof v === 'bigint') {
      parts.push(v.toString());
      return true;
    }
    if (v !== null && typeof v === 'object' && !Array.isArray(v) && typeof (v as { toJSON?: unknown }).toJSON !== 'function') {
      parts.push('{');
      let first = true;
      for (const [key, item] of Object.entries(v)) {
        if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
        parts.push(`${first ? '' : ','}${JSON.stringify(key)}:`);
        write(item);
        first = false;
      }
      parts.push('}');
      return true;
    }
    if (Array.isArray(v)) {
      parts.push('[');
      v.forEach((item, i) => {
        if (i > 0) parts.push(',');
        if (!write(item)) parts.push('null');
      });
      parts.push(']');
      return true;
    }
    const text = JSON.stringify(v);
    if (text === undefined) return false;
    parts.push(text);
    return true;
  };
  write(value);
  return parts.join('');
}
