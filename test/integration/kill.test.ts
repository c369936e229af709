import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';
import { sleepSync } from '../../src/engine/sleep';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('kill');
});
afterAll(() => scratch.cleanup());

/** Waits until `done` holds, for at most five seconds. */
function waitFor(done: () => boolean): boolean {
  for (let i = 0; i < 500 && !done(); i++) sleepSync(10);
  return done();
}

describe('kill --all of a container whose init has exited (containerd\'s `ctr task delete -f`)', () => {
  it('exits 0 and signals what is left in the cgroup, as runc', () => {
    // In the host's pid namespace the background sleep outlives the init and stays in the cgroup.
    const bundle = scratch.bundle('orphan', ['sh', '-c', 'sleep 1000 & exit 0'], (c) => {
      c.linux.namespaces = c.linux.namespaces.filter((n: { type: string }) => n.type !== 'pid');
    });
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'killall1']).code).toBe(0);
    expect(waitFor(() => JSON.parse(cista(scratch.root, ['state', 'killall1']).stdout).status === 'stopped')).toBe(true);
    const orphans = () => leftovers(scratch.root, 'killall1', bundle).filter((l) => l.startsWith('process'));
    expect(orphans()).not.toEqual([]);
    expect(cista(scratch.root, ['kill', 'killall1', 'KILL'])).toMatchObject({ code: 1, stderr: 'cista: container not running\n' });
    expect(cista(scratch.root, ['kill', '--all', 'killall1', 'KILL'])).toMatchObject({ code: 0, stderr: '' });
    expect(waitFor(() => orphans().length === 0)).toBe(true);
    // Nothing left: again is still success.
    expect(cista(scratch.root, ['kill', '--all', 'killall1', 'KILL'])).toMatchObject({ code: 0, stderr: '' });
    expect(cista(scratch.root, ['delete', 'killall1']).code).toBe(0);
    expect(leftovers(scratch.root, 'killall1', bundle)).toEqual([]);
  });
});
