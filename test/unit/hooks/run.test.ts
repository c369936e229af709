import { describe, expect, it } from 'vitest';

import { hookArgv, hookEnvironment, hookState, oneLine, runHooks, runHooksWarning } from '../../../src/engine/hooks/run';
import { eventLoopWaits } from '../../../src/engine/host/async-waits';
import { runAsync } from '../../../src/engine/host/effect';
import type { HostWaits } from '../../../src/engine/host/host';
import { realWaits } from '../../../src/engine/host/real-lookup';
import type { Hook } from '../../../src/engine/spec/schema';

const record = { ociVersion: '1.0.2', id: 'c1', bundle: '/b', annotations: {} as Record<string, string> };

describe('hook state', () => {
  it('is the runtime-spec state, in its field order, with the pid while there is one', () => {
    expect(JSON.stringify(hookState({ ...record, annotations: { a: 'b' } }, 'created', 42))).toBe(
      '{"ociVersion":"1.0.2","id":"c1","status":"created","pid":42,"bundle":"/b","annotations":{"a":"b"}}',
    );
    expect(hookState(record, 'stopped', undefined)).toEqual({ ociVersion: '1.0.2', id: 'c1', status: 'stopped', bundle: '/b' });
  });
});

describe('hook argv and env', () => {
  it('uses args as the whole argv, or the path alone without args', () => {
    expect(hookArgv({ path: '/bin/sh', args: ['sh', '-c', 'x'] })).toEqual(['sh', '-c', 'x']);
    expect(hookArgv({ path: '/bin/hook' })).toEqual(['/bin/hook']);
    expect(hookArgv({ path: '/bin/hook', args: [] })).toEqual(['/bin/hook']);
  });

  it('passes exactly the configured env, first of duplicates winning as with getenv()', () => {
    expect(hookEnvironment({ path: '/h' })).toEqual({});
    expect(hookEnvironment({ path: '/h', env: ['A=1', 'B=x=y', 'A=2', 'NOEQUALS', 'E='] })).toEqual({ A: '1', B: 'x=y', E: '' });
  });

  it('folds output onto one line', () => {
    expect(oneLine(' a\n b \n\nc\n')).toBe('a b c');
    expect(oneLine(null)).toBe('');
  });
});

// These spawn /bin/sh: plain programs, no root or container needed. The same rules on both hosts'
// waits: the CLI's (spawnSync) and the API's (child_process.spawn on the event loop).
describe.each([
  ['blocking', realWaits],
  ['event-loop', eventLoopWaits],
] as Array<[string, HostWaits]>)('running hooks with the %s waits', (_, waits) => {
  const state = hookState(record, 'running', 7);
  const run = (kind: 'prestart' | 'createRuntime', hooks: Hook[], s = state) => runAsync(runHooks(waits, kind, hooks, s));

  it('gives the state on stdin and the configured argv[0] and env', async () => {
    const script = 'read -r s; [ "$0" = myhook ] && [ "$X" = 1 ] && case "$s" in *\'"status":"running","pid":7\'*) exit 0;; esac; exit 3';
    await expect(run('prestart', [{ path: '/bin/sh', args: ['myhook', '-c', script], env: ['X=1'] }])).resolves.toBeUndefined();
  });

  it('fails with the exit status and the output on one line, naming the hook', async () => {
    const hooks = [{ path: '/bin/sh', args: ['sh', '-c', 'exit 0'] }, { path: '/bin/sh', args: ['sh', '-c', 'echo out; echo "err\nmore" >&2; exit 4'] }];
    await expect(run('createRuntime', hooks)).rejects.toThrow('error running createRuntime hook #1: exit status 4, stdout: out, stderr: err more');
  });

  it('kills a hook at its timeout', async () => {
    const started = Date.now();
    await expect(run('prestart', [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 10'], timeout: 1 }])).rejects.toThrow(
      'error running prestart hook #0: timed out after 1s, killed',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('waits for the hook to exit, not for a child it left running with its output', async () => {
    const started = Date.now();
    await expect(run('prestart', [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 5 & exit 0'] }])).resolves.toBeUndefined();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a missing program, and a hook that ignores its stdin is no failure', async () => {
    await expect(run('prestart', [{ path: '/nonexistent/hook' }])).rejects.toThrow('error running prestart hook #0: cannot execute /nonexistent/hook: ENOENT');
    await expect(run('prestart', [{ path: '/bin/true' }], { ...state, annotations: { big: 'x'.repeat(1 << 20) } })).resolves.toBeUndefined();
  });

  it('warns on each failing hook and still runs the rest', async () => {
    const warnings: string[] = [];
    await runAsync(runHooksWarning(waits, 'poststop', [{ path: '/bin/false' }, { path: '/bin/sh', args: ['sh', '-c', 'exit 2'] }], state, (m) => warnings.push(m)));
    expect(warnings).toEqual([
      'error running poststop hook #0: exit status 1, stdout: , stderr: ',
      'error running poststop hook #1: exit status 2, stdout: , stderr: ',
    ]);
  });
});
