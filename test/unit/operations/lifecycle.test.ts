/**
 * start, exec, kill, pause, resume, update and delete against the fake host, on a container that
 * create made there: what each one does, in order, and what it refuses.
 */
import { describe, expect, it } from 'vitest';

import { createContainer } from '../../../src/engine/operations/create';
import { deleteContainer } from '../../../src/engine/operations/delete';
import { type ExecOptions, execInContainer } from '../../../src/engine/operations/exec';
import { killContainer } from '../../../src/engine/operations/kill';
import { pauseContainer, resumeContainer } from '../../../src/engine/operations/pause';
import { startContainer } from '../../../src/engine/operations/start';
import { containerState } from '../../../src/engine/operations/state';
import { updateContainer } from '../../../src/engine/operations/update';
import { CLONE_NEWPID, FifoAnswer, SyncTag } from '../../../src/generated/protocol';
import type { FakeHost } from '../../helpers/fake-host';
import { BUNDLE, ROOT, machine, machineWithoutMountNamespace } from './machine';

/** A fresh machine with container c1 created on it; its effects log starts empty. */
function created(): { host: FakeHost; before: unknown } {
  const host = machine();
  const before = host.snapshot();
  createContainer({ root: ROOT, id: 'c1', bundle: BUNDLE }, host);
  host.effects.length = 0;
  // An exec'd init has no create-time hooks to ask for.
  host.initMessages = [SyncTag.Ready];
  return { host, before };
}

function started(): { host: FakeHost; before: unknown } {
  const machine = created();
  startContainer(ROOT, 'c1', () => {}, machine.host);
  machine.host.effects.length = 0;
  return machine;
}

const execOptions = (options: Partial<ExecOptions> = {}): ExecOptions => ({
  root: ROOT,
  id: 'c1',
  args: ['ps'],
  env: [],
  additionalGids: [],
  capabilities: [],
  noNewPrivileges: false,
  tty: false,
  detach: true,
  preserveFds: 0,
  ...options,
});

const status = (host: FakeHost) => containerState(ROOT, 'c1', host).status;

describe('start', () => {
  it('opens the exec fifo, removes it once the process runs, then runs poststart', () => {
    const { host } = created();
    startContainer(ROOT, 'c1', () => {}, host);
    expect(host.changes()).toEqual([`addon.lockFile ${ROOT}/c1`, `fs.unlink ${ROOT}/c1/exec.fifo`, 'proc.run /hooks/poststart']);
    expect(host.fdTable.size).toBe(0);
    expect(status(host)).toBe('running');
  });

  it("fails with the init's reason and leaves the container created", () => {
    const { host } = created();
    host.fifoAnswer = `${FifoAnswer.Refused}exec: no such file or directory`;
    expect(() => startContainer(ROOT, 'c1', () => {}, host)).toThrow(/^exec: no such file or directory$/);
    expect(host.fdTable.size).toBe(0);
    expect(status(host)).toBe('created');
  });

  it('a failing poststart hook is a warning', () => {
    const { host } = created();
    host.hookStatus.set('/hooks/poststart', 3);
    const warnings: string[] = [];
    startContainer(ROOT, 'c1', (m) => warnings.push(m), host);
    expect(warnings).toEqual(['error running poststart hook #0: exit status 3, stdout: , stderr: hook failed']);
  });

  it('refuses a running container', () => {
    const { host } = started();
    expect(() => startContainer(ROOT, 'c1', () => {}, host)).toThrow('cannot start an already running container');
    expect(host.changes()).toEqual([`addon.lockFile ${ROOT}/c1`]);
  });
});

describe('exec', () => {
  it("joins the init's namespaces and cgroup, sends the plan, writes the pid file", async () => {
    const { host } = started();
    expect(await execInContainer(execOptions({ pidFile: '/tmp/exec.pid' }), host)).toBe(0);
    expect(host.changes()).toEqual([
      `addon.lockFile ${ROOT}/c1`,
      'addon.spawnInit clone flags 0x0',
      'cgroup.join 4001',
      'fs.write sync fd',
      'fs.writeText /tmp/exec.pid.PID.tmp',
      'fs.rename /tmp/exec.pid.PID.tmp',
    ]);
    const request = host.effects.find((e) => e.call === 'addon.spawnInit')!.args[1] as { cloneJoins: unknown[] };
    // The pid namespace is joined around clone(); the others by the init (in the plan).
    expect(request.cloneJoins).toEqual([{ type: CLONE_NEWPID, path: '/proc/4000/ns/pid' }]);
    expect(host.fdTable.size).toBe(0);
  });

  it("starts the process in the container's cgroup where the driver can (cgroup v2), else moves it", async () => {
    for (const [cloneIntoCgroup, moved] of [['yes', []], ['refused', ['cgroup.join 4001']]] as const) {
      const { host } = started();
      host.cloneIntoCgroup = cloneIntoCgroup;
      expect(await execInContainer(execOptions(), host)).toBe(0);
      expect(host.changes()).toEqual([`addon.lockFile ${ROOT}/c1`, 'addon.spawnInit clone flags 0x0', ...moved, 'fs.write sync fd']);
      const request = host.effects.find((e) => e.call === 'addon.spawnInit')!.args[1] as { cgroupFd: number | null };
      expect(request.cgroupFd).not.toBeNull();
      expect(host.fdTable.size).toBe(0);
    }
  });

  it('leaves nothing when any effect fails: its process killed and reaped, every fd closed', async () => {
    const reference = started().host;
    await execInContainer(execOptions({ pidFile: '/tmp/exec.pid' }), reference);
    let failures = 0;
    for (let index = 0; index < reference.effects.length; index++) {
      const { host } = started();
      const before = host.snapshot();
      host.failAt = index;
      const outcome = await execInContainer(execOptions({ pidFile: '/tmp/exec.pid' }), host).catch((e: Error) => e);
      if (!(outcome instanceof Error)) continue; // a call that cannot fail
      failures++;
      expect(host.snapshot(), `failure at #${index} ${reference.effects[index].call}`).toEqual(before);
    }
    expect(failures).toBeGreaterThan(5);
  });

  it('checks a --process file as create checks /process, naming the file and the field', async () => {
    const { host } = started();
    host.writeFile('/tmp/p.json', JSON.stringify({ cwd: '/', args: ['a\u0000b'] }));
    await expect(execInContainer(execOptions({ processFile: '/tmp/p.json' }), host)).rejects.toThrow(/^\/tmp\/p\.json: \/args\/0: /);
    expect(host.changes()).toEqual([`addon.lockFile ${ROOT}/c1`]);
  });

  it('refuses a paused container', async () => {
    const { host } = started();
    pauseContainer(ROOT, 'c1', host);
    await expect(execInContainer(execOptions(), host)).rejects.toThrow('cannot exec in a paused container');
  });
});

describe('kill', () => {
  it('signals the init, or with --all every process of the cgroup', () => {
    const { host } = started();
    killContainer(ROOT, 'c1', 15, false, host);
    killContainer(ROOT, 'c1', 10, true, host);
    expect(host.changes()).toEqual([`addon.lockFile ${ROOT}/c1`, 'proc.signal 4000', `addon.lockFile ${ROOT}/c1`, 'proc.signal 4000']);
    expect(host.effects.filter((e) => e.call === 'proc.signal').map((e) => e.args)).toEqual([
      [4000, 15],
      [4000, 10],
    ]);
  });

  it('refuses a stopped container', () => {
    const { host } = started();
    killContainer(ROOT, 'c1', 9, false, host);
    expect(() => killContainer(ROOT, 'c1', 9, false, host)).toThrow('container not running');
  });
});

describe('pause and resume', () => {
  it("freeze and thaw the container's cgroup", () => {
    const { host } = started();
    pauseContainer(ROOT, 'c1', host);
    expect(status(host)).toBe('paused');
    expect(() => pauseContainer(ROOT, 'c1', host)).toThrow('container not running');
    resumeContainer(ROOT, 'c1', host);
    expect(status(host)).toBe('running');
    expect(() => resumeContainer(ROOT, 'c1', host)).toThrow('container not paused');
    expect(host.changes().filter((c) => c.startsWith('freezer'))).toEqual(['freezer.setFrozen /sys/fs/cgroup/c1', 'freezer.setFrozen /sys/fs/cgroup/c1']);
  });
});

describe('update', () => {
  it('writes only the limits given, checked first', () => {
    const { host } = started();
    updateContainer(ROOT, 'c1', { memory: { limit: 1234 } }, 'update', host);
    expect(host.changes()).toEqual([`addon.lockFile ${ROOT}/c1`, 'cgroup.applyResources memory.max=1234']);
    expect(() => updateContainer(ROOT, 'c1', { memory: { limit: 'lots' } }, 'r.json', host)).toThrow(/^r\.json: \/memory\/limit: /);
  });
});

describe('delete', () => {
  it('refuses a running container without --force', () => {
    const { host } = started();
    expect(() => deleteContainer(ROOT, 'c1', false, () => {}, host)).toThrow('cannot delete container c1 that is not stopped: running');
  });

  it('--force kills, thaws, waits, reaps, removes the cgroup and the state, then runs poststop', () => {
    const { host, before } = started();
    pauseContainer(ROOT, 'c1', host);
    host.effects.length = 0;
    deleteContainer(ROOT, 'c1', true, () => {}, host);
    expect(host.changes()).toEqual([
      `addon.lockFile ${ROOT}/c1`,
      'proc.signal 4000',
      'freezer.setFrozen /sys/fs/cgroup/c1',
      'addon.reapChild 4000',
      'cgroup.destroy /sys/fs/cgroup/c1',
      `fs.remove ${ROOT}/c1`,
      'proc.run /hooks/poststop',
    ]);
    expect(host.snapshot()).toEqual(before);
  });

  it("without a mount namespace of its own, detaches what it added to the host's mount table, and only that", () => {
    const host = machineWithoutMountNamespace();
    const before = host.snapshot();
    createContainer({ root: ROOT, id: 'c1', bundle: BUNDLE }, host);
    deleteContainer(ROOT, 'c1', true, () => {}, host);
    expect(host.changes().filter((c) => c.startsWith('addon.detachMount'))).toEqual([`addon.detachMount ${BUNDLE}/rootfs`]);
    expect(host.snapshot()).toEqual(before);
  });

  it('--force again after a failure at any of its effects removes what is left', () => {
    const reference = started();
    deleteContainer(ROOT, 'c1', true, () => {}, reference.host);
    const problems: string[] = [];
    reference.host.effects.forEach((effect, index) => {
      const { host, before } = started();
      host.failAt = index;
      try {
        deleteContainer(ROOT, 'c1', true, () => {}, host);
      } catch {
        host.failAt = undefined;
        deleteContainer(ROOT, 'c1', true, () => {}, host);
      }
      if (JSON.stringify(host.snapshot()) !== JSON.stringify(before)) problems.push(`#${index} ${effect.call} ${String(effect.args[0])}`);
    });
    expect(problems).toEqual([]);
  });

  it('of a container that does not exist succeeds with --force only', () => {
    const host = machine();
    const before = host.snapshot();
    deleteContainer(ROOT, 'c1', true, () => {}, host);
    expect(() => deleteContainer(ROOT, 'c1', false, () => {}, host)).toThrow('container c1 does not exist');
    expect(host.snapshot()).toEqual(before);
  });
});
