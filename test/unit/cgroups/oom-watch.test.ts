/**
 * The cgroup v2 OOM watch against a stand-in cgroup directory: inotify reports a change of its
 * memory.events file and the removal of the directory as it does for cgroupfs (v1's eventfd needs a
 * real memory cgroup: test/integration/api.test.ts and events.test.ts).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';

import { watchV2Oom } from '../../../src/engine/cgroups/oom-watch';

let dir: string;

function memoryEvents(counters: { max?: number; oom?: number; oom_kill?: number }): void {
  const text = ['low', 'high', 'max', 'oom', 'oom_kill', 'oom_group_kill'].map((key) => `${key} ${counters[key as keyof typeof counters] ?? 0}\n`).join('');
  fs.writeFileSync(path.join(dir, 'memory.events'), text);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-oom-watch-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the cgroup v2 OOM watch', () => {
  it('calls back for each increase of oom or oom_kill in memory.events, not for other changes', async () => {
    memoryEvents({ oom: 1, oom_kill: 1 });
    const calls: number[] = [];
    let notify: () => void = () => {};
    const watch = watchV2Oom(dir, () => {
      calls.push(calls.length);
      notify();
    }, false)!;
    const nextOom = () => new Promise<void>((resolve) => (notify = resolve));
    // Counts from before the watch are not news.
    let oom = nextOom();
    memoryEvents({ max: 3, oom: 1, oom_kill: 1 });
    memoryEvents({ max: 3, oom: 2, oom_kill: 2 });
    await oom;
    expect(calls).toEqual([0]);
    oom = nextOom();
    memoryEvents({ max: 5, oom: 2, oom_kill: 2 });
    memoryEvents({ max: 5, oom: 3, oom_kill: 2 });
    await oom;
    expect(calls).toEqual([0, 1]);
    watch.close();
    watch.close();
    await watch.ended;
  });

  it('ends when the cgroup directory is removed', async () => {
    memoryEvents({});
    let called = false;
    const watch = watchV2Oom(dir, () => (called = true), false)!;
    fs.rmSync(dir, { recursive: true });
    await watch.ended;
    expect(called).toBe(false);
  });

  it('has nothing to watch without the memory controller (no memory.events)', () => {
    expect(watchV2Oom(dir, () => {}, false)).toBeNull();
  });
});
