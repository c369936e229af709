/**
 * linux.resources on this host's real v1 (or hybrid) cgroups, through the CLI: the limits reach the
 * container's own cgroups, apply to its processes, and delete leaves no cgroup directory behind.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { detectLayout, parseProcCgroup } from '../../src/engine/cgroups/path';
import { parseMountInfo } from '../../src/engine/mountinfo';
import { Config, Scratch } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';

const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root');
if (detectLayout(parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))) !== 'v1') missing.push('a cgroup v1 host');
// Under CI a missing prerequisite is a failure, never a silent skip.
const skip = missing.length > 0 && process.env.CI !== 'true';

/** A relative cgroupsPath: below this process's own cgroups, with a parent directory cista has to create. */
const parentName = `cista-res-${process.pid}`;
let scratch: Scratch;

/** The directory of a subsystem's hierarchy that a process is in. */
function cgroupDirOf(pid: number, subsystem: string): string {
  const inner = parseProcCgroup(fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8')).get(subsystem);
  expect(inner).toBeDefined();
  const mount = parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8')).find(
    (m) => m.fstype === 'cgroup' && m.superOptions.includes(subsystem),
  )!;
  return path.join(mount.mountPoint, path.relative(mount.root, inner!));
}

function read(dir: string, file: string): string {
  return fs.readFileSync(path.join(dir, file), 'utf8').trim();
}

function withResources(id: string, resources: Config): (config: Config) => void {
  return (config) => {
    config.linux.cgroupsPath = `${parentName}/${id}`;
    config.linux.resources = { ...config.linux.resources, ...resources };
  };
}

beforeAll(() => {
  if (!skip) scratch = new Scratch('cgroup-resources');
});

afterAll(() => {
  if (scratch === undefined) return;
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

describe.skipIf(skip)('linux.resources on cgroup v1', () => {
  it('has its prerequisites', () => {
    expect(missing).toEqual([]);
  });

  it('writes memory, cpu and pids limits into the container cgroups, and delete removes them and their new parent', () => {
    const id = 'limits';
    const bundle = scratch.bundle(
      id,
      ['sleep', '1000'],
      withResources(id, {
        memory: { limit: 33554432, reservation: 16777216, swap: 67108864, kernelTCP: 8388608, swappiness: 10, disableOOMKiller: true },
        cpu: { shares: 512, quota: 20000, period: 100000, cpus: '0', mems: '0' },
        pids: { limit: 20 },
      }),
    );
    expect(cista(scratch.root, ['create', '--bundle', bundle, id])).toMatchObject({ code: 0, stderr: '' });
    const pid = JSON.parse(cista(scratch.root, ['state', id]).stdout).pid as number;

    const memory = cgroupDirOf(pid, 'memory');
    expect(path.basename(path.dirname(memory))).toBe(parentName);
    expect(read(memory, 'memory.limit_in_bytes')).toBe('33554432');
    expect(read(memory, 'memory.soft_limit_in_bytes')).toBe('16777216');
    expect(read(memory, 'memory.memsw.limit_in_bytes')).toBe('67108864');
    expect(read(memory, 'memory.kmem.tcp.limit_in_bytes')).toBe('8388608');
    expect(read(memory, 'memory.swappiness')).toBe('10');
    expect(read(memory, 'memory.oom_control')).toMatch(/^oom_kill_disable 1$/m);
    const cpu = cgroupDirOf(pid, 'cpu');
    expect([read(cpu, 'cpu.shares'), read(cpu, 'cpu.cfs_quota_us'), read(cpu, 'cpu.cfs_period_us')]).toEqual(['512', '20000', '100000']);
    expect(read(cgroupDirOf(pid, 'cpuset'), 'cpuset.cpus')).toBe('0');
    expect(read(cgroupDirOf(pid, 'pids'), 'pids.max')).toBe('20');

    const dirs = ['memory', 'cpu', 'cpuset', 'pids', 'devices', 'freezer', 'blkio'].map((s) => cgroupDirOf(pid, s));
    expect(cista(scratch.root, ['delete', '--force', id])).toMatchObject({ code: 0, stderr: '' });
    for (const dir of dirs) {
      expect(fs.existsSync(dir), dir).toBe(false);
      expect(fs.existsSync(path.dirname(dir)), path.dirname(dir)).toBe(false);
    }
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });

  it.each([
    [4, 2, "sh: can't fork: Resource temporarily unavailable\n", ''],
    [20, 0, '', 'after\n'],
  ])('with pids.limit %i, six background sleeps in a shell exit %i', (limit, code, stderr, stdout) => {
    const id = `forks-${limit}`;
    const script = 'for i in 1 2 3 4 5 6; do sleep 1 & done; echo after; wait';
    const bundle = scratch.bundle(id, ['sh', '-c', script], withResources(id, { pids: { limit } }));
    expect(cista(scratch.root, ['run', '--bundle', bundle, id])).toEqual({ code, stderr, stdout });
    expect(cista(scratch.root, ['delete', '--force', id]).code).toBe(0);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  });

  it.each<[string, Config, string]>([
    [
      'a value refused before the host is touched',
      { memory: { limit: 67108864, swap: 33554432 } },
      'config.json: /linux/resources/memory/swap: memory+swap limit 33554432 is below the memory limit 67108864',
    ],
    [
      'a value the kernel refuses',
      { memory: { useHierarchy: false } },
      'config.json: /linux/resources/memory/useHierarchy: writing memory.use_hierarchy: invalid argument (EINVAL)',
    ],
  ])('fails on %s with one line naming the field, leaving nothing behind', (_, resources, expected) => {
    const id = `bad-${expected.length}`;
    const bundle = scratch.bundle(id, ['true'], withResources(id, resources));
    const created = cista(scratch.root, ['create', '--bundle', bundle, id]);
    expect(created.code).not.toBe(0);
    expect(created.stderr.trim().split('\n')).toEqual([`cista: ${expected}`]);
    expect(leftovers(scratch.root, id, bundle)).toEqual([]);
    for (const mount of ['memory', 'cpu', 'pids', 'devices']) {
      const own = parseProcCgroup(fs.readFileSync('/proc/self/cgroup', 'utf8')).get(mount)!;
      expect(fs.existsSync(path.join('/sys/fs/cgroup', mount, own, parentName))).toBe(false);
    }
  });
});
