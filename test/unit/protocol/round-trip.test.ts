import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { LAUNCH_PLAN_VERSION } from '../../../src/generated/protocol';
import { type Mode, Random, type Sizes, compileDriver, decode, decoded, definition, encode, makeStruct } from '../../helpers/protocol';

/** Big enough for long strings and lists, small enough that the largest plan stays below MAX_MESSAGE_BYTES. */
const SIZES: Sizes = { topString: 65536, string: 64, topList: 200, list: 4 };

let dir: string;
let driver: string;

beforeAll(() => {
  dir = fs.mkdtempSync(`${os.tmpdir()}/cista-protocol-`);
  driver = compileDriver('protocol_driver', dir, ['-O1']);
}, 120_000);

afterAll(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

const u32 = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(n);
  return b;
};

/** Runs the C++ driver on (message name, bytes) pairs: for each, its re-encoding or its decoder's error. */
function throughCpp(inputs: Array<{ message: string; bytes: Buffer }>): Array<{ ok: boolean; bytes: Buffer }> {
  const frames = inputs.flatMap(({ message, bytes }) => [u32(message.length), Buffer.from(message), u32(bytes.length), bytes]);
  const r = spawnSync(driver, [], { input: Buffer.concat(frames), maxBuffer: 1 << 30 });
  expect(r.stderr.toString()).toBe('');
  expect(r.status).toBe(0);
  const out: Array<{ ok: boolean; bytes: Buffer }> = [];
  for (let at = 0; at < r.stdout.length; ) {
    const size = r.stdout.readUInt32LE(at + 1);
    out.push({ ok: r.stdout[at] === 1, bytes: r.stdout.subarray(at + 5, at + 5 + size) });
    at += 5 + size;
  }
  expect(out).toHaveLength(inputs.length);
  return out;
}

describe('the generated protocol code, TypeScript against C++', () => {
  for (const { name: message } of definition.messages) {
    it(`${message}: C++ decodes what TypeScript encodes and encodes it back to the same bytes`, () => {
      const rng = new Random(0x5eed);
      const modes: Mode[] = ['min', 'max', ...Array<Mode>(120).fill('random')];
      const values = modes.map((mode) => makeStruct(message, rng, mode, SIZES));
      const inputs = values.map((value) => ({ message, bytes: encode(message, value) }));
      // The largest one really is large: long strings and lists travel as they are.
      expect(Math.max(...inputs.map((i) => i.bytes.length))).toBeGreaterThan(SIZES.topString);
      const outputs = throughCpp(inputs);
      outputs.forEach((output, i) => {
        expect(output.ok ? 'decoded' : output.bytes.toString()).toBe('decoded');
        expect(output.bytes.equals(inputs[i].bytes)).toBe(true);
        expect(decode(message, output.bytes)).toEqual(decoded(message, values[i]));
      });
    });

    it(`${message}: both decoders refuse a truncated, empty, extended or re-versioned message`, () => {
      const bytes = encode(message, makeStruct(message, new Random(7), 'max', { topString: 8, string: 8, topList: 2, list: 2 }));
      const version = Buffer.from(bytes);
      version.writeUInt32LE((version.readUInt32LE(0) ^ 1) >>> 0, 0);
      const bad = [
        { what: 'truncated', bytes: bytes.subarray(0, bytes.length - 1), error: /runs past the end|malformed/ },
        { what: 'empty', bytes: Buffer.alloc(0), error: /format version/ },
        { what: 'a trailing byte', bytes: Buffer.concat([bytes, Buffer.from([0])]), error: /trailing bytes/ },
        { what: 'another version', bytes: version, error: /format version/ },
      ];
      const outputs = throughCpp(bad.map((b) => ({ message, bytes: b.bytes })));
      bad.forEach((b, i) => {
        expect(outputs[i].ok, b.what).toBe(false);
        expect(outputs[i].bytes.toString(), b.what).toMatch(b.error);
        expect(() => decode(message, b.bytes), b.what).toThrow();
      });
    });
  }

  it('refuses a string with a NUL byte on both sides, and a count larger than the rest could hold', () => {
    const plan = makeStruct('LaunchPlan', new Random(1), 'min', SIZES);
    const bytes = encode('LaunchPlan', { ...plan, cwd: 'ab' });
    const at = bytes.indexOf(Buffer.from([2, 0, 0, 0, 0x61, 0x62]));
    const nul = Buffer.from(bytes);
    nul[at + 5] = 0;
    const forged = Buffer.from(bytes);
    forged.writeUInt32LE(0x40000000, 4); // joinNamespaces: a billion items in a few bytes
    const [withNul, withForgedCount] = throughCpp([
      { message: 'LaunchPlan', bytes: nul },
      { message: 'LaunchPlan', bytes: forged },
    ]);
    expect(withNul.bytes.toString()).toBe('launch plan is malformed: LaunchPlan.cwd contains a NUL byte');
    expect(() => decode('LaunchPlan', nul)).toThrow('launch plan is malformed: LaunchPlan.cwd contains a NUL byte');
    expect(withForgedCount.bytes.toString()).toBe('launch plan is malformed: LaunchPlan.joinNamespaces claims more items than the rest could hold');
    expect(() => decode('LaunchPlan', forged)).toThrow(/LaunchPlan.joinNamespaces claims 1073741824 items/);
    expect(bytes.readUInt32LE(0)).toBe(LAUNCH_PLAN_VERSION);
  });

  it('refuses to encode a value that does not fit its type, naming the field', () => {
    const plan = makeStruct('LaunchPlan', new Random(1), 'min', SIZES);
    expect(() => encode('LaunchPlan', { ...plan, uid: -1 })).toThrow('LaunchPlan.uid: -1 is not a u32');
    expect(() => encode('LaunchPlan', { ...plan, gid: 1.5 })).toThrow('LaunchPlan.gid: 1.5 is not a u32');
    expect(() => encode('LaunchPlan', { ...plan, rlimits: [{ resource: 0, soft: -1n, hard: 0n }] })).toThrow('Rlimit.soft: -1 is not a u64');
    expect(() => encode('LaunchPlan', { ...plan, mounts: [{ ...makeStruct('MountStep', new Random(1), 'min', SIZES), kind: 9 }] })).toThrow(
      'MountStep.kind: 9 is not one of 1, 2, 3',
    );
    expect(() => encode('LaunchPlan', { ...plan, args: 'sh' })).toThrow('LaunchPlan.args: is not an array');
    expect(() => encode('LaunchPlan', { ...plan, env: ['A=\u0000'] })).toThrow('LaunchPlan.env[]: string contains a NUL byte');
    const huge = 'x'.repeat(definition.constants.find((c) => c.name === 'MAX_MESSAGE_BYTES')!.value);
    expect(() => encode('LaunchPlan', { ...plan, cwd: huge })).toThrow(/the launch plan is \d+ bytes, more than the 4194304 the other side accepts/);
  });
});
