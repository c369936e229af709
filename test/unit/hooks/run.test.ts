import { describe, expect, it } from 'vitest';

import { hookArgv, hookEnvironment, hookState, oneLine, runHooks, runHooksWarning } from '../../../src/engine/hooks/run';
import { realProcesses } from '../../../src/engine/host/real-lookup';

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

// These spawn /bin/sh: plain programs, no root or container needed.
describe('running hooks', () => {
  const state = hookState(record, 'running', 7);

  it('gives the state on stdin and the configured argv[0] and env', () => {
    const script = 'read -r s; [ "$0" = myhook ] && [ "$X" = 1 ] && case "$s" in *\'"status":"running","pid":7\'*) exit 0;; esac; exit 3';
    expect(() => runHooks(realProcesses, 'prestart', [{ path: '/bin/sh', args: ['myhook', '-c', script], env: ['X=1'] }], state)).not.toThrow();
  });

  it('fails with the exit status and the output on one line, naming the hook', () => {
    const hooks = [{ path: '/bin/sh', args: ['sh', '-c', 'exit 0'] }, { path: '/bin/sh', args: ['sh', '-c', 'echo out; echo "err\nmore" >&2; exit 4'] }];
    expect(() => runHooks(realProcesses, 'createRuntime', hooks, state)).toThrow('error running createRuntime hook #1: exit status 4, stdout: out, stderr: err more');
  });

  it('kills a hook at its timeout', () => {
    const started = Date.now();
    expect(() => runHooks(realProcesses, 'prestart', [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 10'], timeout: 1 }], state)).toThrow(
      'error running prestart hook #0: timed out after 1s, killed',
    );
    expect(Date.now() - started).toBeLessThan(5000);
  });

  it('waits for the hook to exit, not for a child it left running with its output', () => {
    const started = Date.now();
    expect(() => runHooks(realProcesses, 'prestart', [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 5 & exit 0'] }], state)).not.toThrow();
    expect(Date.now() - started).toBeLessThan(3000);
  });

  it('reports a missing program, and a hook that ignores its stdin is no failure', () => {
    expect(() => runHooks(realProcesses, 'prestart', [{ path: '/nonexistent/hook' }], state)).toThrow('error running prestart hook #0: cannot execute /nonexistent/hook: ENOENT');
    expect(() => runHooks(realProcesses, 'prestart', [{ path: '/bin/true' }], { ...state, annotations: { big: 'x'.repeat(1 << 20) } })).not.toThrow();
  });

  it('warns on each failing hook and still runs the rest', () => {
    const warnings: string[] = [];
    runHooksWarning(realProcesses, 'poststop', [{ path: '/bin/false' }, { path: '/bin/sh', args: ['sh', '-c', 'exit 2'] }], state, (m) => warnings.push(m));
    expect(warnings).toEqual([
      'error running poststop hook #0: exit status 1, stdout: , stderr: ',
      'error running poststop hook #1: exit status 2, stdout: , stderr: ',
    ]);
  });
});
