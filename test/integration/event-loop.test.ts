import { spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Runtime } from '../../src/api';
import { waitForExit } from '../../src/engine/process/exit';
import { realHost } from '../../src/engine/host/real';
import { withContainerLock, withContainerLockAsync } from '../../src/engine/state/lock';
import { Scratch } from '../helpers/bundle';
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
    let locked!: Promise<void>;
    withContainerLock(
      realHost,
      dir,
      true,
      () => {
        locked = withContainerLockAsync(realHost, dir, false, () => {
          order.push('async lock');
        });
        order.push('sync lock released');
      },
      () => {
        throw new Error('the directory is there');
      },
    );
    await locked;
    expect(order).toEqual(['sync lock released', 'async lock']);
    const aborted = new AbortController();
    const held = withContainerLockAsync(realHost, dir, true, async () => {
      const waiting = withContainerLockAsync(realHost, dir, true, () => 'never', aborted.signal);
      aborted.abort(new Error('gave up'));
      await expect(waiting).rejects.toThrow('gave up');
    });
    await held;
  });
});
