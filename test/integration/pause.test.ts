import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  // This host's layout (hybrid: v1 freezer); cgroup v2's cgroup.freeze is checked in test/cg2vm.
  requireFile('/sys/fs/cgroup/freezer/cgroup.procs', 'a cgroup v1 freezer hierarchy');
  scratch = new Scratch('pause');
});
afterAll(() => scratch.cleanup());

const status = (id: string) => JSON.parse(cista(scratch.root, ['state', id]).stdout).status;

describe('pause and resume', () => {
  it('freeze and thaw every process of the container, and state shows paused', () => {
    const bundle = scratch.bundle('paused', ['sh', '-c', 'sleep 1000 & sleep 1000']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'p1']).code).toBe(0);
    try {
      expect(cista(scratch.root, ['pause', 'p1'])).toMatchObject({ code: 0, stderr: '' });
      expect(status('p1')).toBe('paused');
      const pids: number[] = JSON.parse(cista(scratch.root, ['ps', '--format', 'json', 'p1']).stdout);
      expect(pids.length).toBe(2);
      for (const pid of pids) expect(fs.readFileSync(`/proc/${pid}/status`, 'utf8')).toMatch(/^State:\s+[SD]/m);
      expect(fs.readFileSync('/sys/fs/cgroup/freezer/p1/freezer.state', 'utf8')).toBe('FROZEN\n');
      expect(cista(scratch.root, ['pause', 'p1'])).toMatchObject({ code: 1, stderr: 'cista: container not running\n' });
      expect(cista(scratch.root, ['exec', 'p1', 'true'])).toMatchObject({ code: 1, stderr: 'cista: cannot exec in a paused container\n' });
      expect(cista(scratch.root, ['delete', 'p1'])).toMatchObject({ code: 1, stderr: 'cista: cannot delete container p1 that is not stopped: paused\n' });
      expect(cista(scratch.root, ['resume', 'p1'])).toMatchObject({ code: 0, stderr: '' });
      expect(status('p1')).toBe('running');
      expect(fs.readFileSync('/sys/fs/cgroup/freezer/p1/freezer.state', 'utf8')).toBe('THAWED\n');
      expect(cista(scratch.root, ['resume', 'p1'])).toMatchObject({ code: 1, stderr: 'cista: container not paused\n' });
    } finally {
      expect(cista(scratch.root, ['delete', '--force', 'p1']).code).toBe(0);
    }
    expect(leftovers(scratch.root, 'p1', bundle)).toEqual([]);
  });

  it('delete --force of a paused container thaws it so that it can be killed', () => {
    const bundle = scratch.bundle('paused-delete', ['sleep', '1000']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'p2']).code).toBe(0);
    expect(cista(scratch.root, ['pause', 'p2']).code).toBe(0);
    expect(cista(scratch.root, ['delete', '--force', 'p2'])).toMatchObject({ code: 0, stderr: '' });
    expect(leftovers(scratch.root, 'p2', bundle)).toEqual([]);
  });

  it('refuses containers that are not running', () => {
    expect(cista(scratch.root, ['pause', 'nope'])).toMatchObject({ code: 1, stderr: 'cista: container nope does not exist\n' });
    const bundle = scratch.bundle('stopped', ['true']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'p3']).code).toBe(0);
    for (let i = 0; i < 100 && status('p3') !== 'stopped'; i++) Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 50);
    expect(cista(scratch.root, ['pause', 'p3'])).toMatchObject({ code: 1, stderr: 'cista: container not running\n' });
    expect(cista(scratch.root, ['delete', 'p3']).code).toBe(0);
  });
});
