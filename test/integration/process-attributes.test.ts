/**
 * linux.personality, process.scheduler, process.ioPriority, process.execCPUAffinity,
 * linux.memoryPolicy and the time namespace with linux.timeOffsets, seen from the host (util-linux's
 * chrt, ionice and taskset, /proc/PID) and from inside (busybox), for the container's process and
 * exec'd ones; and the one-line errors of values this host cannot take. The in-container checker
 * (test/conformance/inside.test.ts) reads the same attributes with the kernel's get* calls.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch } from '../helpers/bundle';
import { CISTA, type CommandResult, cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requirePrerequisite, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let counter = 0;
const started: string[] = [];

beforeAll(() => {
  requireRoot();
  for (const tool of ['chrt', 'ionice', 'taskset']) requireFile(`/usr/bin/${tool}`, `util-linux's ${tool} observes the container from the host`);
  scratch = new Scratch('procattr');
});
afterAll(() => {
  for (const id of started) cista(scratch.root, ['delete', '--force', id]);
  scratch.cleanup();
});

function bundleFor(args: string[], edit: (c: Config) => void): { id: string; bundle: string } {
  const id = `pa${counter++}`;
  return { id, bundle: scratch.bundle(id, args, edit) };
}

/** Runs `script` in the foreground and checks nothing is left behind. */
function run(script: string, edit: (c: Config) => void): CommandResult {
  const { id, bundle } = bundleFor(['sh', '-c', script], edit);
  const r = cista(scratch.root, ['run', '--bundle', bundle, id]);
  expect(leftovers(scratch.root, id, bundle)).toEqual([]);
  return r;
}

/** Creates and starts a container whose process sleeps; returns its id and host pid. */
function startSleeper(edit: (c: Config) => void, runtime: string[] = []): { id: string; pid: number } {
  const { id, bundle } = bundleFor(['sleep', '1000'], edit);
  started.push(id);
  const r = exec(runtime[0] ?? CISTA, [...runtime.slice(1), ...(runtime.length > 0 ? [CISTA] : []), '--root', scratch.root, 'run', '-d', '--bundle', bundle, id]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return { id, pid: JSON.parse(cista(scratch.root, ['state', id]).stdout).pid };
}

function stop(id: string): void {
  expect(cista(scratch.root, ['delete', '--force', id]).code).toBe(0);
  expect(leftovers(scratch.root, id, path.join(scratch.dir, id))).toEqual([]);
}

/** Starts `args` with `cista exec -d` (through `runtime`, e.g. taskset) and returns its host pid. */
function execDetached(id: string, process: Config, runtime: string[] = []): number {
  const file = path.join(scratch.dir, `process-${counter++}.json`);
  const pidFile = `${file}.pid`;
  fs.writeFileSync(file, JSON.stringify({ cwd: '/', env: ['PATH=/bin'], ...process }));
  const args = ['--root', scratch.root, 'exec', '-d', '--pid-file', pidFile, '-p', file, id];
  const r = runtime.length > 0 ? exec(runtime[0], [...runtime.slice(1), CISTA, ...args]) : exec(CISTA, args);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  return Number(fs.readFileSync(pidFile, 'utf8'));
}

const status = (pid: number, field: string): string => new RegExp(`^${field}:\\s*(.*)$`, 'm').exec(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))![1];
const host = (tool: string, args: string[]): string => {
  const r = exec(tool, args);
  expect(r.stderr).toBe('');
  return r.stdout;
};

describe('linux.personality', () => {
  it('LINUX32: the process reports i686 and its personality is PER_LINUX32, from both sides; exec gets it too', () => {
    const r = run('cat /proc/self/personality; uname -m', (c) => (c.linux.personality = { domain: 'LINUX32' }));
    expect(r.stderr).toBe('');
    expect(r.stdout).toBe('00000008\ni686\n');
    const { id, pid } = startSleeper((c) => (c.linux.personality = { domain: 'LINUX32' }));
    expect(fs.readFileSync(`/proc/${pid}/personality`, 'utf8')).toBe('00000008\n');
    expect(cista(scratch.root, ['exec', id, 'uname', '-m']).stdout).toBe('i686\n');
    stop(id);
  });
});

describe('process.scheduler and process.ioPriority', () => {
  it('chrt and ionice on the host see the policy, nice value and I/O class of the process', () => {
    const { id, pid } = startSleeper((c) => {
      c.process.scheduler = { policy: 'SCHED_BATCH', nice: 7 };
      c.process.ioPriority = { class: 'IOPRIO_CLASS_BE', priority: 6 };
    });
    expect(host('chrt', ['-p', String(pid)])).toMatch(/current scheduling policy: SCHED_BATCH\n/);
    expect(fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ')[16]).toBe('7');
    expect(host('ionice', ['-p', String(pid)])).toBe('best-effort: prio 6\n');

    // An exec'd process gets those of its own process, not the container's.
    const execd = execDetached(id, { args: ['sleep', '1000'], scheduler: { policy: 'SCHED_IDLE' }, ioPriority: { class: 'IOPRIO_CLASS_IDLE' } });
    expect(host('chrt', ['-p', String(execd)])).toMatch(/current scheduling policy: SCHED_IDLE\n/);
    expect(host('ionice', ['-p', String(execd)])).toBe('idle\n');
    stop(id);
  });

  it('SCHED_FIFO: chrt shows the priority (with real-time runtime for the cgroup, which cgroup v1 needs)', () => {
    const { id, pid } = startSleeper((c) => {
      c.process.scheduler = { policy: 'SCHED_FIFO', priority: 12 };
      c.linux.resources.cpu = { realtimeRuntime: 10000, realtimePeriod: 1000000 };
    });
    expect(host('chrt', ['-p', String(pid)])).toBe(`pid ${pid}'s current scheduling policy: SCHED_FIFO\npid ${pid}'s current scheduling priority: 12\n`);
    stop(id);
  });

  it('refuses in one line what no kernel takes, before touching the host', () => {
    const r = run('true', (c) => (c.process.scheduler = { policy: 'SCHED_ISO' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe('cista: config.json: /process/scheduler/policy: SCHED_ISO is reserved and not implemented by Linux\n');
    const priority = run('true', (c) => (c.process.ioPriority = { class: 'IOPRIO_CLASS_RT', priority: 9 }));
    expect(priority.stderr).toBe('cista: config.json: /process/ioPriority/priority: 9 is not a priority level (0 to 7)\n');
  });

  it('says in one line why a real-time policy fails in a cgroup without real-time runtime (cgroup v1 here)', () => {
    requirePrerequisite(fs.existsSync('/sys/fs/cgroup/cpu/cpu.rt_runtime_us'), 'real-time group scheduling in a cgroup v1 cpu hierarchy');
    const r = run('true', (c) => (c.process.scheduler = { policy: 'SCHED_RR', priority: 1 }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe(
      'cista: container init failed: setting the scheduler (a real-time policy needs real-time runtime in the container\'s cgroup: linux.resources.cpu.realtimeRuntime): operation not permitted\n',
    );
  });
});

describe('process.execCPUAffinity', () => {
  beforeAll(() => requirePrerequisite(os.cpus().length >= 2, 'two CPUs, to tell CPU affinities apart'));

  it("the container's process does not inherit the runtime's affinity (runc resets it); execCPUAffinity is for exec only", () => {
    const { id, pid } = startSleeper((c) => (c.process.execCPUAffinity = { initial: '1', final: '1' }), ['taskset', '-c', '0']);
    expect(status(pid, 'Cpus_allowed_list')).toBe(`0-${os.cpus().length - 1}`);
    stop(id);
  });

  it('exec: final once in the cgroup; initial kept without a final; the runtime affinity dropped without either', () => {
    const { id } = startSleeper(() => {});
    const sleep = { args: ['sleep', '1000'] };
    const all = `0-${os.cpus().length - 1}`;
    expect(status(execDetached(id, { ...sleep, execCPUAffinity: { initial: '0', final: '1' } }), 'Cpus_allowed_list')).toBe('1');
    expect(status(execDetached(id, { ...sleep, execCPUAffinity: { initial: '1' } }), 'Cpus_allowed_list')).toBe('1');
    expect(status(execDetached(id, sleep, ['taskset', '-c', '1']), 'Cpus_allowed_list')).toBe(all);
    const taskset = host('taskset', ['-p', String(execDetached(id, { ...sleep, execCPUAffinity: { final: '0' } }))]);
    expect(taskset).toMatch(/current affinity mask: 1\n$/);
    stop(id);
  });

  it('says in one line when final names no CPU the container may use', () => {
    const { id } = startSleeper(() => {});
    const file = path.join(scratch.dir, 'far.json');
    fs.writeFileSync(file, JSON.stringify({ cwd: '/', args: ['true'], env: ['PATH=/bin'], execCPUAffinity: { final: '4000' } }));
    const r = cista(scratch.root, ['exec', '-p', file, id]);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cista: exec failed: setting the CPU affinity (are those CPUs online and in the container's cpuset?): invalid argument\n");
    const bad = path.join(scratch.dir, 'bad.json');
    fs.writeFileSync(bad, JSON.stringify({ cwd: '/', args: ['true'], execCPUAffinity: { initial: '2-1' } }));
    expect(cista(scratch.root, ['exec', '-p', bad, id]).stderr).toBe(
      `cista: ${bad}: /execCPUAffinity/initial: "2-1" is a range whose start is above its end\n`,
    );
    stop(id);
  });
});

describe('linux.memoryPolicy', () => {
  it('numa_maps on the host shows the policy of every mapping, for exec too', () => {
    const { id, pid } = startSleeper((c) => (c.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' }));
    const policies = (p: number) => new Set(fs.readFileSync(`/proc/${p}/numa_maps`, 'utf8').trim().split('\n').map((line) => line.split(' ')[1]));
    expect(policies(pid)).toEqual(new Set(['bind:0']));
    expect(policies(execDetached(id, { args: ['sleep', '1000'] }))).toEqual(new Set(['bind:0']));
    stop(id);
  });

  it('says in one line when the nodes are not on this host', () => {
    const r = run('true', (c) => (c.linux.memoryPolicy = { mode: 'MPOL_BIND', nodes: '63' }));
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("cista: container init failed: setting the memory policy (are those NUMA nodes online and in the container's cpuset?): invalid argument\n");
  });
});

describe('the time namespace and linux.timeOffsets', () => {
  const DAY = 86400;
  const timeNamespace = (c: Config) => {
    c.linux.namespaces.push({ type: 'time' });
    c.linux.timeOffsets = { monotonic: { secs: 400 * DAY }, boottime: { secs: 800 * DAY, nanosecs: 42 } };
  };

  it('the process sees the offsets and a boot time shifted by them; the host sees its own clocks', () => {
    const r = run('cat /proc/self/timens_offsets; cut -d. -f1 /proc/uptime', timeNamespace);
    expect(r.stderr).toBe('');
    const lines = r.stdout.trim().split('\n');
    expect(lines.slice(0, 2).map((l) => l.trim().split(/\s+/))).toEqual([
      ['monotonic', String(400 * DAY), '0'],
      ['boottime', String(800 * DAY), '42'],
    ]);
    const hostUptime = Number(fs.readFileSync('/proc/uptime', 'utf8').split('.')[0]);
    expect(Number(lines[2])).toBeGreaterThanOrEqual(800 * DAY + hostUptime - 5);
    expect(hostUptime).toBeLessThan(800 * DAY);
  });

  it('the init is pid 1 of the new pid namespace and in the new time namespace from create on; exec joins it', () => {
    const { id, bundle } = bundleFor(['sh', '-c', 'echo $$; sleep 1000'], timeNamespace);
    started.push(id);
    const pidFile = path.join(scratch.dir, `${id}.pid`);
    expect(cista(scratch.root, ['create', '--pid-file', pidFile, '--bundle', bundle, id]).code).toBe(0);
    const pid = JSON.parse(cista(scratch.root, ['state', id]).stdout).pid;
    expect(fs.readFileSync(pidFile, 'utf8')).toBe(String(pid));
    const theirs = fs.readlinkSync(`/proc/${pid}/ns/time`);
    expect(theirs).not.toBe(fs.readlinkSync('/proc/self/ns/time'));
    expect(/^NSpid:.*\s1$/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'))).toBe(true);
    const created = cista(scratch.root, ['exec', id, 'readlink', '/proc/self/ns/time']);
    expect(created.stderr).toBe('');
    expect(created.stdout).toBe(`${theirs}\n`);
    expect(cista(scratch.root, ['start', id]).code).toBe(0);
    expect(cista(scratch.root, ['exec', id, 'readlink', '/proc/self/ns/time']).stdout).toBe(`${theirs}\n`);
    expect(cista(scratch.root, ['exec', id, 'cat', '/proc/1/timens_offsets']).stdout).toMatch(/boottime\s+69120000\s+42/);

    // Another container joins it by path, offsets and all.
    const joined = run('cat /proc/self/timens_offsets', (c) => c.linux.namespaces.push({ type: 'time', path: `/proc/${pid}/ns/time` }));
    expect(joined.stdout.trim().split('\n')[1].trim().split(/\s+/)).toEqual(['boottime', String(800 * DAY), '42']);
    stop(id);
  });

  it('refuses offsets for a joined namespace, and says in one line when the kernel refuses a clock before boot', () => {
    const joined = run('true', (c) => {
      c.linux.namespaces.push({ type: 'time', path: '/proc/1/ns/time' });
      c.linux.timeOffsets = { monotonic: { secs: 1 } };
    });
    expect(joined.stderr).toBe('cista: config.json: /linux/timeOffsets: cannot be applied to the time namespace joined by /linux/namespaces/5/path\n');
    const negative = run('true', (c) => {
      c.linux.namespaces.push({ type: 'time' });
      c.linux.timeOffsets = { boottime: { secs: -100 * 365 * DAY } };
    });
    expect(negative.code).toBe(1);
    expect(negative.stderr).toBe('cista: container init failed: writing the time namespace offsets: numerical result out of range\n');
  });
});
