import { spawn } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  // This host's layout (v1); the v2 files are read by the same manager method in test/cg2vm.
  requireFile('/sys/fs/cgroup/memory/cgroup.procs', 'a cgroup v1 memory hierarchy');
  scratch = new Scratch('events');
});
afterAll(() => scratch.cleanup());

describe('events, as runc\'s', () => {
  it('--stats prints one stats event in runc\'s layout, from the container\'s cgroup, and exits', () => {
    const bundle = scratch.bundle('stats', ['sleep', '1000'], (c) => (c.linux.resources = { ...c.linux.resources, memory: { limit: 64 * 1024 * 1024 }, pids: { limit: 20 } }));
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'events1']).code).toBe(0);
    const r = cista(scratch.root, ['events', '--stats', 'events1']);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    const lines = r.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    const event = JSON.parse(lines[0]);
    expect(Object.keys(event)).toEqual(['type', 'id', 'data']);
    expect(event).toMatchObject({ type: 'stats', id: 'events1' });
    expect(Object.keys(event.data)).toEqual(['cpu', 'cpuset', 'memory', 'pids', 'blkio', 'hugetlb', 'intel_rdt', 'network_interfaces']);
    expect(event.data.pids).toEqual({ current: 1, limit: 20 });
    expect(event.data.memory.usage.limit).toBe(64 * 1024 * 1024);
    expect(event.data.memory.usage.usage).toBeGreaterThan(0);
    expect(event.data.cpu.usage.total).toBeGreaterThan(0);
    expect(event.data.cpuset.sched_relax_domain_level).toBeTypeOf('number');
    // An unlimited uint64 is written exactly, not rounded to a double.
    expect(lines[0]).toMatch(/"kernel":\{"limit":\d{19},/);
    expect(cista(scratch.root, ['delete', '--force', 'events1']).code).toBe(0);
    expect(cista(scratch.root, ['events', '--stats', 'events1'])).toMatchObject({ code: 1, stderr: 'cista: container events1 does not exist\n' });
    expect(leftovers(scratch.root, 'events1', bundle)).toEqual([]);
  });

  it('streams stats every --interval, an oom event when the OOM killer acts, and ends when the container is deleted', async () => {
    // tail of a file without newlines keeps all of it: the OOM killer ends it, the shell lives on.
    const bundle = scratch.bundle('oom', ['sh', '-c', 'sleep 1; tail /dev/zero; sleep 1000'], (c) => {
      c.linux.resources = { ...c.linux.resources, memory: { limit: 16 * 1024 * 1024, swap: 16 * 1024 * 1024 } };
    });
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'events2']).code).toBe(0);
    const events = spawn(CISTA, ['--root', scratch.root, 'events', '--interval', '300ms', 'events2'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    events.stdout.on('data', (chunk) => (out += chunk));
    events.stderr.on('data', (chunk) => (err += chunk));
    const exited = new Promise<number | null>((resolve) => events.on('exit', resolve));
    for (let i = 0; i < 300 && !out.includes('"type":"oom"'); i++) await new Promise((r) => setTimeout(r, 100));
    expect(cista(scratch.root, ['delete', '--force', 'events2']).code).toBe(0);
    expect(await exited).toBe(0);
    const lines = out.trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toContainEqual({ type: 'oom', id: 'events2' });
    expect(lines.filter((l) => l.type === 'stats').length).toBeGreaterThanOrEqual(2);
    expect(err).toBe('');
    expect(leftovers(scratch.root, 'events2', bundle)).toEqual([]);
  });

  it('refuses a bad --interval with the flag named', () => {
    expect(cista(scratch.root, ['events', '--interval', '5', 'x'])).toMatchObject({
      code: 1,
      stderr: 'cista: --interval: "5" is not a duration of 1ms or more: write it as 5s, 500ms or 1m30s\n',
    });
  });
});
