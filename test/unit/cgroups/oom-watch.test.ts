/**
 * The cgroup v2 OOM watch against a stand-in cgroup directory: inotify reports changes of its
 * memory.events and cgroup.events files as it does for cgroupfs (v1's eventfd needs a real memory
 * cgroup: test/integration/api.test.ts and events.test.ts; the real v2 files: test/cg2vm/shim-v2.js).
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

function cgroupEvents(populated: boolean): void {
  fs.writeFileSync(path.join(dir, 'cgroup.events'), `populated ${populated ? 1 : 0}\nfrozen 0\n`);
}

beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-oom-watch-'));
  cgroupEvents(true);
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

  it('ends once the cgroup has no process left, reporting an OOM that came with its end', async () => {
    memoryEvents({});
    let calls = 0;
    const watch = watchV2Oom(dir, () => calls++, false)!;
    memoryEvents({ oom: 1, oom_kill: 1 });
    cgroupEvents(false);
    await watch.ended;
    expect(calls).toBe(1);
  });

  it('is over at once for a cgroup already empty, and has nothing to watch without memory.events', async () => {
    memoryEvents({});
    cgroupEvents(false);
    await watchV2Oom(dir, () => {}, false)!.ended;
    fs.rmSync(path.join(dir, 'memory.events'));
    expect(watchV2Oom(dir, () => {}, false)).toBeNull();
  });
});
