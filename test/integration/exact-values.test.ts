/**
 * 64-bit values reach the kernel exactly: RLIM_INFINITY in rlimits (create, exec from the state
 * create recorded, exec --process), and a seccomp mask that a double would round.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

const RLIM_INFINITY = '18446744073709551615';
/** Matches fds 0 and 1 (fd & ~1 == 0); rounded to a double it becomes 2^64, which matched fd 0 only. */
const MASK_ALL_BUT_BIT_0 = '18446744073709551614';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('exact-values');
});
afterAll(() => {
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

/** Writes `literal` verbatim where the config says "@LITERAL@" (JSON.stringify cannot write a u64). */
function withLiteral(file: string, literal: string): void {
  fs.writeFileSync(file, fs.readFileSync(file, 'utf8').replaceAll('"@LITERAL@"', literal));
}

describe('64-bit values are exact from config.json to the kernel', () => {
  it('RLIM_INFINITY: in the container, and in exec from the recorded process and from --process', () => {
    const id = 'rlim-infinity';
    const bundle = scratch.bundle(id, ['sleep', '1000'], (c: Config) => {
      c.process.rlimits = [
        { type: 'RLIMIT_CORE', soft: '@LITERAL@', hard: '@LITERAL@' },
        { type: 'RLIMIT_NOFILE', soft: 1024, hard: 1024 },
      ];
    });
    withLiteral(path.join(bundle, 'config.json'), RLIM_INFINITY);
    const created = cista(scratch.root, ['create', '--bundle', bundle, id]);
    expect(created.stderr).toBe('');
    expect(cista(scratch.root, ['start', id]).code).toBe(0);
    const pid = JSON.parse(cista(scratch.root, ['state', id]).stdout).pid as number;
    expect(fs.readFileSync(`/proc/${pid}/limits`, 'utf8')).toMatch(/Max core file size\s+unlimited\s+unlimited/);

    const fromRecord = cista(scratch.root, ['exec', id, 'sh', '-c', 'ulimit -c; ulimit -H -c']);
    expect(fromRecord).toMatchObject({ code: 0, stdout: 'unlimited\nunlimited\n' });

    const processFile = path.join(scratch.dir, 'process.json');
    fs.writeFileSync(processFile, JSON.stringify({ cwd: '/', env: ['PATH=/bin'], args: ['sh', '-c', 'ulimit -c'], rlimits: [{ type: 'RLIMIT_CORE', soft: '@LITERAL@', hard: '@LITERAL@' }] }));
    withLiteral(processFile, RLIM_INFINITY);
    const fromFile = cista(scratch.root, ['exec', '--process', processFile, id]);
    expect(fromFile.stderr).toBe('');
    expect(fromFile).toMatchObject({ code: 0, stdout: 'unlimited\n' });

    expect(cista(scratch.root, ['delete', '--force', id]).code).toBe(0);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });

  it('a seccomp mask above 2^53 keeps its low bits', () => {
    const id = 'seccomp-mask';
    const bundle = scratch.bundle(id, ['sh', '-c', 'echo out; echo "stdout write status $?" >&2'], (c: Config) => {
      c.linux.seccomp = {
        defaultAction: 'SCMP_ACT_ALLOW',
        syscalls: [{ names: ['write'], action: 'SCMP_ACT_ERRNO', args: [{ index: 0, op: 'SCMP_CMP_MASKED_EQ', value: '@LITERAL@', valueTwo: 0 }] }],
      };
    });
    withLiteral(path.join(bundle, 'config.json'), MASK_ALL_BUT_BIT_0);
    const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
    expect(r.stdout).toBe('');
    expect(r.stderr).toMatch(/write error: Operation not permitted/);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });
});
