import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';

import * as protocol from '../../src/generated/protocol';
import { REPO } from './cli';
import { requireFile } from './prerequisites';

/** protocol/definition.js, read as the generator reads it: the test values follow every field it has. */
export interface FieldDefinition {
  name: string;
  type: string;
  omittable?: boolean;
  unit?: string | number;
  minUnits?: string | number;
  maxUnits?: string | number;
}
export interface Definition {
  constants: Array<{ name: string; value: number }>;
  tags: Array<{ name: string; values: Array<{ name: string; char: string }> }>;
  enums: Array<{ name: string; values: Array<{ value: number }> }>;
  structs: Array<{ name: string; fields: FieldDefinition[] }>;
  messages: Array<{ name: string }>;
}
export const definition = require(path.join(REPO, 'protocol', 'definition.js')) as Definition;

const codecs = protocol as unknown as Record<string, (value: unknown) => unknown>;
export const encode = (message: string, value: unknown): Buffer => codecs[`encode${message}`](value) as Buffer;
export const decode = (message: string, bytes: Buffer): unknown => codecs[`decode${message}`](bytes);

/** splitmix-style 32-bit generator: the same seed gives the same values. */
export class Random {
  constructor(private state: number) {}

  u32(): number {
    this.state = (this.state + 0x9e3779b9) >>> 0;
    let z = this.state;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  }

  below(n: number): number {
    return n === 0 ? 0 : this.u32() % n;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.below(items.length)];
  }
}

/**
 * min: every optional null, every list empty, every number 0, every string empty. max: every
 * optional present, numbers at their largest, strings and lists long. random: a mix of both and of
 * random values, with strings and lists up to the given sizes.
 */
export type Mode = 'min' | 'max' | 'random';
export interface Sizes {
  /** Characters of a string at the top level of a message, and below it. */
  topString: number;
  string: number;
  /** Items of a list at the top level of a message, and below it. */
  topList: number;
  list: number;
}

const constant = (ref: string | number | undefined, fallback: number): number =>
  ref === undefined ? fallback : typeof ref === 'number' ? ref : definition.constants.find((c) => c.name === ref)!.value;

/** Characters from all UTF-8 lengths (no NUL, no lone surrogate): what the encoders must carry intact. */
const CHARACTERS = ['a', 'Z', '/', ' ', '\n', '\u0001', '\u007f', 'é', 'ß', '✓', '中', '\u{1f600}', '\u{10ffff}'];

function randomString(rng: Random, length: number): string {
  let s = '';
  for (let i = 0; i < length; i++) s += rng.pick(CHARACTERS);
  return s;
}

function value(type: string, f: FieldDefinition, rng: Random, mode: Mode, depth: number, sizes: Sizes): unknown {
  const list = /^list<(.+)>$/.exec(type);
  if (list !== null) {
    const most = depth === 0 ? sizes.topList : sizes.list;
    const count = mode === 'min' ? 0 : mode === 'max' ? most : rng.pick([0, 1, 2, rng.below(most + 1)]);
    return Array.from({ length: count }, () => value(list[1], f, rng, mode, depth + 1, sizes));
  }
  const optional = /^optional<(.+)>$/.exec(type);
  if (optional !== null) {
    if (mode === 'min' || (mode === 'random' && rng.below(3) === 0)) return null;
    return value(optional[1], f, rng, mode, depth, sizes);
  }
  switch (type) {
    case 'bool':
      return mode === 'max' || (mode === 'random' && rng.below(2) === 1);
    case 'u32':
      return mode === 'min' ? 0 : mode === 'max' ? 0xffffffff : rng.pick([0, 1, 0x7fffffff, 0x80000000, 0xffffffff, rng.u32()]);
    case 'i32':
      return mode === 'min' ? -0x80000000 : mode === 'max' ? 0x7fffffff : rng.pick([0, -1, 1, -20, 19, rng.u32() | 0]);
    case 'u64': {
      const random = (BigInt(rng.u32()) << 32n) | BigInt(rng.u32());
      return mode === 'min' ? 0n : mode === 'max' ? 0xffffffffffffffffn : rng.pick([0n, 1n, 1n << 63n, 0xffffffffffffffffn, random]);
    }
    case 'string': {
      const most = depth === 0 ? sizes.topString : sizes.string;
      return mode === 'min' ? '' : randomString(rng, mode === 'max' ? most : rng.pick([0, 1, rng.below(most + 1)]));
    }
    case 'bytes': {
      const unit = constant(f.unit, 1);
      const min = constant(f.minUnits, 0);
      const max = constant(f.maxUnits, 0);
      const units = mode === 'min' ? min : mode === 'max' ? max : rng.pick([min, max, min + rng.below(max - min + 1)]);
      return Buffer.from(Array.from({ length: units * unit }, () => rng.below(256)));
    }
  }
  const enumeration = definition.enums.find((e) => e.name === type);
  if (enumeration !== undefined) {
    const values = enumeration.values.map((v) => v.value);
    return mode === 'min' ? values[0] : mode === 'max' ? values[values.length - 1] : rng.pick(values);
  }
  return makeStruct(type, rng, mode, sizes, depth);
}

/** A value of the named struct with every field set as `mode` says; omittable fields are sometimes left out. */
export function makeStruct(name: string, rng: Random, mode: Mode, sizes: Sizes, depth = 0): Record<string, unknown> {
  const struct = definition.structs.find((s) => s.name === name)!;
  const result: Record<string, unknown> = {};
  for (const f of struct.fields) {
    if (f.omittable === true && mode === 'random' && rng.below(3) === 0) continue;
    result[f.name] = value(f.type, f, rng, mode, depth + (definition.messages.some((m) => m.name === name) ? 0 : 1), sizes);
  }
  return result;
}

/** What a decoder gives back for `value`: omittable fields that were left out are false. */
export function decoded(type: string, value: unknown): unknown {
  const list = /^list<(.+)>$/.exec(type);
  if (list !== null) return (value as unknown[]).map((item) => decoded(list[1], item));
  const optional = /^optional<(.+)>$/.exec(type);
  if (optional !== null) return value === null ? null : decoded(optional[1], value);
  const struct = definition.structs.find((s) => s.name === type);
  if (struct === undefined) return value;
  const v = value as Record<string, unknown>;
  return Object.fromEntries(struct.fields.map((f) => [f.name, f.omittable === true ? (v[f.name] ?? false) : decoded(f.type, v[f.name])]));
}

/** Compiles native/test/NAME.cc with the generated protocol code into dir; g++ is a prerequisite. */
export function compileDriver(name: string, dir: string, flags: string[]): string {
  requireFile('/usr/bin/g++', 'g++ builds the protocol test drivers');
  const output = path.join(dir, name);
  const sources = [`native/test/${name}.cc`, 'native/generated/protocol_decode.cc', 'native/generated/protocol_encode.cc'];
  const r = spawnSync('g++', ['-std=c++17', '-Wall', '-Wextra', '-Werror', '-Inative', ...flags, ...sources, '-o', output], {
    cwd: REPO,
    encoding: 'utf8',
  });
  if (r.status !== 0) throw new Error(`g++ failed building ${name}:\n${r.stderr}`);
  fs.chmodSync(output, 0o755);
  return output;
}
