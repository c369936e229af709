/**
 * containerd's cgroup v2 Metrics from a stand-in cgroup2 directory (the real files and `ctr task
 * metrics` reading them back: test/cg2vm/shim-v2.js).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { io } from '../../../src/generated/containerd';
import { v2Metrics } from '../../../src/shim/metrics';

let dir: string;

beforeAll(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-metrics-'));
  const files: Record<string, string> = {
    'cpu.stat': 'usage_usec 1500\nuser_usec 1000\nsystem_usec 500\nnr_periods 7\nnr_throttled 2\nthrottled_usec 300\n',
    'memory.current': '4096000\n',
    'memory.max': '67108864\n',
    'memory.swap.current': '0\n',
    'memory.swap.max': 'max\n',
    'memory.stat': 'anon 1000\nfile 2000\nkernel_stack 16384\nslab_reclaimable 10\npgfault 42\nthp_collapse_alloc 1\n',
    'memory.events': 'low 0\nhigh 3\nmax 5\noom 2\noom_kill 1\n',
    'pids.current': '3\n',
    'pids.max': '30\n',
    'io.stat': '8:0 rbytes=4096 wbytes=8192 rios=1 wios=2 dbytes=0 dios=0\n8:16 rbytes=1 wbytes=0 rios=1 wios=0 dbytes=0 dios=0\n',
    'hugetlb.2MB.current': '0\n',
    'hugetlb.2MB.max': 'max\n',
    'hugetlb.2MB.events': 'max 0\n',
  };
  for (const [file, text] of Object.entries(files)) fs.writeFileSync(path.join(dir, file), text);
});
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('the shim\'s cgroup v2 Metrics', () => {
  it('reports the files as containerd\'s own v2 reader does', () => {
    const metrics = v2Metrics(dir);
    expect(metrics.pids).toEqual({ current: 3, limit: 30 });
    expect(metrics.cpu).toEqual({ usageUsec: 1500, userUsec: 1000, systemUsec: 500, nrPeriods: 7, nrThrottled: 2, throttledUsec: 300 });
    expect(metrics.memory).toMatchObject({ usage: 4096000, usageLimit: 67108864, swapUsage: 0, anon: 1000, file: 2000, kernelStack: 16384, slabReclaimable: 10, pgfault: 42, thpCollapseAlloc: 1 });
    expect(metrics.memoryEvents).toEqual({ low: 0, high: 3, max: 5, oom: 2, oomKill: 1 });
    expect(metrics.io?.usage).toEqual([
      { major: 8, minor: 0, rbytes: 4096, wbytes: 8192, rios: 1, wios: 2 },
      { major: 8, minor: 16, rbytes: 1, wbytes: 0, rios: 1, wios: 0 },
    ]);
    expect(metrics.hugetlb).toEqual([{ current: 0, max: expect.anything(), pagesize: '2MB' }]);
  });

  it('encodes "max" as 2^64-1 exactly', () => {
    const bytes = io.containerd.cgroups.v2.Metrics.encode(v2Metrics(dir)).finish();
    // memory (field 4) holds swap_limit (field 35, varint): 2^64-1 is ten bytes, 0xff x9 then 0x01.
    const swapLimit = Buffer.from([0x98, 0x02, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01]);
    expect(Buffer.from(bytes).includes(swapLimit)).toBe(true);
  });
});
