import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Runtime } from '../../src/api';
import { waitForExit } from '../../src/engine/process/exit';
import { realAsyncHost } from '../../src/engine/host/async-waits';
import { runAsync, runSync } from '../../src/engine/host/effect';
import { realHost } from '../../src/engine/host/real';
import { withContainerLock } from '../../src/engine/state/lock';
import { Scratch, editConfig } from '../helpers/bundle';
import { leftovers, zombieChildren } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

// The primitives under the API wait on Node's event loop: no thread parked per process, no call
// that blocks the loop, no fd left behind.
let scratch: Scratch;
let runtime: Runtime;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('eventloop');
  runtime = new Runtime({ root: scratch.root });
});
afterAll(async () => {
  for (const s of await runtime.list()) await (await runtime.get(s.id)).delete({ force: true });
  scratch.cleanup();
});

const openFds = () => fs.readdirSync('/proc/self/fd').length;

/** PIDFD_INFO_EXIT: since Linux 6.15 the kernel keeps the exit status of a process that is not our child. */
function kernelKeepsExitStatus(): boolean {
  const [major, minor] = os.release().split('.').map(Number);
  return major > 6 || (major === 6 && minor >= 15);
}

describe('waiting on the event loop', () => {
  it('six concurrent exec waits leave the thread pool free for an unrelated fs.readFile', async () => {
    const bundle = scratch.bundle('ev1', ['sleep', '1000']);
    const container = await runtime.create('ev1', { bundle });
    await container.start();
    const events: string[] = [];
    // Each exec's process waits until the readFile below has finished: with a pool thread parked per
    // wait (libuv has four), the readFile could never finish first.
    const marker = path.join(bundle, 'rootfs', 'read-done');
    const execs = Array.from({ length: 6 }, (_, i) =>
      container.exec({ args: ['sh', '-c', 'while [ ! -e /read-done ]; do sleep 0.05; done'] }).then((r) => events.push(`exec ${i} exit ${r.exitCode}`)),
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    await fs.promises.readFile('/proc/self/status');
    events.push('readFile');
    fs.writeFileSync(marker, '');
    await Promise.all(execs);
    expect(events[0]).toBe('readFile');
    expect(events.slice(1).sort()).toEqual(Array.from({ length: 6 }, (_, i) => `exec ${i} exit 0`));
    await container.delete({ force: true });
    expect(leftovers(scratch.root, 'ev1', bundle)).toEqual([]);
  });

  it('waits for 1000 exec\'d processes, its children, leaving no fd and no zombie', async () => {
    const bundle = scratch.bundle('ev2', ['sleep', '1000']);
    const container = await runtime.create('ev2', { bundle });
    await container.start();
    const before = openFds();
    for (let i = 0; i < 1000; i++) {
      const spawned = await container.spawn({ args: ['sh', '-c', `exit ${i % 7}`], stdio: 'ignore' });
      expect(await spawned.wait()).toEqual({ exitCode: i % 7, signal: null });
    }
    expect(openFds()).toBe(before);
    expect(zombieChildren()).toEqual([]);
    await container.delete({ force: true });
    expect(leftovers(scratch.root, 'ev2', bundle)).toEqual([]);
  }, 300_000);

  it('waits for a process that is not its child through its pidfd', async () => {
    // The shell (libuv's child) starts the sleep and reaps it; we only watch the sleep.
    const shell = spawn('/bin/sh', ['-c', 'sleep 0.3 & echo $!; wait $!; exit 0'], { stdio: ['ignore', 'pipe', 'ignore'] });
    // Listened for from the start: the shell may well exit while waitForExit still looks for the status.
    const shellExit = once(shell, 'exit');
    const [line] = (await once(shell.stdout!, 'data')) as [Buffer];
    const exit = await waitForExit(Number(line.toString().trim()));
    expect(exit).toEqual(kernelKeepsExitStatus() ? { code: 0, signal: null } : { code: null, signal: null });
    const [code] = await shellExit;
    expect(code).toBe(0);
  });

  it('takes a held lock once it is released, without blocking the loop meanwhile', async () => {
    const dir = fs.mkdtempSync(path.join(scratch.dir, 'lock-'));
    const order: string[] = [];
    const gone = () => {
      throw new Error('the directory is there');
    };
    let locked!: Promise<void>;
    runSync(
      withContainerLock(
        realHost,
        dir,
        true,
        function* () {
          locked = runAsync(
            withContainerLock(
              realAsyncHost,
              dir,
              false,
              function* () {
                order.push('async lock');
              },
              gone,
            ),
          );
          order.push('sync lock released');
        },
        gone,
      ),
    );
    await locked;
    expect(order).toEqual(['sync lock released', 'async lock']);
  });

  it('orders concurrent calls on one container by its lock, in one process', async () => {
    // create holds the container's lock while its prestart hook runs; a state() and an exec() made
    // meanwhile from the same process wait for it on the event loop (a blocking flock here would never
    // return: the lock's holder could not go on), then see the created container.
    const bundle = scratch.bundle('ev4', ['sleep', '1000']);
    editConfig(bundle, (c) => {
      c.hooks = { prestart: [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 0.5'] }] };
    });
    const creating = runtime.create('ev4', { bundle }, { stdio: 'ignore' });
    // Until the state directory exists there is no lock to wait for.
    while (!fs.existsSync(path.join(scratch.root, 'ev4', 'state.json'))) await new Promise((resolve) => setTimeout(resolve, 5));
    const [container, handle] = await Promise.all([creating, runtime.get('ev4')]);
    expect((await handle.state()).status).toBe('created');
    const [exec, state] = await Promise.all([container.exec({ args: ['echo', 'hi'] }), container.state(), container.start()]);
    expect(exec.stdout).toBe('hi\n');
    expect(['created', 'running']).toContain(state.status);
    await container.delete({ force: true });
    expect(leftovers(scratch.root, 'ev4', bundle)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
  }, 60_000);

  it('rolls back creates that fail in a hook, ten at once next to ten that succeed: no fd, zombie or cgroup left', async () => {
    const good = scratch.bundle('ev5', ['true']);
    const bad = scratch.bundle('ev6', ['true']);
    editConfig(bad, (c) => {
      c.hooks = { createRuntime: [{ path: '/bin/sh', args: ['sh', '-c', 'sleep 0.1; exit 3'] }] };
    });
    const fds = openFds();
    const outcomes = await Promise.allSettled(
      Array.from({ length: 20 }, (_, i) => (i % 2 === 0 ? runtime.run(`ev5-${i}`, { bundle: good }) : runtime.create(`ev6-${i}`, { bundle: bad }, { stdio: 'ignore' }))),
    );
    for (const [i, outcome] of outcomes.entries()) {
      if (i % 2 === 0) expect(outcome).toMatchObject({ status: 'fulfilled', value: { exitCode: 0 } });
      else expect(outcome).toMatchObject({ status: 'rejected', reason: { message: 'error running createRuntime hook #0: exit status 3, stdout: , stderr: ' } });
    }
    expect(openFds()).toBe(fds);
    expect(zombieChildren()).toEqual([]);
    for (let i = 0; i < 20; i++) expect(leftovers(scratch.root, i % 2 === 0 ? `ev5-${i}` : `ev6-${i}`, i % 2 === 0 ? good : bad)).toEqual([]);
  }, 60_000);

  it('keeps the loop turning while create, start, exec and delete wait for hooks and a held lock', async () => {
    // Each call below waits 600 ms or more: for hooks (run with spawnSync, that blocked the loop as
    // long), or for the container's lock held by another process (a blocking flock did). The loop's
    // longest stall must stay far below that; the bound is loose for a loaded machine.
    const STALL_BOUND_MS = 300;
    const sleeper = (seconds: number) => ({ path: '/bin/sh', args: ['sh', '-c', `sleep ${seconds}`] });
    const bundle = scratch.bundle('ev3', ['sleep', '1000']);
    editConfig(bundle, (c) => {
      c.hooks = { prestart: [sleeper(0.3)], createRuntime: [sleeper(0.3)], poststart: [sleeper(0.6)], poststop: [sleeper(0.6)] };
    });
    const stall = async <T>(call: () => Promise<T>): Promise<{ result: T; stallMs: number }> => {
      let last = performance.now();
      let stallMs = 0;
      const timer = setInterval(() => {
        const now = performance.now();
        stallMs = Math.max(stallMs, now - last);
        last = now;
      }, 5);
      try {
        const result = await call();
        stallMs = Math.max(stallMs, performance.now() - last);
        return { result, stallMs };
      } finally {
        clearInterval(timer);
      }
    };
    /** Holds the container's lock from another process for `seconds`; resolves once it is held. */
    const holdLock = async (seconds: number) => {
      const holder = spawn('flock', ['-x', path.join(scratch.root, 'ev3'), '-c', `echo held; sleep ${seconds}`], { stdio: ['ignore', 'pipe', 'inherit'] });
      await once(holder.stdout!, 'data');
      return once(holder, 'exit');
    };

    const created = await stall(() => runtime.create('ev3', { bundle }, { stdio: 'ignore' }));
    expect(created.stallMs).toBeLessThan(STALL_BOUND_MS);
    const container = created.result;
    let released = await holdLock(0.6);
    expect((await stall(() => container.start())).stallMs).toBeLessThan(STALL_BOUND_MS);
    await released;
    released = await holdLock(0.6);
    const exec = await stall(() => container.exec({ args: ['true'] }));
    expect(exec.stallMs).toBeLessThan(STALL_BOUND_MS);
    expect(exec.result.exitCode).toBe(0);
    await released;
    await container.kill('KILL');
    await container.wait();
    released = await holdLock(0.6);
    expect((await stall(() => container.delete())).stallMs).toBeLessThan(STALL_BOUND_MS);
    await released;
    expect(leftovers(scratch.root, 'ev3', bundle)).toEqual([]);
    expect(zombieChildren()).toEqual([]);
  }, 60_000);
});
