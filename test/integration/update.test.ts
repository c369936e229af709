import * as fs from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { CISTA, cista, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireFile, requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let bundle: string;
const ID = 'update1';

beforeAll(() => {
  requireRoot();
  // This host's layout (v1 memory and pids); cgroup v2's files are checked in test/cg2vm.
  requireFile('/sys/fs/cgroup/memory/cgroup.procs', 'a cgroup v1 memory hierarchy');
  scratch = new Scratch('update');
  bundle = scratch.bundle('target', ['sleep', '1000']);
  expect(cista(scratch.root, ['run', '-d', '--bundle', bundle, ID]).code).toBe(0);
});
afterAll(() => {
  cista(scratch.root, ['delete', '--force', ID]);
  expect(leftovers(scratch.root, ID, bundle)).toEqual([]);
  scratch.cleanup();
});

/** A file of the container's cgroup in a v1 hierarchy, found from its init's /proc/<pid>/cgroup. */
function cgroupFile(subsystem: string, file: string): string {
  const pid = JSON.parse(cista(scratch.root, ['state', ID]).stdout).pid;
  const line = fs.readFileSync(`/proc/${pid}/cgroup`, 'utf8').split('\n').find((l) => l.split(':')[1].split(',').includes(subsystem))!;
  return fs.readFileSync(`/sys/fs/cgroup/${subsystem}${line.split(':')[2]}/${file}`, 'utf8').trim();
}

describe('update', () => {
  it('writes the limits given as flags', () => {
    const r = cista(scratch.root, ['update', '--memory', '104857600', '--pids-limit', '50', '--cpu-quota', '50000', '--cpu-period', '100000', ID]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(cgroupFile('memory', 'memory.limit_in_bytes')).toBe('104857600');
    expect(cgroupFile('pids', 'pids.max')).toBe('50');
    expect(cgroupFile('cpu', 'cpu.cfs_quota_us')).toBe('50000');
  });

  it('takes sizes with units for every memory flag, as runc (go-units RAMInBytes), and runc\'s --cpu-share', () => {
    const r = cista(scratch.root, ['update', '--memory', '128M', '--memory-reservation', '64mib', '--cpu-share', '512', ID]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(cgroupFile('memory', 'memory.limit_in_bytes')).toBe(String(128 * 1024 * 1024));
    expect(cgroupFile('memory', 'memory.soft_limit_in_bytes')).toBe(String(64 * 1024 * 1024));
    expect(cgroupFile('cpu', 'cpu.shares')).toBe('512');
    expect(cista(scratch.root, ['update', '--memory', '1.5g', ID]).code).toBe(0);
    expect(cgroupFile('memory', 'memory.limit_in_bytes')).toBe(String(1.5 * 1024 ** 3));
    expect(cista(scratch.root, ['update', '--memory', '100 MB', ID]).code).toBe(0);
    expect(cgroupFile('memory', 'memory.limit_in_bytes')).toBe(String(100 * 1024 * 1024));
    expect(cista(scratch.root, ['update', '--memory', '104857600', ID]).code).toBe(0);
  });

  it('reads linux.resources JSON from --resources - (containerd) and changes only what it names', () => {
    const r = exec('/bin/sh', ['-c', `echo '{"pids":{"limit":7}}' | ${CISTA} --root ${scratch.root} update --resources - ${ID}`]);
    expect(r).toMatchObject({ code: 0, stderr: '' });
    expect(cgroupFile('pids', 'pids.max')).toBe('7');
    expect(cgroupFile('memory', 'memory.limit_in_bytes')).toBe('104857600');
  });

  it('refuses bad values by JSON path and leaves the limits as they were', () => {
    const file = `${scratch.dir}/resources.json`;
    fs.writeFileSync(file, JSON.stringify({ memory: { limit: -5 } }));
    expect(cista(scratch.root, ['update', '-r', file, ID])).toMatchObject({ code: 1, stderr: `cista: ${file}: /memory/limit: -5 is neither a byte count nor -1 (unlimited)\n` });
    fs.writeFileSync(file, JSON.stringify({ pids: { limit: 'x' } }));
    expect(cista(scratch.root, ['update', '-r', file, ID])).toMatchObject({ code: 1, stderr: `cista: ${file}: /pids/limit: must be an integer from -9223372036854775808 to 9223372036854775807\n` });
    expect(cista(scratch.root, ['update', '--memory', 'lots', ID])).toMatchObject({
      code: 1,
      stderr: 'cista: --memory: "lots" is not a size: use bytes or a number with k, m, g, t or p (as 128M or 1.5g), or -1 for unlimited\n',
    });
    expect(cista(scratch.root, ['update', '--pids-limit', '5x', ID])).toMatchObject({ code: 1, stderr: 'cista: --pids-limit: "5x" is not an integer\n' });
    expect(cista(scratch.root, ['update', '--l3-cache-schema', 'L3:0=ff', ID])).toMatchObject({ code: 1, stderr: 'cista: --l3-cache-schema: Intel RDT is not supported yet\n' });
    expect(cgroupFile('pids', 'pids.max')).toBe('7');
  });
});
