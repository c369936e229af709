import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { type CistaError, ConfigError, ContainerStateError, NoContainerError, Runtime } from '../../src/api';
import { Scratch, editConfig, readConfig } from '../helpers/bundle';
import { cista } from '../helpers/cli';
import { leftovers, zombieChildren } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let runtime: Runtime;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('api');
  runtime = new Runtime({ root: scratch.root });
});
afterAll(async () => {
  for (const s of await runtime.list()) await (await runtime.get(s.id)).delete({ force: true });
  scratch.cleanup();
});

async function readToEnd(stream: NodeJS.ReadableStream): Promise<string> {
  let text = '';
  for await (const chunk of stream) text += chunk.toString();
  return text;
}

/** This process's eventfds and inotify fds (libuv has some of its own). */
function notificationFds(): number {
  return fs.readdirSync('/proc/self/fd').filter((fd) => {
    try {
      return /eventfd|inotify/.test(fs.readlinkSync(`/proc/self/fd/${fd}`));
    } catch {
      return false;
    }
  }).length;
}

async function rejection(promise: Promise<unknown>): Promise<CistaError> {
  try {
    await promise;
  } catch (e) {
    return e as CistaError;
  }
  throw new Error('expected a rejection');
}

describe('the Node API', () => {
  it('creates, starts, execs with captured output, kills, waits for and deletes a container', async () => {
    const bundle = scratch.bundle('api1', ['sleep', '1000']);
    const container = await runtime.create('api1', { bundle });
    expect(await container.state()).toMatchObject({ id: 'api1', status: 'created', pid: container.pid });
    await container.start();
    expect((await container.state()).status).toBe('running');
    const result = await container.exec({ args: ['sh', '-c', 'cat /proc/1/cmdline | tr "\\0" " "; echo oops >&2; exit 4'] });
    expect(result).toEqual({ exitCode: 4, signal: null, stdout: 'sleep 1000 ', stderr: 'oops\n' });
    expect(await container.exec({ args: ['cat'], input: 'fed through stdin' })).toMatchObject({ exitCode: 0, stdout: 'fed through stdin' });
    expect((await runtime.list()).map((s) => s.id)).toEqual(['api1']);
    const exitEvent = new Promise((resolve) => container.once('exit', resolve));
    await container.kill('KILL');
    expect(await container.wait()).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect(await exitEvent).toEqual({ exitCode: null, signal: 'SIGKILL' });
    expect((await container.state()).status).toBe('stopped');
    await container.delete();
    expect(leftovers(scratch.root, 'api1', bundle)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
  });

  it('runs a container to completion: exit status and output, then deleted', async () => {
    const bundle = scratch.bundle('api2', ['sh', '-c', 'echo out; echo err >&2; exit 9']);
    expect(await runtime.run('api2', { bundle })).toEqual({ exitCode: 9, signal: null, stdout: 'out\n', stderr: 'err\n' });
    expect(leftovers(scratch.root, 'api2', bundle)).toEqual([]);
  });

  it('creates from a rootfs and a config object, writing the config into its state directory', async () => {
    const bundle = scratch.bundle('api3', ['true']);
    const spec = readConfig(bundle);
    spec.process.args = ['sh', '-c', 'echo $((6 * 7))'];
    const rootfs = path.join(bundle, 'rootfs');
    fs.rmSync(path.join(bundle, 'config.json'));
    const container = await runtime.create('api3', { rootfs, spec: spec as never }, { stdio: ['ignore', 'pipe', 'inherit'] });
    expect((await container.state()).bundle).toBe(path.join(scratch.root, 'api3'));
    expect(JSON.parse(fs.readFileSync(path.join(scratch.root, 'api3', 'config.json'), 'utf8')).root.path).toBe(rootfs);
    await container.start();
    const chunks: Buffer[] = [];
    for await (const chunk of container.stdout!) chunks.push(chunk as Buffer);
    expect(Buffer.concat(chunks).toString()).toBe('42\n');
    expect(await container.wait()).toEqual({ exitCode: 0, signal: null });
    await container.delete();
    expect(leftovers(scratch.root, 'api3', bundle)).toEqual([]);
  });

  it('rejects with stable error codes', async () => {
    const bundle = scratch.bundle('api4', ['sleep', '1000']);
    editConfig(bundle, (c) => (c.process.cwd = 'relative'));
    const config = await rejection(runtime.create('api4', { bundle }));
    expect(config).toBeInstanceOf(ConfigError);
    expect(config).toMatchObject({ code: 'ECONFIG', pointer: '/process/cwd' });
    expect(leftovers(scratch.root, 'api4', bundle)).toEqual([]);

    const missing = await rejection(runtime.get('nope'));
    expect(missing).toBeInstanceOf(NoContainerError);
    expect(missing).toMatchObject({ code: 'ENOCONTAINER', id: 'nope' });

    editConfig(bundle, (c) => (c.process.cwd = '/'));
    const container = await runtime.create('api4', { bundle });
    expect(await rejection(runtime.create('api4', { bundle }))).toMatchObject({ code: 'EEXIST', id: 'api4' });
    const state = await rejection(container.delete());
    expect(state).toBeInstanceOf(ContainerStateError);
    expect(state).toMatchObject({ code: 'ESTATE', status: 'created' });
    await container.delete({ force: true });
    expect(leftovers(scratch.root, 'api4', bundle)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
  });

  it('kills on abort and timeout: exec, and run (which then deletes the container)', async () => {
    const bundle = scratch.bundle('api5', ['sleep', '1000']);
    const container = await runtime.create('api5', { bundle });
    await container.start();
    const timedOut = await rejection(container.exec({ args: ['sleep', '1000'], timeout: 200 }));
    expect((timedOut as Error).name).toBe('TimeoutError');
    const controller = new AbortController();
    const aborted = container.exec({ args: ['sleep', '1000'], signal: controller.signal });
    setTimeout(() => controller.abort(new Error('stop')), 100);
    expect((await rejection(aborted)).message).toBe('stop');
    // Of the sleeps, only the container's own is left.
    expect((await container.exec({ args: ['sh', '-c', 'grep -l "^sleep" /proc/[0-9]*/cmdline'] })).stdout).toBe('/proc/1/cmdline\n');
    await container.delete({ force: true });

    const runBundle = scratch.bundle('api6', ['sleep', '1000']);
    expect((await rejection(runtime.run('api6', { bundle: runBundle }, { timeout: 300 })) as Error).name).toBe('TimeoutError');
    expect(leftovers(scratch.root, 'api6', runBundle)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
  });

  it('gives a detached process a pid and wait(), and never leaves it a zombie', async () => {
    const bundle = scratch.bundle('api7', ['sleep', '1000']);
    const container = await runtime.create('api7', { bundle });
    await container.start();
    const detached = await container.spawn({ args: ['sh', '-c', 'exit 3'], detached: true, stdio: 'ignore' });
    expect(detached.pid).toBeGreaterThan(0);
    expect(await detached.wait()).toEqual({ exitCode: 3, signal: null });
    const unwatched = await container.spawn({ args: ['true'], detached: true, stdio: 'ignore' });
    await new Promise((resolve) => unwatched.once('exit', resolve));
    expect(zombieChildren()).toEqual([]);
    await container.delete({ force: true });
    expect(leftovers(scratch.root, 'api7', bundle)).toEqual([]);
  });

  it('gives a container and an exec\'d process a terminal as a duplex stream with resize', async () => {
    const bundle = scratch.bundle('api9', ['sh'], (c) => (c.process.terminal = true));
    const container = await runtime.create('api9', { bundle });
    await container.start();
    const shell = await container.spawn({ args: ['sh'], terminal: true });
    shell.terminal!.resize(100, 40);
    shell.terminal!.write('stty size; tty; exit 7\n');
    expect(await readToEnd(shell.terminal!)).toMatch(/\r\n40 100\r\n\/dev\/pts\/\d+\r\n$/);
    expect(await shell.wait()).toEqual({ exitCode: 7, signal: null });

    container.terminal!.write('echo "$((40 + 2))"; exit 3\n');
    expect(await readToEnd(container.terminal!)).toContain('\r\n42\r\n');
    expect(await container.wait()).toEqual({ exitCode: 3, signal: null });
    await container.delete();
    expect(leftovers(scratch.root, 'api9', bundle)).toEqual([]);
  });

  it('waits for and force-deletes a container another process created', async () => {
    const bundle = scratch.bundle('api10', ['sleep', '1000']);
    expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, 'api10']).code).toBe(0);
    const container = await runtime.get('api10');
    expect(container.pid).toBe((await container.state()).pid);
    const exited = container.wait();
    await container.kill('KILL');
    // Not our child: the kernel keeps its status once its parent (PID 1 here) has reaped it, on Linux
    // 6.15+; a lazy PID 1 may reap it later than wait() looks.
    const exit = await exited;
    expect([null, 'SIGKILL']).toContain(exit.signal);
    expect(exit.exitCode).toBe(null);
    await container.delete();
    expect(leftovers(scratch.root, 'api10', bundle)).toEqual([]);

    expect(cista(scratch.root, ['create', '--bundle', bundle, 'api10']).code).toBe(0);
    await (await runtime.get('api10')).delete({ force: true });
    expect(leftovers(scratch.root, 'api10', bundle)).toEqual([]);
  });

  it('reports resource usage, and emits oom when the container runs out of memory', async () => {
    const limit = 16 * 1024 * 1024;
    // tail of a file without newlines keeps all of it: the OOM killer ends it, the shell lives on.
    const bundle = scratch.bundle('api11', ['sh', '-c', 'tail /dev/zero; sleep 1000'], (c) => {
      // Memory plus swap at the same limit where swap is accounted (memsw), so that no swap delays the kill.
      const swap = fs.existsSync('/sys/fs/cgroup/memory/memory.memsw.limit_in_bytes') ? { swap: limit } : {};
      c.linux.resources = { ...c.linux.resources, memory: { limit, ...swap }, pids: { limit: 10 } };
    });
    const fds = fs.readdirSync('/proc/self/fd').length;
    const container = await runtime.create('api11', { bundle }, { stdio: 'ignore' });
    const notifications = notificationFds();
    const oom = new Promise<void>((resolve) => container.once('oom', resolve));
    await container.start();
    await oom;
    const stats = await container.stats();
    expect(stats.memory.usage.limit).toBe(BigInt(limit));
    // The limit was reached (this kernel's v1 failcnt stays 0).
    expect(stats.memory.usage.max).toBe(BigInt(limit));
    expect(stats.memory.swap.limit).toBeGreaterThanOrEqual(BigInt(limit));
    // The shell, and `sleep` once it has started after the killed tail (the oom event may come first).
    expect(stats.pids.limit).toBe(10n);
    expect([1n, 2n]).toContain(stats.pids.current);
    expect(stats.cpu.usage.total).toBeGreaterThan(0n);
    expect(stats.network_interfaces).toBe(null);
    // The watch ended with the last listener: its fd (an eventfd on v1, inotify's on v2) is closed.
    expect(container.listenerCount('oom')).toBe(0);
    expect(notificationFds()).toBe(notifications);
    await container.kill('KILL');
    await container.wait();
    await expect(container.stats()).rejects.toMatchObject({ code: 'ESTATE', status: 'stopped' });
    await container.delete();
    expect(fs.readdirSync('/proc/self/fd').length).toBe(fds);
    await expect(container.stats()).rejects.toMatchObject({ code: 'ENOCONTAINER' });
    expect(leftovers(scratch.root, 'api11', bundle)).toEqual([]);
  });

  it('runs 50 containers concurrently', async () => {
    const bundle = scratch.bundle('api8', ['sh', '-c', 'echo $((1 + 1))']);
    const fds = fs.readdirSync('/proc/self/fd').length;
    const results = await Promise.all(Array.from({ length: 50 }, (_, i) => runtime.run(`api8-${i}`, { bundle })));
    expect(results.every((r) => r.exitCode === 0 && r.stdout === '2\n')).toBe(true);
    // Pipes, pidfds and sync sockets all closed.
    expect(fs.readdirSync('/proc/self/fd').length).toBe(fds);
    for (let i = 0; i < 50; i++) expect(leftovers(scratch.root, `api8-${i}`, bundle)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
  });
});
