#!/usr/bin/env node
'use strict';
/**
 * Generates both sides of the protocol from protocol/definition.js (run by `npm ci` before node-gyp
 * and by `npm run build:ts` before tsc; plain Node because nothing is compiled yet):
 *
 *   src/generated/protocol.ts          types, constants, encoders and decoders
 *   native/generated/protocol.h        structs, constants, decoder and encoder declarations
 *   native/generated/protocol_decode.cc   the bounds-checked decoder (the addon and the init)
 *   native/generated/protocol_encode.cc   the encoder (test drivers only)
 *
 * Files are rewritten only when their text changes, so an unchanged definition rebuilds nothing.
 */
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const ROOT = path.join(__dirname, '..');
const DEFINITION = 'protocol/definition.js';
const BANNER = `Generated from ${DEFINITION} by protocol/generate.js: do not edit.`;

const SCALAR_SIZES = { bool: 1, u32: 4, i32: 4, u64: 8, string: 4, bytes: 4 };
/** Hashed into every format version with the layout: bump it when the encoding rules below change. */
const ENCODING = 1;

// ---- reading the definition ----

function load() {
  const def = require(path.join(ROOT, DEFINITION));
  const constants = new Map(def.constants.map((c) => [c.name, c]));
  const enums = new Map(def.enums.map((e) => [e.name, e]));
  const structs = new Map(def.structs.map((s) => [s.name, s]));
  const names = [...constants.keys(), ...enums.keys(), ...structs.keys(), ...def.tags.map((t) => t.name)];
  const duplicate = names.find((n, i) => names.indexOf(n) !== i);
  if (duplicate !== undefined) throw new Error(`${DEFINITION}: ${duplicate} is defined twice`);

  function parse(text, where) {
    const m = /^(list|optional)<(.+)>$/.exec(text);
    if (m !== null) {
      const of = parse(m[2], where);
      if (of.kind === 'optional') throw new Error(`${where}: ${text}: an optional cannot be nested`);
      return { kind: m[1], of };
    }
    if (text in SCALAR_SIZES) return { kind: text };
    if (enums.has(text)) return { kind: 'enum', name: text };
    if (structs.has(text)) return { kind: 'struct', name: text };
    throw new Error(`${where}: unknown type ${text}`);
  }
  function constant(ref, where) {
    if (typeof ref === 'number') return ref;
    if (!constants.has(ref)) throw new Error(`${where}: unknown constant ${ref}`);
    return constants.get(ref).value;
  }

  for (const s of def.structs) {
    const fieldNames = new Set();
    for (const f of s.fields) {
      const where = `${DEFINITION}: ${s.name}.${f.name}`;
      if (fieldNames.has(f.name)) throw new Error(`${where}: defined twice`);
      fieldNames.add(f.name);
      f.parsed = parse(f.type, where);
      if (f.omittable && f.type !== 'bool') throw new Error(`${where}: only a bool may be omittable`);
      if ((f.parsed.of ?? f.parsed).kind === 'bytes') {
        f.unitSize = constant(f.unit ?? 1, where);
        f.minUnitsValue = constant(f.minUnits ?? 0, where);
        f.maxUnitsValue = constant(f.maxUnits, where);
      }
    }
  }
  for (const m of def.messages) {
    if (!structs.has(m.name)) throw new Error(`${DEFINITION}: message ${m.name} is not a struct`);
    if (m.maxBytes !== undefined && !constants.has(m.maxBytes)) throw new Error(`${DEFINITION}: message ${m.name}: unknown constant ${m.maxBytes}`);
  }

  // Every struct must be reachable from a message (the TS build refuses unused functions).
  const reachable = new Set();
  const visit = (name) => {
    if (reachable.has(name)) return;
    reachable.add(name);
    for (const f of structs.get(name).fields) {
      const inner = f.parsed.of ?? f.parsed;
      if (inner.kind === 'struct') visit(inner.name);
    }
  };
  def.messages.forEach((m) => visit(m.name));
  const unused = def.structs.find((s) => !reachable.has(s.name));
  if (unused !== undefined) throw new Error(`${DEFINITION}: struct ${unused.name} is in no message`);

  /** The fewest bytes a value of this type encodes to: bounds counts before anything is allocated. */
  function minSize(t) {
    if (t.kind === 'enum') return 4;
    if (t.kind === 'list') return 4;
    if (t.kind === 'optional') return 1;
    if (t.kind === 'struct') return structs.get(t.name).fields.reduce((sum, f) => sum + minSize(f.parsed), 0);
    return SCALAR_SIZES[t.kind];
  }
  /** The wire layout only (no docs, no names of things that do not travel): what the version hashes. */
  function layout(t, f) {
    if (t.kind === 'list' || t.kind === 'optional') return `${t.kind}<${layout(t.of, f)}>`;
    if (t.kind === 'enum') return `${t.name}(${enums.get(t.name).values.map((v) => v.value).join(',')})`;
    if (t.kind === 'struct') return `${t.name}{${structs.get(t.name).fields.map((g) => `${g.name}:${layout(g.parsed, g)}`).join(';')}}`;
    if (t.kind === 'bytes') return `bytes(${f.unitSize}*${f.minUnitsValue}..${f.maxUnitsValue})`;
    return t.kind;
  }
  for (const m of def.messages) {
    const hash = crypto.createHash('sha256').update(`${ENCODING}:${m.name}=${layout({ kind: 'struct', name: m.name })}`).digest();
    m.version = hash.readUInt32LE(0);
  }
  for (const s of def.structs) {
    for (const f of s.fields) {
      if (f.parsed.kind === 'list' && minSize(f.parsed.of) === 0) throw new Error(`${DEFINITION}: ${s.name}.${f.name}: items of no size`);
    }
  }
  return { def, enums, structs, minSize };
}

// ---- naming ----

const words = (name) => name.replace(/([a-z0-9])([A-Z])/g, '$1_$2').split('_').filter(Boolean);
const snake = (name) => words(name).map((w) => w.toLowerCase()).join('_');
const upperSnake = (name) => words(name).map((w) => w.toUpperCase()).join('_');
const cppConstant = (name) => `k${words(name).map((w) => w[0].toUpperCase() + w.slice(1).toLowerCase()).join('')}`;
const versionName = (message) => `${upperSnake(message)}_VERSION`;
const hex = (n) => `0x${n.toString(16).padStart(8, '0')}`;
const charLiteral = (c) => `'${c === "'" || c === '\\' ? `\\${c}` : c}'`;

function wrap(text, width, prefix) {
  const lines = [];
  let line = '';
  for (const word of text.split(/\s+/)) {
    if (line !== '' && prefix.length + line.length + 1 + word.length > width) {
      lines.push(prefix + line);
      line = word;
    } else {
      line = line === '' ? word : `${line} ${word}`;
    }
  }
  if (line !== '') lines.push(prefix + line);
  return lines;
}
function tsDoc(doc, indent) {
  if (!doc) return [];
  const line = `${indent}/** ${doc} */`;
  return line.length <= 110 ? [line] : [`${indent}/**`, ...wrap(doc, 110, `${indent} * `), `${indent} */`];
}
const cppDoc = (doc, indent) => (doc ? wrap(doc, 110, `${indent}// `) : []);

// ---- TypeScript ----

function tsType(t) {
  switch (t.kind) {
    case 'bool': return 'boolean';
    case 'u32': return 'number';
    case 'i32': return 'number';
    case 'u64': return 'bigint';
    case 'string': return 'string';
    case 'bytes': return 'Buffer';
    case 'list': return `${tsType(t.of)}[]`;
    case 'optional': return `${tsType(t.of)} | null`;
    default: return t.name;
  }
}

function generateTs({ def, enums, minSize }) {
  const out = [`// ${BANNER}`, ''];
  for (const c of def.constants) out.push(...tsDoc(c.doc, ''), `export const ${c.name} = ${c.value};`);
  for (const m of def.messages) {
    out.push(`/** Format version at the start of an encoded ${m.name}: a hash of its layout. */`);
    out.push(`export const ${versionName(m.name)} = ${hex(m.version)};`);
  }
  out.push('');
  for (const tags of def.tags) {
    out.push(...tsDoc(tags.doc, ''), `export const ${tags.name} = {`);
    for (const v of tags.values) out.push(...tsDoc(v.doc, '  '), `  ${v.name}: ${charLiteral(v.char)},`);
    out.push('} as const;', '');
  }
  for (const ns of def.namespaces) out.push(`export const ${ns.flag} = ${hex(ns.value)};`);
  out.push(
    '/** The namespace types of config.json, in the order error messages list them. */',
    `export const NAMESPACE_TYPES = [${def.namespaces.map((ns) => `'${ns.name}'`).join(', ')}] as const;`,
    'export type NamespaceType = (typeof NAMESPACE_TYPES)[number];',
    'export interface NamespaceInfo {',
    '  type: NamespaceType;',
    '  /** CLONE_NEW* */',
    '  flag: number;',
    '  /** Its file in /proc/PID/ns. */',
    '  procFile: string;',
    '  /** One thread of a multithreaded process may setns() into it (the runtime enters it around clone()). */',
    '  threadJoinable: boolean;',
    '}',
    'export const NAMESPACES: readonly NamespaceInfo[] = [',
    ...def.namespaces.map((ns) => `  { type: '${ns.name}', flag: ${ns.flag}, procFile: '${ns.procFile}', threadJoinable: ${ns.threadJoinable} },`),
    '];',
    '',
  );
  for (const e of def.enums) {
    out.push(...tsDoc(e.doc, ''), `export enum ${e.name} {`);
    for (const v of e.values) out.push(...tsDoc(v.doc, '  '), `  ${v.name} = ${v.value},`);
    out.push('}', '');
  }
  for (const s of def.structs) {
    out.push(...tsDoc(s.doc, ''), `export interface ${s.name} {`);
    for (const f of s.fields) out.push(...tsDoc(f.doc, '  '), `  ${f.name}${f.omittable ? '?' : ''}: ${tsType(f.parsed)};`);
    out.push('}', '');
  }

  out.push(TS_RUNTIME);

  const enumValues = (name) => `[${enums.get(name).values.map((v) => v.value).join(', ')}]`;
  const bytesArgs = (f) => `${f.unitSize}, ${f.minUnitsValue}, ${f.maxUnitsValue}, '${f.unitName ?? 'byte'}'`;
  function write(t, expr, where, f) {
    switch (t.kind) {
      case 'struct': return `write${t.name}(w, ${expr});`;
      case 'enum': return `w.enumeration(${expr}, ${enumValues(t.name)}, '${where}');`;
      case 'bytes': return `w.bytes(${expr}, '${where}', ${bytesArgs(f)});`;
      case 'list': return `w.list(${expr}, '${where}', (item) => ${write(t.of, 'item', `${where}[]`, f).slice(0, -1)});`;
      case 'optional': return `if (w.present(${expr} != null, '${where}')) ${write(t.of, `${expr}!`, where, f)}`;
      default: return `w.${t.kind}(${expr}, '${where}');`;
    }
  }
  function read(t, where, f) {
    switch (t.kind) {
      case 'struct': return `read${t.name}(r)`;
      case 'enum': return `r.enumeration(${enumValues(t.name)}, '${where}') as ${t.name}`;
      case 'bytes': return `r.bytes('${where}', ${bytesArgs(f)})`;
      case 'list': return `r.list(${minSize(t.of)}, '${where}', () => ${read(t.of, `${where}[]`, f)})`;
      case 'optional': return `r.present('${where}') ? ${read(t.of, where, f)} : null`;
      default: return `r.${t.kind}('${where}')`;
    }
  }
  for (const s of def.structs) {
    out.push(`function write${s.name}(w: Writer, v: ${s.name}): void {`);
    for (const f of s.fields) {
      const expr = f.omittable ? `v.${f.name} ?? false` : `v.${f.name}`;
      out.push(`  ${write(f.parsed, expr, `${s.name}.${f.name}`, f)}`);
    }
    out.push('}', '');
    out.push(`function read${s.name}(r: Reader): ${s.name} {`, '  return {');
    for (const f of s.fields) out.push(`    ${f.name}: ${read(f.parsed, `${s.name}.${f.name}`, f)},`);
    out.push('  };', '}', '');
  }
  for (const m of def.messages) {
    const version = versionName(m.name);
    out.push(
      `/** ${m.name} -> bytes; throws naming the field when a value does not fit its type. */`,
      `export function encode${m.name}(value: ${m.name}): Buffer {`,
      '  const w = new Writer();',
      `  w.u32(${version}, '${m.name} version');`,
      `  write${m.name}(w, value);`,
      `  return w.finish('${m.what}', ${m.maxBytes ?? '0xffffffff'});`,
      '}',
      '',
      `/** bytes -> ${m.name}; throws on anything but exactly one well-formed ${m.what}. */`,
      `export function decode${m.name}(bytes: Buffer): ${m.name} {`,
      `  const r = new Reader(bytes, '${m.what}');`,
      `  r.version(${version});`,
      `  const value = read${m.name}(r);`,
      '  r.end();',
      '  return value;',
      '}',
      '',
    );
  }
  return out.join('\n');
}

const TS_RUNTIME = `function fieldError(where: string, problem: string): Error {
  return new Error(\`\${where}: \${problem}\`);
}

/** A message above the size the other side accepts: input can reach it (tens of thousands of mounts), so callers tell it apart. */
export class MessageTooLarge extends Error {
  constructor(readonly what: string, readonly bytes: number, readonly maxBytes: number) {
    super(\`the \${what} is \${bytes} bytes, more than the \${maxBytes} the other side accepts\`);
    this.name = 'MessageTooLarge';
  }
}

class Writer {
  private buffer = Buffer.alloc(1024);
  private length = 0;

  /** Room for \`size\` more bytes; may replace this.buffer, so call it before reading that. */
  private reserve(size: number): number {
    if (this.length + size > this.buffer.length) {
      const grown = Buffer.alloc(Math.max(this.buffer.length * 2, this.length + size));
      this.buffer.copy(grown, 0, 0, this.length);
      this.buffer = grown;
    }
    const at = this.length;
    this.length += size;
    return at;
  }

  bool(v: boolean, where: string): void {
    if (typeof v !== 'boolean') throw fieldError(where, \`\${String(v)} is not a boolean\`);
    const at = this.reserve(1);
    this.buffer[at] = v ? 1 : 0;
  }

  /** The presence byte of an optional value. */
  present(has: boolean, where: string): boolean {
    this.bool(has, where);
    return has;
  }

  u32(v: number, where: string): void {
    if (!Number.isInteger(v) || v < 0 || v > 0xffffffff) throw fieldError(where, \`\${String(v)} is not a u32\`);
    const at = this.reserve(4);
    this.buffer.writeUInt32LE(v, at);
  }

  i32(v: number, where: string): void {
    if (!Number.isInteger(v) || v < -0x80000000 || v > 0x7fffffff) throw fieldError(where, \`\${String(v)} is not an i32\`);
    const at = this.reserve(4);
    this.buffer.writeInt32LE(v, at);
  }

  u64(v: bigint, where: string): void {
    if (typeof v !== 'bigint' || v < 0n || v > 0xffffffffffffffffn) throw fieldError(where, \`\${String(v)} is not a u64\`);
    const at = this.reserve(8);
    this.buffer.writeBigUInt64LE(v, at);
  }

  enumeration(v: number, values: readonly number[], where: string): void {
    if (!values.includes(v)) throw fieldError(where, \`\${String(v)} is not one of \${values.join(', ')}\`);
    this.u32(v, where);
  }

  string(v: string, where: string): void {
    if (typeof v !== 'string') throw fieldError(where, \`\${String(v)} is not a string\`);
    const bytes = Buffer.from(v, 'utf8');
    if (bytes.includes(0)) throw fieldError(where, \`string contains a NUL byte: \${JSON.stringify(v)}\`);
    this.raw(bytes, where);
  }

  bytes(v: Buffer, where: string, unit: number, minUnits: number, maxUnits: number, unitName: string): void {
    if (!Buffer.isBuffer(v)) throw fieldError(where, 'is not a Buffer');
    if (v.length % unit !== 0 || v.length < minUnits * unit || v.length > maxUnits * unit) {
      throw fieldError(where, \`\${v.length} bytes are not \${minUnits} to \${maxUnits} \${unitName} of \${unit} bytes\`);
    }
    this.raw(v, where);
  }

  list<T>(items: readonly T[], where: string, each: (item: T) => void): void {
    if (!Array.isArray(items)) throw fieldError(where, 'is not an array');
    this.u32(items.length, where);
    for (const item of items) each(item);
  }

  finish(what: string, maxBytes: number): Buffer {
    if (this.length > maxBytes) throw new MessageTooLarge(what, this.length, maxBytes);
    return Buffer.from(this.buffer.subarray(0, this.length));
  }

  private raw(bytes: Buffer, where: string): void {
    this.u32(bytes.length, where);
    const at = this.reserve(bytes.length);
    bytes.copy(this.buffer, at);
  }
}

class Reader {
  private at = 0;

  constructor(
    private readonly buffer: Buffer,
    private readonly what: string,
  ) {}

  private fail(where: string, problem: string): never {
    throw new Error(\`\${this.what} is malformed: \${where} \${problem}\`);
  }

  private take(size: number, where: string): number {
    if (size > this.buffer.length - this.at) this.fail(where, 'runs past the end');
    const at = this.at;
    this.at += size;
    return at;
  }

  version(expected: number): void {
    if (this.u32('version') !== expected) throw new Error(\`\${this.what} has an unknown format version\`);
  }

  bool(where: string): boolean {
    const v = this.buffer[this.take(1, where)];
    if (v > 1) this.fail(where, \`is \${v}, not 0 or 1\`);
    return v === 1;
  }

  present(where: string): boolean {
    return this.bool(where);
  }

  u32(where: string): number {
    return this.buffer.readUInt32LE(this.take(4, where));
  }

  i32(where: string): number {
    return this.buffer.readInt32LE(this.take(4, where));
  }

  u64(where: string): bigint {
    return this.buffer.readBigUInt64LE(this.take(8, where));
  }

  enumeration(values: readonly number[], where: string): number {
    const v = this.u32(where);
    if (!values.includes(v)) this.fail(where, \`is \${v}, not a known value\`);
    return v;
  }

  string(where: string): string {
    const bytes = this.raw(where);
    if (bytes.includes(0)) this.fail(where, 'contains a NUL byte');
    return bytes.toString('utf8');
  }

  bytes(where: string, unit: number, minUnits: number, maxUnits: number, unitName: string): Buffer {
    const bytes = this.raw(where);
    if (bytes.length % unit !== 0 || bytes.length < minUnits * unit || bytes.length > maxUnits * unit) {
      this.fail(where, \`is not \${minUnits} to \${maxUnits} \${unitName}\`);
    }
    return Buffer.from(bytes);
  }

  /** A count no larger than the rest of the buffer could hold items of at least minItemSize bytes. */
  list<T>(minItemSize: number, where: string, each: () => T): T[] {
    const count = this.u32(where);
    if (count > (this.buffer.length - this.at) / minItemSize) this.fail(where, \`claims \${count} items, more than the rest could hold\`);
    const items: T[] = [];
    for (let i = 0; i < count; i++) items.push(each());
    return items;
  }

  end(): void {
    if (this.at !== this.buffer.length) this.fail('the end', \`is followed by \${this.buffer.length - this.at} more bytes\`);
  }

  private raw(where: string): Buffer {
    const size = this.u32(where);
    const at = this.take(size, where);
    return this.buffer.subarray(at, at + size);
  }
}
`;

// ---- C++ ----

function cppType(t) {
  switch (t.kind) {
    case 'bool': return 'bool';
    case 'u32': return 'uint32_t';
    case 'i32': return 'int32_t';
    case 'u64': return 'uint64_t';
    case 'string': return 'std::string';
    case 'bytes': return 'std::vector<uint8_t>';
    case 'list': return `std::vector<${cppType(t.of)}>`;
    default: return t.name;
  }
}

function cppDefault(t, enums) {
  if (t.kind === 'bool') return ' = false';
  if (t.kind === 'u32' || t.kind === 'i32' || t.kind === 'u64') return ' = 0';
  if (t.kind === 'enum') return ` = ${t.name}::${enums.get(t.name).values[0].name}`;
  return '';
}

function generateHeader({ def, enums }) {
  const out = [`// ${BANNER}`, '#pragma once', '', '#include <stddef.h>', '#include <stdint.h>', '', '#include <string>', '#include <vector>', '', 'namespace cista {', ''];
  for (const c of def.constants) out.push(...cppDoc(c.doc, ''), `constexpr uint32_t ${cppConstant(c.name)} = ${c.value};`);
  for (const m of def.messages) {
    out.push(`// Format version at the start of an encoded ${m.name}: a hash of its layout.`);
    out.push(`constexpr uint32_t ${cppConstant(versionName(m.name))} = ${hex(m.version)}u;`);
  }
  out.push('');
  for (const tags of def.tags) {
    out.push(...cppDoc(tags.doc, ''), `struct ${tags.name} {`);
    for (const v of tags.values) out.push(...cppDoc(v.doc, '  '), `  static constexpr char ${cppConstant(v.name)} = ${charLiteral(v.char)};`);
    out.push('};', '');
  }
  out.push(
    '// The namespace types of config.json: CLONE_NEW* flag, file in /proc/PID/ns, and whether one thread of a',
    '// multithreaded process may setns() into it.',
    'struct NamespaceInfo {',
    '  const char* type;',
    '  uint32_t flag;',
    '  const char* proc_file;',
    '  bool thread_joinable;',
    '};',
    'constexpr NamespaceInfo kNamespaces[] = {',
    ...def.namespaces.map((ns) => `    {"${ns.name}", ${hex(ns.value)}u, "${ns.procFile}", ${ns.threadJoinable}},  // ${ns.flag}`),
    '};',
    '',
  );
  for (const e of def.enums) {
    out.push(...cppDoc(e.doc, ''), `enum class ${e.name} : uint32_t {`);
    for (const v of e.values) out.push(...cppDoc(v.doc, '  '), `  ${v.name} = ${v.value},`);
    out.push('};', '');
  }
  for (const s of def.structs) {
    out.push(...cppDoc(s.doc, ''), `struct ${s.name} {`);
    for (const f of s.fields) {
      out.push(...cppDoc(f.doc, '  '));
      const name = snake(f.name);
      if (f.parsed.kind === 'optional') {
        out.push(`  bool has_${name} = false;`, `  ${cppType(f.parsed.of)} ${name}${cppDefault(f.parsed.of, enums)};`);
      } else {
        out.push(`  ${cppType(f.parsed)} ${name}${cppDefault(f.parsed, enums)};`);
      }
    }
    out.push('};', '');
  }
  for (const m of def.messages) {
    const fn = snake(m.name);
    out.push(
      `// Decodes exactly one ${m.what}. Every length is bounded by the buffer, counts by what the rest could`,
      '// hold; false (and why, naming the field) on a wrong version, truncation, overrun, NUL in a string,',
      '// unknown enum value, bool other than 0/1, or trailing bytes.',
      `bool decode_${fn}(const uint8_t* data, size_t size, ${m.name}* out, std::string* error);`,
      `// The inverse (test drivers only): values are written as they are, unchecked.`,
      `std::vector<uint8_t> encode_${fn}(const ${m.name}& value);`,
      '',
    );
  }
  out.push(
    '// Test drivers: decodes the message named `message` and encodes it again (false and why if it does not decode).',
    'bool reencode(const std::string& message, const uint8_t* data, size_t size, std::vector<uint8_t>* out, std::string* error);',
    '',
    '}  // namespace cista',
    '',
  );
  return out.join('\n');
}

function generateDecoder({ def, enums, minSize }) {
  const out = [
    `// ${BANNER}`,
    '// A short or oversized field fails the whole message: a length can never run past the received buffer',
    '// (the lesson of CVE-2021-43784), and a forged count cannot allocate more than the bytes could describe.',
    '#include <linux/sched.h>',
    '#include <string.h>',
    '',
    '#include "generated/protocol.h"',
    '',
    'namespace cista {',
    '',
    ...def.namespaces.map((ns) => `static_assert(${ns.flag} == ${hex(ns.value)}, "${ns.flag} differs from linux/sched.h");`),
    '',
    'namespace {',
    '',
    CPP_READER,
  ];
  for (const s of def.structs) out.push(`void read(Reader& r, ${s.name}* v);`);
  out.push('');
  const bytesArgs = (f) => `${f.unitSize}, ${f.minUnitsValue}, ${f.maxUnitsValue}`;
  function read(t, target, where, f, indent) {
    switch (t.kind) {
      case 'struct': return [`${indent}read(r, &${target});`];
      case 'enum': {
        const checks = enums.get(t.name).values.map((v) => `raw != ${v.value}`).join(' && ');
        return [
          `${indent}{`,
          `${indent}  uint32_t raw = r.u32("${where}");`,
          `${indent}  if (${checks}) r.fail("${where}", "is not a known value");`,
          `${indent}  ${target} = ${t.name}(raw);`,
          `${indent}}`,
        ];
      }
      case 'bytes': return [`${indent}r.bytes(&${target}, ${bytesArgs(f)}, "${where}");`];
      case 'string': return [`${indent}r.string(&${target}, "${where}");`];
      case 'list': return [
        `${indent}for (uint32_t i = 0, n = r.count(${minSize(t.of)}, "${where}"); i < n && r.ok(); i++) {`,
        `${indent}  ${target}.emplace_back();`,
        ...read(t.of, `${target}.back()`, `${where}[]`, f, `${indent}  `),
        `${indent}}`,
      ];
      default: return [`${indent}${target} = r.${t.kind === 'bool' ? 'boolean' : t.kind}("${where}");`];
    }
  }
  for (const s of def.structs) {
    out.push(`void read(Reader& r, ${s.name}* v) {`);
    for (const f of s.fields) {
      const where = `${s.name}.${f.name}`;
      const name = snake(f.name);
      if (f.parsed.kind === 'optional') {
        out.push(`  v->has_${name} = r.boolean("${where}");`, `  if (v->has_${name}) {`, ...read(f.parsed.of, `v->${name}`, where, f, '    '), '  }');
      } else {
        out.push(...read(f.parsed, `v->${name}`, where, f, '  '));
      }
    }
    out.push('}', '');
  }
  out.push('}  // namespace', '');
  for (const m of def.messages) {
    out.push(
      `bool decode_${snake(m.name)}(const uint8_t* data, size_t size, ${m.name}* out, std::string* error) {`,
      '  Reader r(data, size);',
      `  if (r.u32("version") != ${cppConstant(versionName(m.name))} || !r.ok()) {`,
      `    *error = "${m.what} has an unknown format version (a runtime and init helper of different builds?)";`,
      '    return false;',
      '  }',
      '  read(r, out);',
      '  r.expect_end();',
      `  return r.result("${m.what}", error);`,
      '}',
      '',
    );
  }
  out.push('}  // namespace cista', '');
  return out.join('\n');
}

const CPP_READER = `class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool ok() const { return where_ == nullptr; }

  // Keeps the first failure; every read after it returns zeros without touching the buffer.
  void fail(const char* where, const char* problem) {
    if (where_ != nullptr) return;
    where_ = where;
    problem_ = problem;
  }

  bool boolean(const char* where) {
    uint8_t v = 0;
    take(&v, 1, where);
    if (v > 1) fail(where, "is neither 0 nor 1");
    return v == 1;
  }
  uint32_t u32(const char* where) {
    uint8_t b[4] = {0, 0, 0, 0};
    take(b, 4, where);
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }
  // Two's complement, as the TypeScript side writes it.
  int32_t i32(const char* where) { return int32_t(u32(where)); }
  uint64_t u64(const char* where) {
    uint64_t lo = u32(where);
    uint64_t hi = u32(where);
    return lo | hi << 32;
  }
  void string(std::string* out, const char* where) {
    size_t len = length(where);
    if (!ok()) return;
    if (memchr(data_ + pos_, 0, len) != nullptr) return fail(where, "contains a NUL byte");
    out->assign(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
  }
  // u32 length + raw bytes: a whole number of \`unit\`-byte units, min_units to max_units of them.
  void bytes(std::vector<uint8_t>* out, size_t unit, size_t min_units, size_t max_units, const char* where) {
    size_t len = length(where);
    if (!ok()) return;
    if (len % unit != 0 || len < min_units * unit || len > max_units * unit) return fail(where, "has a size out of bounds");
    out->assign(data_ + pos_, data_ + pos_ + len);
    pos_ += len;
  }
  // A count of items of at least min_item_size bytes each, no more than the rest of the buffer holds.
  uint32_t count(size_t min_item_size, const char* where) {
    uint32_t n = u32(where);
    if (ok() && n > (size_ - pos_) / min_item_size) fail(where, "claims more items than the rest could hold");
    return ok() ? n : 0;
  }
  void expect_end() {
    if (ok() && pos_ != size_) fail("the end", "is followed by trailing bytes");
  }
  bool result(const char* what, std::string* error) const {
    if (ok()) return true;
    *error = std::string(what) + " is malformed: " + where_ + " " + problem_;
    return false;
  }

 private:
  void take(void* out, size_t n, const char* where) {
    if (!ok()) return;
    if (n > size_ - pos_) return fail(where, "runs past the end");
    memcpy(out, data_ + pos_, n);
    pos_ += n;
  }
  // A u32 length that the rest of the buffer covers.
  size_t length(const char* where) {
    uint32_t len = u32(where);
    if (ok() && len > size_ - pos_) fail(where, "runs past the end");
    return ok() ? len : 0;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  const char* where_ = nullptr;
  const char* problem_ = nullptr;
};
`;

function generateEncoder({ def }) {
  const out = [
    `// ${BANNER}`,
    '#include <utility>',
    '',
    '#include "generated/protocol.h"',
    '',
    'namespace cista {',
    'namespace {',
    '',
    CPP_WRITER,
  ];
  for (const s of def.structs) out.push(`void write(Writer& w, const ${s.name}& v);`);
  out.push('');
  function write(t, expr, indent) {
    switch (t.kind) {
      case 'struct': return [`${indent}write(w, ${expr});`];
      case 'enum': return [`${indent}w.u32(uint32_t(${expr}));`];
      case 'bool': return [`${indent}w.u8(${expr} ? 1 : 0);`];
      case 'list': return [
        `${indent}w.u32(uint32_t(${expr}.size()));`,
        `${indent}for (const auto& item : ${expr}) {`,
        ...write(t.of, 'item', `${indent}  `),
        `${indent}}`,
      ];
      case 'string': case 'bytes': return [`${indent}w.raw(${expr}.data(), ${expr}.size());`];
      default: return [`${indent}w.${t.kind}(${expr});`];
    }
  }
  for (const s of def.structs) {
    out.push(`void write(Writer& w, const ${s.name}& v) {`);
    for (const f of s.fields) {
      const name = snake(f.name);
      if (f.parsed.kind === 'optional') {
        out.push(`  w.u8(v.has_${name} ? 1 : 0);`, `  if (v.has_${name}) {`, ...write(f.parsed.of, `v.${name}`, '    '), '  }');
      } else {
        out.push(...write(f.parsed, `v.${name}`, '  '));
      }
    }
    out.push('}', '');
  }
  out.push('}  // namespace', '');
  for (const m of def.messages) {
    out.push(
      `std::vector<uint8_t> encode_${snake(m.name)}(const ${m.name}& value) {`,
      '  Writer w;',
      `  w.u32(${cppConstant(versionName(m.name))});`,
      '  write(w, value);',
      '  return w.take();',
      '}',
      '',
    );
  }
  out.push(
    'bool reencode(const std::string& message, const uint8_t* data, size_t size, std::vector<uint8_t>* out, std::string* error) {',
  );
  for (const m of def.messages) {
    out.push(
      `  if (message == "${m.name}") {`,
      `    ${m.name} value;`,
      `    if (!decode_${snake(m.name)}(data, size, &value, error)) return false;`,
      `    *out = encode_${snake(m.name)}(value);`,
      '    return true;',
      '  }',
    );
  }
  out.push('  *error = "no message " + message;', '  return false;', '}', '');
  out.push('}  // namespace cista', '');
  return out.join('\n');
}

const CPP_WRITER = `class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u32(uint32_t v) {
    for (int i = 0; i < 4; i++) out_.push_back(uint8_t(v >> (8 * i)));
  }
  void i32(int32_t v) { u32(uint32_t(v)); }
  void u64(uint64_t v) {
    u32(uint32_t(v));
    u32(uint32_t(v >> 32));
  }
  // u32 length + the bytes of a string or byte array.
  void raw(const void* data, size_t size) {
    u32(uint32_t(size));
    const uint8_t* bytes = static_cast<const uint8_t*>(data);
    out_.insert(out_.end(), bytes, bytes + size);
  }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  std::vector<uint8_t> out_;
};
`;

// ---- main ----

function writeIfChanged(relative, text) {
  const file = path.join(ROOT, relative);
  if (fs.existsSync(file) && fs.readFileSync(file, 'utf8') === text) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
}

const model = load();
writeIfChanged('src/generated/protocol.ts', generateTs(model));
writeIfChanged('native/generated/protocol.h', generateHeader(model));
writeIfChanged('native/generated/protocol_decode.cc', generateDecoder(model));
writeIfChanged('native/generated/protocol_encode.cc', generateEncoder(model));
