/**
 * create against the fake host (test/helpers/fake-host.ts): the order of its effects, and that a
 * failure at any one of them leaves the machine as it was (everything before it undone, nothing
 * else touched: another container's state and someone else's process stay).
 */
import { describe, expect, it } from 'vitest';

import { createContainer } from '../../../src/engine/operations/create';
import { defaultSpec } from '../../../src/engine/spec/defaults';
import type { Spec } from '../../../src/engine/spec/schema';
import { deleteContainer } from '../../../src/engine/operations/delete';
import { NEVER_FAIL } from '../../helpers/fake-host';
import { BUNDLE, NEW_INIT_PID, ROOT, machine, machineWithHandOvers, machineWithoutMountNamespace } from './machine';

/** state.json written atomically: a temp file, then rename(2). */
const WRITE_STATE = [`fs.writeText ${ROOT}/c1/state.json.PID.tmp`, `fs.rename ${ROOT}/c1/state.json.PID.tmp`];

/** A host whose cgroups take the init at clone time (cgroup v2's clone3). */
function machineCloningIntoCgroup() {
  const host = machine();
  host.cloneIntoCgroup = 'yes';
  return host;
}

const create = (host = machine()) => createContainer({ root: ROOT, id: 'c1', bundle: BUNDLE, pidFile: '/tmp/c1.pid' }, host);

describe('create', () => {
  it('checks everything, then makes the container in this order', () => {
    const host = machine();
    const created = create(host);
    expect(created).toEqual({ id: 'c1', pid: 4000, dir: `${ROOT}/c1`, consoleFd: null });
    expect(host.changes()).toEqual([
      `fs.mkdir ${ROOT}`,
      `fs.mkdir ${ROOT}/c1`,
      `fs.chmod ${ROOT}/c1`,
      `addon.lockFile ${ROOT}/c1`,
      // phase "creating", and the cgroup directories it is about to make, journaled first
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      `addon.makeFifo ${ROOT}/c1/exec.fifo`,
      'addon.spawnInit clone flags 0x6c020000',
      // the init's identity, before anything can fail with it alive
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      'proc.setOomScoreAdj 4000',
      // the cgroup driver's create with the waiting init: directories, devices, limits, the pid
      'cgroup.create /sys/fs/cgroup/c1',
      'cgroup.applyDevices 12',
      'cgroup.applyResources memory.max=67108864',
      'cgroup.join 4000',
      // narrowed to the directories it made
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      'fs.write sync fd',
      'proc.run /hooks/prestart',
      'proc.run /hooks/createRuntime',
      'fs.write sync fd: hooks done + state',
      // phase "created"
      ...WRITE_STATE,
      'fs.writeText /tmp/c1.pid.PID.tmp',
      'fs.rename /tmp/c1.pid.PID.tmp',
    ]);
    expect(host.readFile('/tmp/c1.pid')).toBe('4000');
    expect(JSON.parse(host.readFile(`${ROOT}/c1/state.json`)!)).toMatchObject({ phase: 'created', init: { pid: 4000, startTime: 4900 } });
    expect(host.fdTable.size).toBe(0);
  });

  it('on cgroup v2 makes the cgroup first and starts the init in it, moving it only when clone3 is refused', () => {
    const host = machineCloningIntoCgroup();
    create(host);
    const changes = host.changes();
    expect(changes.slice(changes.indexOf(`addon.makeFifo ${ROOT}/c1/exec.fifo`), changes.indexOf('fs.write sync fd'))).toEqual([
      `addon.makeFifo ${ROOT}/c1/exec.fifo`,
      'cgroup.create /sys/fs/cgroup/c1',
      'cgroup.applyDevices 12',
      'cgroup.applyResources memory.max=67108864',
      // narrowed to the directories it made, before the init exists
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      'addon.spawnInit clone flags 0x6c020000',
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      'proc.setOomScoreAdj 4000',
    ]);
    const request = host.effects.find((e) => e.call === 'addon.spawnInit')!.args[1] as { cgroupFd: number | null };
    expect(request.cgroupFd).not.toBeNull();
    expect(host.fdTable.size).toBe(0);

    const refused = machineCloningIntoCgroup();
    refused.cloneIntoCgroup = 'refused';
    create(refused);
    const after = refused.changes().slice(refused.changes().indexOf('proc.setOomScoreAdj 4000'));
    expect(after.slice(0, 3)).toEqual(['proc.setOomScoreAdj 4000', 'cgroup.join 4000', 'fs.write sync fd']);
  });

  it('answers the init in the order it asks, journaling the new init and each device before it acts', () => {
    const host = machineWithHandOvers();
    const created = create(host);
    expect(created).toEqual({ id: 'c1', pid: NEW_INIT_PID, dir: `${ROOT}/c1`, consoleFd: null });
    const changes = host.changes();
    expect(changes.slice(changes.indexOf('fs.write sync fd'))).toEqual([
      'fs.write sync fd',
      // Forked: the clone journaled as the init
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      // IdmapMount: a user namespace with the mount's mapping, the mount idmapped, the init told
      'addon.makeUserNamespace 0 100000 65536 / 0 100000 65536',
      'addon.idmapMount the top mount',
      'fs.write sync fd',
      // every namespace exists (RunHooks): the pin, then the device, each journaled first
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      `fs.writeText ${ROOT}/c1/netns`,
      `addon.pinNamespace ${ROOT}/c1/netns`,
      `fs.append ${ROOT}/c1/journal`,
      ...WRITE_STATE,
      `addon.moveNetDevice /proc/thread-self/ns/net veth0 -> ${ROOT}/c1/netns eth0`,
      'proc.run /hooks/prestart',
      'proc.run /hooks/createRuntime',
      'fs.write sync fd: hooks done + state',
      // SeccompListener: the notify fd to the agent
      'addon.sendFdToSocket /run/agent.sock',
      // Ready: the first init, a zombie by now, reaped
      'addon.reapChild 4000',
      // phase "created"
      ...WRITE_STATE,
      'fs.writeText /tmp/c1.pid.PID.tmp',
      'fs.rename /tmp/c1.pid.PID.tmp',
    ]);
    expect(host.readFile('/tmp/c1.pid')).toBe(String(NEW_INIT_PID));
    expect(JSON.parse(host.readFile(`${ROOT}/c1/state.json`)!)).toMatchObject({
      init: { pid: NEW_INIT_PID },
      netDevices: { devices: [{ host: 'veth0', container: 'eth0' }], netns: `${ROOT}/c1/netns`, pinned: true },
    });
    // The user namespace made for the idmap is closed again.
    expect(host.fdTable.size).toBe(0);
    expect(host.processes.has(4000)).toBe(false);

    // delete moves the device back before the init dies, and unpins the namespace.
    const before = host.changes().length;
    deleteContainer(ROOT, 'c1', true, () => {}, host);
    expect(host.changes().slice(before + 1, before + 4)).toEqual([
      `addon.moveNetDevice ${ROOT}/c1/netns eth0 -> /proc/thread-self/ns/net veth0`,
      `addon.detachMount ${ROOT}/c1/netns`,
      `proc.signal ${NEW_INIT_PID}`,
    ]);
    expect(host.readFile('/sys/class/net/veth0')).toBe('');
  });

  it.each([
    ['with a mount namespace of its own', machine],
    ["without one (its mounts in the host's table)", machineWithoutMountNamespace],
    ['with every hand-over of the init (Forked, an idmap, a netDevice, a seccomp agent)', machineWithHandOvers],
    ['with the init started in its cgroup (cgroup v2)', machineCloningIntoCgroup],
  ])('undoes everything it did when any effect fails, and touches nothing else: %s', (_, makeMachine) => {
    const reference = makeMachine();
    create(reference);
    let failures = 0;
    reference.effects.forEach((effect, index) => {
      const host = makeMachine();
      const before = host.snapshot();
      host.failAt = index;
      let error: unknown;
      try {
        create(host);
      } catch (e) {
        error = e;
      }
      const at = `a failure at effect #${index} (${effect.call} ${String(effect.args[0])})`;
      if (error === undefined) {
        // Only calls that cannot fail get here: the container is whole, and delete removes it.
        expect(NEVER_FAIL.has(effect.call), at).toBe(true);
        deleteContainer(ROOT, 'c1', true, () => {}, host);
        host.fs.remove('/tmp/c1.pid'); // the caller's
      } else {
        failures++;
        expect(String(error), at).toMatch(/EIO/);
      }
      expect(host.snapshot(), at).toEqual(before);
    });
    expect(failures).toBeGreaterThan(30);
  });

  it('runs poststop after a failed create', () => {
    const host = machine();
    host.hookStatus.set('/hooks/createRuntime', 1);
    const before = host.snapshot();
    expect(() => create(host)).toThrow('error running createRuntime hook #0: exit status 1, stdout: , stderr: hook failed');
    expect(host.changes().slice(-6)).toEqual([
      'proc.run /hooks/createRuntime',
      'proc.signal 4000',
      'addon.reapChild 4000',
      'cgroup.destroy /sys/fs/cgroup/c1',
      `fs.remove ${ROOT}/c1`,
      'proc.run /hooks/poststop',
    ]);
    expect(host.snapshot()).toEqual(before);
  });

  it('refuses an id in use without touching that container', () => {
    const host = machine();
    host.writeFile(`${ROOT}/c1/state.json`, '{"theirs":true}');
    const before = host.snapshot();
    expect(() => create(host)).toThrow('container with id exists: c1');
    expect(host.snapshot()).toEqual(before);
  });

  describe('rootless (a user who may not create cgroups)', () => {
    const rootless = (edit: (spec: Spec) => void = () => {}) => {
      const host = machine((spec) => {
        // `cista spec --rootless`'s mounts and namespaces, mapping uid and gid 1000.
        const ours = defaultSpec({ rootless: true });
        spec.mounts = ours.mounts;
        spec.linux!.namespaces = ours.linux!.namespaces;
        delete spec.linux!.resources!.memory;
        spec.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
        spec.linux!.gidMappings = [{ containerID: 0, hostID: 1000, size: 1 }];
        edit(spec);
      });
      host.who = { uid: 1000, gid: 1000, rootlessEuid: true, inUserNamespace: false };
      // The caller's own hard rlimits (the rootless check reads them): no limits.
      const row = (name: string) => `${name.padEnd(25)} ${'unlimited'.padEnd(20)} ${'unlimited'.padEnd(20)} ${''.padEnd(10)}`;
      host.writeFile('/proc/self/limits', [row('Limit'), ...Array.from({ length: 16 }, (_, i) => row(`Limit ${i}`))].join('\n'));
      return host;
    };

    it('runs without cgroups, recording none, and delete removes it all', () => {
      const host = rootless();
      const before = host.snapshot();
      create(host);
      expect(host.changes().filter((c) => c.startsWith('cgroup.'))).toEqual([]);
      expect(JSON.parse(host.readFile(`${ROOT}/c1/state.json`)!)).toMatchObject({ phase: 'created', cgroup: null });
      deleteContainer(ROOT, 'c1', true, () => {}, host);
      host.fs.remove('/tmp/c1.pid');
      expect(host.snapshot()).toEqual(before);
    });

    it('refuses a limit that needs the cgroup, before touching the host', () => {
      const host = rootless((spec) => {
        spec.linux!.resources!.memory = { limit: 64 << 20 };
      });
      const before = host.snapshot();
      expect(() => create(host)).toThrow('config.json: /linux/resources/memory/limit: cannot set this limit: the fake host gives users no cgroups');
      expect(host.snapshot()).toEqual(before);
    });

    it('says which oomScoreAdj works when lowering it is refused, and undoes the create', () => {
      const host = rootless((spec) => {
        spec.process!.oomScoreAdj = -5;
      });
      host.ownOomScore = 0;
      const before = host.snapshot();
      expect(() => create(host)).toThrow(
        'config.json: /process/oomScoreAdj: lowering it to -5 needs CAP_SYS_RESOURCE on the host, which cista (oom_score_adj 0) lacks: use a value of at least 0',
      );
      expect(host.snapshot()).toEqual(before);
    });
  });
});
