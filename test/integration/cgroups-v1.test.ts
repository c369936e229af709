/**
 * The v1 driver against this host's real cgroups (root, v1 or hybrid layout). Everything is
 * created below /cista-test-<pid> in each hierarchy and removed again.
 */
import { ChildProcessWithoutNullStreams, spawn } from 'node:child_process';
import { once } from 'node:events';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { defaultAllowedDevices, DeviceRule, openCgroupManager, reopenCgroupManager } from '../../src/engine/cgroups';
import { V1CgroupManager } from '../../src/engine/cgroups/v1';
import { detectLayout } from '../../src/engine/cgroups/path';
import { parseMountInfo } from '../../src/engine/mountinfo';

const missing: string[] = [];
if (process.getuid?.() !== 0) missing.push('root');
if (detectLayout(parseMountInfo(fs.readFileSync('/proc/self/mountinfo', 'utf8'))) !== 'v1') missing.push('a cgroup v1 host');
// Under CI a missing prerequisite is a failure, never a silent skip.
const skip = missing.length > 0 && process.env.CI !== 'true';

const testRoot = `/cista-test-${process.pid}`;
const children: ChildProcessWithoutNullStreams[] = [];
let manager: V1CgroupManager | undefined;

/** A shell in the cgroup that waits for a line on stdin before trying to read devices. */
function spawnDeviceProbe(): ChildProcessWithoutNullStreams {
  const child = spawn('sh', [
    '-c',
    'read go; for d in null zero; do if head -c 1 /dev/$d >/dev/zero 2>&1; then echo $d:ok; else echo $d:denied; fi; done',
  ]);
  children.push(child);
  return child;
}

async function probeResult(child: ChildProcessWithoutNullStreams): Promise<string[]> {
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stdin.write('go\n');
  await once(child, 'exit');
  return output.trim().split('\n');
}

function hierarchyOf(procCgroup: string, subsystem: string): string | undefined {
  return procCgroup
    .split('\n')
    .map((line) => line.split(':'))
    .find(([, controllers]) => controllers !== undefined && controllers.split(',').includes(subsystem))?.[2];
}

afterAll(() => {
  for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  manager?.destroy();
});

describe.skipIf(skip)('cgroup v1 driver on this host', () => {
  it('has its prerequisites', () => {
    expect(missing).toEqual([]);
  });

  it('creates, joins, filters devices, lists pids and destroys', async () => {
    const opened = openCgroupManager({ containerId: 'ctr', cgroupsPath: `${testRoot}/ctr` });
    expect(opened.driver).toBe('v1');
    manager = opened as V1CgroupManager;
    expect(manager.paths.devices).toBe(`/sys/fs/cgroup/devices${testRoot}/ctr`);
    expect(manager.paths.memory).toBe(`/sys/fs/cgroup/memory${testRoot}/ctr`);

    const sleeper = spawn('sleep', ['60']);
    children.push(sleeper as ChildProcessWithoutNullStreams);
    await once(sleeper, 'spawn');
    const denyAll: DeviceRule = { allow: false, type: 'a', major: null, minor: null, access: 'rwm' };
    manager.create(sleeper.pid!, [denyAll, ...defaultAllowedDevices()], { writes: [], unitProperties: [] });
    manager.join(sleeper.pid!);
    const dirs = [...new Set(Object.values(manager.paths))];
    for (const dir of dirs) expect(fs.statSync(dir).isDirectory()).toBe(true);
    const cpuset = manager.paths.cpuset;
    if (cpuset !== undefined) {
      expect(fs.readFileSync(path.join(cpuset, 'cpuset.cpus'), 'utf8').trim()).not.toBe('');
      expect(fs.readFileSync(path.join(cpuset, 'cpuset.mems'), 'utf8').trim()).not.toBe('');
    }

    const procCgroup = fs.readFileSync(`/proc/${sleeper.pid}/cgroup`, 'utf8');
    for (const subsystem of ['devices', 'memory', 'pids', 'name=systemd']) {
      if (manager.paths[subsystem] !== undefined) expect(hierarchyOf(procCgroup, subsystem)).toBe(`${testRoot}/ctr`);
    }
    if (manager.paths[''] !== undefined) expect(procCgroup).toContain(`0::${testRoot}/ctr\n`);
    expect(manager.pids()).toEqual([sleeper.pid]);
    expect(reopenCgroupManager(manager.record()).pids()).toEqual([sleeper.pid]);

    const list = fs.readFileSync(path.join(manager.paths.devices, 'devices.list'), 'utf8').trim().split('\n');
    expect(list.sort()).toEqual(
      ['c *:* m', 'b *:* m', 'c 1:3 rwm', 'c 1:8 rwm', 'c 1:7 rwm', 'c 5:0 rwm', 'c 1:5 rwm', 'c 1:9 rwm', 'c 136:* rwm', 'c 5:2 rwm', 'c 10:200 rwm'].sort(),
    );

    // Without the /dev/null rule a process in the cgroup cannot read it, but can read /dev/zero.
    const withoutNull = defaultAllowedDevices().filter((rule) => !(rule.major === 1 && rule.minor === 3));
    manager.applyDevices([denyAll, ...withoutNull]);
    const probe = spawnDeviceProbe();
    manager.join(probe.pid!);
    expect(await probeResult(probe)).toEqual(['null:denied', 'zero:ok']);

    // Allow-all with one exception: the same outcome the other way round.
    manager.applyDevices([{ ...denyAll, allow: true }, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]);
    expect(fs.readFileSync(path.join(manager.paths.devices, 'devices.list'), 'utf8').trim()).toBe('a *:* rwm');
    const secondProbe = spawnDeviceProbe();
    manager.join(secondProbe.pid!);
    expect(await probeResult(secondProbe)).toEqual(['null:denied', 'zero:ok']);

    // destroy() right after SIGKILL: the rmdir has to wait for the exit (EBUSY retries).
    sleeper.kill('SIGKILL');
    manager.destroy();
    for (const dir of dirs) expect(fs.existsSync(dir)).toBe(false);
    for (const dir of dirs) expect(fs.existsSync(path.dirname(dir))).toBe(false); // testRoot was ours too
    expect(manager.pids()).toEqual([]);
  });
});
