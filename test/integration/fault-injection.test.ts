/**
 * Kills `create` and `delete --force` at every system call that changes the host (strace's
 * -e inject=SYSCALL:signal=KILL:when=N), then checks that `delete --force` leaves nothing: no state
 * directory, no cgroup (parents of cgroupsPath included), no mount, no process.
 *
 * Why these calls cover every system call of create and delete: a SIGKILL injected at a call's
 * entry stops the process before the call runs, so killing it at a call that changes nothing on
 * the host (read, stat, mmap, ...) leaves exactly what a kill at the next call that does change
 * something leaves. Each run's injection point is taken from a traced run without injection
 * (every occurrence after the first touch of the state root), and each injected run must die.
 */
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type Config, Scratch, withoutMountNamespace } from '../helpers/bundle';
import { CISTA, cista, exec } from '../helpers/cli';
import { leftovers, parentCgroups } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';
import { runnerTurn } from '../helpers/runner-turn';

const STRACE = '/usr/bin/strace';
const PARENT = 'cista-fault-injection';

/**
 * System calls that change the host, or start a process that may: files and directories (cgroups
 * and the state dir), writes (cgroup files, state.json, the plan to the init), mounts, signals,
 * clone. openat counts only with O_CREAT (opening a cgroup file for writing changes nothing yet).
 */
const CHANGING = [
  'mkdir', 'mkdirat', 'rmdir', 'unlink', 'unlinkat', 'rename', 'renameat', 'renameat2', 'mknod', 'mknodat', 'symlink', 'symlinkat',
  'link', 'linkat', 'chmod', 'fchmod', 'fchmodat', 'chown', 'fchown', 'fchownat', 'truncate', 'ftruncate', 'open', 'openat', 'creat',
  'write', 'writev', 'pwrite64', 'sendmsg', 'sendto', 'clone', 'clone3', 'fork', 'vfork', 'kill', 'tgkill', 'mount', 'umount2',
  'move_mount', 'open_tree', 'fsmount', 'mount_setattr', 'bpf',
];

interface InjectionPoint {
  syscall: string;
  /** The how-manieth call of `syscall` in the process (strace counts per system call). */
  when: number;
  /** The call as the traced run made it, to name a failing point. */
  call: string;
}

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  requireFile(STRACE, 'strace is needed to inject faults (scripts/install-deps.sh installs it)');
  requireFile('/usr/sbin/ip', 'iproute2 makes the test veth');
  scratch = new Scratch('fault-injection');
  exec('ip', ['link', 'del', VETH]);
  expect(exec('ip', ['link', 'add', VETH, 'type', 'veth', 'peer', 'name', `${VETH}p`]).code).toBe(0);
});
afterAll(() => {
  for (const id of fs.existsSync(scratch.root) ? fs.readdirSync(scratch.root) : []) cista(scratch.root, ['delete', '--force', id]);
  exec('ip', ['link', 'del', VETH]);
  scratch.cleanup();
});

/** node itself runs the CLI, so that strace's per-process call counts see no shell or env before it. */
function strace(straceArgs: string[], cistaArgs: string[]) {
  return spawnSync(STRACE, [...straceArgs, process.execPath, CISTA, '--root', scratch.root, ...cistaArgs], { stdio: 'ignore', timeout: 60_000 });
}

/** Every call of CHANGING that the command makes from its first touch of the state root on. */
function injectionPoints(cistaArgs: string[]): InjectionPoint[] {
  const log = path.join(scratch.dir, 'trace.log');
  const traced = strace(['-o', log, '-e', `trace=${CHANGING.join(',')}`], cistaArgs);
  expect(traced.status, `traced run of cista ${cistaArgs.join(' ')}`).toBe(0);
  const counts = new Map<string, number>();
  const points: InjectionPoint[] = [];
  let touched = false;
  for (const line of fs.readFileSync(log, 'utf8').split('\n')) {
    const syscall = /^(\w+)\(/.exec(line)?.[1];
    if (syscall === undefined) continue;
    const when = (counts.get(syscall) ?? 0) + 1;
    counts.set(syscall, when);
    touched ||= line.includes(scratch.root);
    if (!touched) continue;
    if ((syscall === 'openat' || syscall === 'open') && !line.includes('O_CREAT')) continue;
    points.push({ syscall, when, call: line.slice(0, 120) });
  }
  return points;
}

function killedAt(point: InjectionPoint, cistaArgs: string[]) {
  return strace(['-o', '/dev/null', '-e', `trace=${point.syscall}`, '-e', `inject=${point.syscall}:signal=KILL:when=${point.when}`], cistaArgs);
}

/**
 * Runs the command killed at `point` until the kill lands, at most three times: how many calls some
 * steps make depends on timing (delete --force signals again only while a process is still there).
 * A run the kill missed completed instead; what it left is checked like any other. Returns the
 * problems found, with the point named when the kill never landed.
 */
function problemsKilledAt(id: string, bundle: string, point: InjectionPoint, cistaArgs: string[], prepare: () => void): string[] {
  const problems: string[] = [];
  for (let attempt = 1; attempt <= 3; attempt++) {
    prepare();
    const run = killedAt(point, cistaArgs);
    problems.push(...cleanupProblems(id, bundle, point));
    if (run.signal === 'SIGKILL') return problems;
    if (attempt === 3) problems.push(`${point.syscall} #${point.when} (${point.call}) was not reached in 3 runs: exit ${run.status}`);
  }
  return problems;
}

/** A veth whose first end the netDevices case moves into the container: delete --force must bring it back. */
const VETH = 'cista-fi0';

/** What delete --force leaves after a kill at `point`: its failure, or the leftovers; empty when clean. */
function cleanupProblems(id: string, bundle: string, point: InjectionPoint): string[] {
  const at = `killed at ${point.syscall} #${point.when} (${point.call})`;
  const deleted = cista(scratch.root, ['delete', '--force', id]);
  if (deleted.code !== 0 || deleted.stderr !== '') return [`${at}: delete --force exited ${deleted.code}: ${deleted.stderr.trim()}`];
  const listed = cista(scratch.root, ['list', '--quiet']);
  const left = [...leftovers(scratch.root, id, bundle), ...parentCgroups(PARENT).map((dir) => `parent cgroup ${dir}`)];
  if (listed.code !== 0 || listed.stdout !== '') left.push(`list: ${listed.code} ${listed.stdout}${listed.stderr}`);
  if (fs.existsSync(`/sys/class/net/${VETH}p`) && !fs.existsSync(`/sys/class/net/${VETH}`)) left.push(`network device ${VETH} not back on the host`);
  return left.map((thing) => `${at}: ${thing}`);
}

function faultBundle(name: string, edit: (c: Config) => void = () => {}): string {
  return scratch.bundle(name, ['sleep', '1000'], (c) => {
    c.linux.cgroupsPath = `/${PARENT}/${name}`;
    edit(c);
  });
}

describe('fault injection', () => {
  it.each<[string, (c: Config) => void]>([
    ['fi-create', () => {}],
    // Its mounts are then in the host's mount table.
    ['fi-create-host-mounts', withoutMountNamespace],
    // The runtime idmaps a bind for the init, and moves a veth into a pinned network namespace.
    [
      'fi-create-idmap-netdev',
      (c) => {
        const source = path.join(scratch.dir, 'idmap-source');
        fs.mkdirSync(source, { recursive: true });
        c.mounts.push({ destination: '/data', type: 'bind', source, options: ['rbind', 'ridmap'], uidMappings: [{ containerID: 0, hostID: 1000, size: 10 }], gidMappings: [{ containerID: 0, hostID: 1000, size: 10 }] });
        c.linux.netDevices = { [VETH]: { name: 'eth9' } };
      },
    ],
  ])('create (%s) killed at each call that changes the host leaves what delete --force removes', async (id, edit) => {
    const bundle = faultBundle(id, edit);
    const args = ['create', '--bundle', bundle, id];
    const points = injectionPoints(args);
    expect(cleanupProblems(id, bundle, { syscall: 'none', when: 0, call: 'the traced run' })).toEqual([]);
    expect(points.length).toBeGreaterThan(40);
    const problems: string[] = [];
    for (const point of points) {
      await runnerTurn();
      problems.push(...problemsKilledAt(id, bundle, point, args, () => {}));
    }
    expect(problems).toEqual([]);
  }, 900_000);

  it('delete --force killed at each call that changes the host leaves what the next delete --force removes', async () => {
    const id = 'fi-delete';
    const bundle = faultBundle(id);
    const createAndStart = () => {
      expect(cista(scratch.root, ['create', '--bundle', bundle, id])).toMatchObject({ code: 0, stderr: '' });
      expect(cista(scratch.root, ['start', id])).toMatchObject({ code: 0, stderr: '' });
    };
    const args = ['delete', '--force', id];
    createAndStart();
    const points = injectionPoints(args);
    expect(cleanupProblems(id, bundle, { syscall: 'none', when: 0, call: 'the traced run' })).toEqual([]);
    expect(points.length).toBeGreaterThan(20);
    const problems: string[] = [];
    for (const point of points) {
      await runnerTurn();
      problems.push(...problemsKilledAt(id, bundle, point, args, createAndStart));
    }
    expect(problems).toEqual([]);
  }, 900_000);
});
