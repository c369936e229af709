import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

import { type Mode, Random, compileDriver, definition, encode, makeStruct } from '../../helpers/protocol';

/** Inputs per message; the seed is fixed so that a failure replays (PROTOCOL_FUZZ_SEED tries others). */
const ITERATIONS = 200_000;
const SEED = process.env.PROTOCOL_FUZZ_SEED ?? '1';

let dir: string | undefined;

afterAll(() => {
  if (dir !== undefined) fs.rmSync(dir, { recursive: true, force: true });
});

describe('the generated C++ decoder under AddressSanitizer and UBSan', () => {
  it(
    'rejects mutated messages cleanly, and re-encodes the ones it accepts to the same bytes',
    () => {
      dir = fs.mkdtempSync(`${os.tmpdir()}/cista-protocol-fuzz-`);
      const fuzzer = compileDriver('protocol_fuzz', dir, ['-g', '-O1', '-fsanitize=address,undefined', '-fno-sanitize-recover=all']);
      for (const { name: message } of definition.messages) {
        // Small valid seeds (every field present in some), so that mutations hit structure, not bulk.
        const rng = new Random(11);
        const modes: Mode[] = ['min', 'max', ...Array<Mode>(30).fill('random')];
        const seeds = modes.map((mode, i) => {
          const file = path.join(dir!, `${message}-${i}`);
          fs.writeFileSync(file, encode(message, makeStruct(message, rng, mode, { topString: 12, string: 6, topList: 3, list: 2 })));
          return file;
        });
        const r = spawnSync(fuzzer, [message, String(ITERATIONS), SEED, ...seeds], {
          encoding: 'utf8',
          env: { ...process.env, ASAN_OPTIONS: 'abort_on_error=1:detect_leaks=1', UBSAN_OPTIONS: 'print_stacktrace=1' },
        });
        expect(r.stderr).toBe('');
        expect(r.status).toBe(0);
        const counts = /^(\d+) inputs: (\d+) accepted, (\d+) rejected$/m.exec(r.stdout);
        expect(counts, r.stdout).not.toBeNull();
        expect(Number(counts![1])).toBe(ITERATIONS);
        // Both paths were exercised: some mutations keep a message valid, most break it.
        expect(Number(counts![2])).toBeGreaterThan(0);
        expect(Number(counts![3])).toBeGreaterThan(ITERATIONS / 2);
      }
    },
    180_000,
  );
});
