import { describe, expect, it } from 'vitest';
import { defaultAllowedDevices } from '../../../src/engine/cgroups/devices';
import type { ResourcePlan, UnitProperty } from '../../../src/engine/cgroups/manager';
import { SystemdCgroupManager } from '../../../src/engine/cgroups/systemd';
import type { SystemdBus } from '../../../src/engine/cgroups/systemd-bus';
import {
  cpusetBits,
  deviceUnitProperties,
  resourceUnitProperties,
  SYSTEMD_INFINITY,
  scopeProperties,
} from '../../../src/engine/cgroups/systemd-properties';
import { expandSlice, systemdCgroupName } from '../../../src/engine/cgroups/systemd-unit';
import type { V2CgroupManager } from '../../../src/engine/cgroups/v2';
import { ConfigError } from '../../../src/engine/errors';

/** name -> value, for comparing with runc's property lists. */
function values(properties: UnitProperty[]): Record<string, unknown> {
  return Object.fromEntries(properties.map((p) => [p.name, p.type === 'ay' ? [...p.value] : p.value]));
}

describe('systemd slice names (runc ExpandSlice)', () => {
  it('nests a slice in its parents', () => {
    expect(expandSlice('a-b-c.slice')).toEqual(['a.slice', 'a-b.slice', 'a-b-c.slice']);
    expect(expandSlice('system.slice')).toEqual(['system.slice']);
    expect(expandSlice('-.slice')).toEqual([]);
  });

  it('refuses what is not a slice name', () => {
    for (const bad of ['a--b.slice', '-a.slice', 'a-.slice', '.slice', 'a.scope', 'a/b.slice', 'system']) expect(expandSlice(bad)).toBeNull();
  });
});

describe('cgroupsPath in the systemd form slice:prefix:name', () => {
  it('makes the scope prefix-name.scope in the slice, below the slice\'s parents', () => {
    expect(systemdCgroupName('system.slice:docker:abc', 'id')).toEqual({
      slice: 'system.slice',
      unit: 'docker-abc.scope',
      cgroup: '/system.slice/docker-abc.scope',
      slices: [{ unit: 'system.slice', cgroup: '/system.slice' }],
    });
    const kube = systemdCgroupName('kubepods-besteffort-pod1234.slice:cri-containerd:abc', 'id');
    expect(kube.cgroup).toBe('/kubepods.slice/kubepods-besteffort.slice/kubepods-besteffort-pod1234.slice/cri-containerd-abc.scope');
    expect(kube.slices.map((s) => s.unit)).toEqual(['kubepods.slice', 'kubepods-besteffort.slice', 'kubepods-besteffort-pod1234.slice']);
    expect(systemdCgroupName('machine.slice:libpod:abc', 'id').unit).toBe('libpod-abc.scope');
    expect(systemdCgroupName('-.slice:p:n', 'id').cgroup).toBe('/p-n.scope');
  });

  it('defaults as runc does as root: system.slice, with cista\'s prefix in place of runc\'s', () => {
    expect(systemdCgroupName(undefined, 'c1')).toMatchObject({ slice: 'system.slice', unit: 'cista-c1.scope', cgroup: '/system.slice/cista-c1.scope' });
    expect(systemdCgroupName('', 'c1').unit).toBe('cista-c1.scope');
    expect(systemdCgroupName(':p:n', 'c1')).toMatchObject({ slice: 'system.slice', unit: 'p-n.scope' });
  });

  it('refuses other forms with a config error naming /linux/cgroupsPath', () => {
    for (const bad of ['/a/b', 'system.slice:x', 'a:b:c:d', 'bad:p:n', 'a--b.slice:p:n', 'system.slice:p:', 'system.slice:p:n/x', 'system.slice:p:kube.slice']) {
      expect(() => systemdCgroupName(bad, 'id'), bad).toThrow(ConfigError);
      expect(() => systemdCgroupName(bad, 'id'), bad).toThrow(/^config\.json: \/linux\/cgroupsPath: /);
    }
    expect(() => systemdCgroupName(`system.slice:p:${'x'.repeat(260)}`, 'id')).toThrow(/255/);
  });
});

describe('resources as unit properties, against runc\'s for the same config', () => {
  const resources = {
    memory: { limit: 67108864, reservation: 16777216, swap: 100663296 },
    cpu: { shares: 1024, quota: 50000, period: 100000, cpus: '0-1', mems: '0' },
    pids: { limit: 30 },
  };

  it('cgroup v2 (genV2ResourcesProperties)', () => {
    expect(values(resourceUnitProperties(resources, 'v2'))).toEqual({
      MemoryMax: 67108864n,
      MemoryLow: 16777216n,
      MemorySwapMax: 33554432n, // memory+swap 96M - memory 64M
      CPUWeight: 39n, // 1 + (1024 - 2) * 9999 / 262142
      CPUQuotaPeriodUSec: 100000n,
      CPUQuotaPerSecUSec: 500000n,
      TasksMax: 30n,
      AllowedCPUs: [0x03],
      AllowedMemoryNodes: [0x01],
    });
  });

  it('cgroup v1 (genV1ResourcesProperties)', () => {
    expect(values(resourceUnitProperties({ ...resources, blockIO: { weight: 500 } }, 'v1'))).toEqual({
      MemoryLimit: 67108864n,
      CPUShares: 1024n,
      CPUQuotaPeriodUSec: 100000n,
      CPUQuotaPerSecUSec: 500000n,
      BlockIOWeight: 500n,
      TasksMax: 30n,
      AllowedCPUs: [0x03],
      AllowedMemoryNodes: [0x01],
    });
  });

  it('rounds the quota per second up to 10 ms and maps -1 and max to infinity, as runc', () => {
    expect(values(resourceUnitProperties({ cpu: { quota: 12345 } }, 'v2'))).toEqual({ CPUQuotaPerSecUSec: 130000n });
    expect(values(resourceUnitProperties({ cpu: { quota: -1 } }, 'v2'))).toEqual({ CPUQuotaPerSecUSec: SYSTEMD_INFINITY });
    expect(values(resourceUnitProperties({ memory: { limit: -1 }, pids: { limit: -1 } }, 'v2'))).toEqual({
      MemoryMax: SYSTEMD_INFINITY,
      MemorySwapMax: SYSTEMD_INFINITY,
      TasksMax: SYSTEMD_INFINITY,
    });
    expect(resourceUnitProperties({ pids: { limit: 0 } }, 'v2')).toEqual([]);
  });

  it('maps the unified files runc knows, and names their field', () => {
    const properties = resourceUnitProperties({ unified: { 'memory.high': '50331648', 'pids.max': 'max', 'cpu.max': '25000 50000', 'cpu.weight': '20000', 'io.max': 'x' } }, 'v2');
    expect(values(properties)).toEqual({
      MemoryHigh: 50331648n,
      TasksMax: SYSTEMD_INFINITY,
      CPUQuotaPeriodUSec: 50000n,
      CPUQuotaPerSecUSec: 500000n,
      CPUWeight: 20000n,
    });
    expect(properties.find((p) => p.name === 'CPUWeight')?.pointer).toBe('/linux/resources/unified/cpu.weight');
    expect(() => resourceUnitProperties({ unified: { 'memory.max': '64M' } }, 'v2')).toThrow(/unified\/memory\.max/);
  });

  it('maps I/O weights and limits on v2 with /dev/block paths', () => {
    const properties = resourceUnitProperties(
      { blockIO: { weight: 500, weightDevice: [{ major: 8, minor: 0, weight: 100 }], throttleReadBpsDevice: [{ major: 8, minor: 0, rate: 1048576 }] } },
      'v2',
    );
    expect(values(properties)).toEqual({
      IOWeight: 4950n, // 1 + (500 - 10) * 9999 / 990
      IODeviceWeight: [['/dev/block/8:0', 910n]],
      IOReadBandwidthMax: [['/dev/block/8:0', 1048576n]],
    });
  });

  it('cpuset lists as systemd\'s little-endian bit bytes (runc RangeToBits)', () => {
    expect([...cpusetBits('0-3,8-9,17')]).toEqual([0x0f, 0x03, 0x02]);
    expect([...cpusetBits('7')]).toEqual([0x80]);
  });
});

describe('device rules as DevicePolicy/DeviceAllow (runc systemdProperties)', () => {
  it('turns runc\'s default list into a strict allow list', () => {
    const properties = deviceUnitProperties([{ allow: false, type: 'a', major: null, minor: null, access: 'rwm' }, ...defaultAllowedDevices()]);
    expect(properties.slice(0, 2)).toMatchObject([
      { name: 'DevicePolicy', value: 'strict' },
      { name: 'DeviceAllow', value: [] },
    ]);
    expect((properties[2].value as Array<[string, string]>).map((entry) => entry.join(' ')).sort()).toEqual(
      [
        'char-* m',
        'block-* m',
        '/dev/char/1:3 rwm',
        '/dev/char/1:8 rwm',
        '/dev/char/1:7 rwm',
        '/dev/char/5:0 rwm',
        '/dev/char/1:5 rwm',
        '/dev/char/1:9 rwm',
        'char-136 rwm',
        '/dev/char/5:2 rwm',
        '/dev/char/10:200 rwm',
      ].sort(),
    );
  });

  it('allows all with auto, and denies all for an allow-all with exceptions (left to the device filter)', () => {
    const all = { allow: true, type: 'a' as const, major: null, minor: null, access: 'rwm' };
    expect(values(deviceUnitProperties([all]))).toEqual({ DevicePolicy: 'auto', DeviceAllow: [] });
    expect(values(deviceUnitProperties([all, { allow: false, type: 'c', major: 1, minor: 3, access: 'rwm' }]))).toEqual({ DevicePolicy: 'strict', DeviceAllow: [] });
  });
});

describe('the systemd driver with a recording bus', () => {
  const NONE: ResourcePlan = { writes: [], unitProperties: [] };
  function setUp(answers: Partial<Record<keyof SystemdBus, (unit: string) => string | void>> = {}) {
    const calls: string[] = [];
    const bus: SystemdBus = {
      startTransientUnit: (unit, _timeout, properties) => {
        calls.push(`start ${unit} ${properties.map((p) => p.name).join(',')}`);
        return (answers.startTransientUnit?.(unit) as string | undefined) ?? 'done';
      },
      stopUnit: (unit) => {
        calls.push(`stop ${unit}`);
        return (answers.stopUnit?.(unit) as string | undefined) ?? 'done';
      },
      resetFailedUnit: (unit) => {
        calls.push(`reset-failed ${unit}`);
      },
      setUnitProperties: (unit, _timeout, properties) => {
        calls.push(`set ${unit} ${properties.map((p) => p.name).join(',')}`);
        answers.setUnitProperties?.(unit);
      },
    };
    const files = {
      paths: { '': '/nonexistent/system.slice/cista-c1.scope' },
      record: () => ({ driver: 'v2', layout: 'v2', paths: { '': '/nonexistent/system.slice/cista-c1.scope' }, created: [] }),
      create: (pid: number) => calls.push(`files create ${pid}`),
      update: () => calls.push('files update'),
      destroy: () => calls.push('files destroy'),
    } as unknown as V2CgroupManager;
    const unit = { unit: 'cista-c1.scope', slice: 'a-b.slice', startedSlices: ['a.slice', 'a-b.slice'], startedSliceDirs: ['/nonexistent/a.slice', '/nonexistent/a.slice/a-b.slice'] };
    const manager = new SystemdCgroupManager(unit, 'v2', files, 'c1', () => bus);
    return { calls, manager };
  }

  it('starts the scope with the init, then writes the files; records the unit', () => {
    const { calls, manager } = setUp();
    manager.create(42, [], { writes: [], unitProperties: resourceUnitProperties({ pids: { limit: 30 } }, 'v2') });
    expect(calls).toEqual([
      `start cista-c1.scope ${[...scopeProperties('c1', 'a-b.slice', 42), ...deviceUnitProperties([])].map((p) => p.name).join(',')},TasksMax`,
      'files create 42',
    ]);
    expect(scopeProperties('c1', 'a-b.slice', 42).find((p) => p.name === 'PIDs')?.value).toEqual([42]);
    expect(manager.record()).toMatchObject({ driver: 'systemd', layout: 'v2', systemd: { unit: 'cista-c1.scope', startedSlices: ['a.slice', 'a-b.slice'] } });
  });

  it('resets a leftover failed unit of the same name and retries once', () => {
    let first = true;
    const { calls, manager } = setUp({
      startTransientUnit: () => {
        if (!first) return 'done';
        first = false;
        throw Object.assign(new Error('StartTransientUnit cista-c1.scope: Unit cista-c1.scope already exists.'), { dbusName: 'org.freedesktop.systemd1.UnitExists' });
      },
    });
    manager.create(42, [], NONE);
    expect(calls.map((c) => c.split(' ').slice(0, 2).join(' '))).toEqual(['start cista-c1.scope', 'reset-failed cista-c1.scope', 'start cista-c1.scope', 'files create']);
  });

  it('a failed job fails create with systemd\'s result and leaves no failed unit', () => {
    const { calls, manager } = setUp({ startTransientUnit: () => 'failed' });
    expect(() => manager.create(42, [], NONE)).toThrow('systemd could not start cista-c1.scope: its job ended with "failed"');
    expect(calls.slice(1)).toEqual(['reset-failed cista-c1.scope']);
  });

  it('a property systemd refuses is a config error naming its field', () => {
    const { manager } = setUp({
      startTransientUnit: () => {
        throw Object.assign(new Error('StartTransientUnit cista-c1.scope: Value specified in CPUWeight is out of range'), { dbusName: 'org.freedesktop.DBus.Error.InvalidArgs' });
      },
    });
    const plan = { writes: [], unitProperties: resourceUnitProperties({ unified: { 'cpu.weight': '20000' } }, 'v2') };
    expect(() => manager.create(42, [], plan)).toThrow(
      'config.json: /linux/resources/unified/cpu.weight: systemd refuses CPUWeight: StartTransientUnit cista-c1.scope: Value specified in CPUWeight is out of range',
    );
  });

  it('update sets the unit properties, then writes the files', () => {
    const { calls, manager } = setUp();
    manager.update({ writes: [], unitProperties: resourceUnitProperties({ memory: { limit: 1 << 20 } }, 'v2') });
    expect(calls).toEqual(['set cista-c1.scope MemoryMax', 'files update']);
  });

  it('destroy stops the scope and the slices create started, innermost first; a unit already gone is fine', () => {
    const { calls, manager } = setUp({
      stopUnit: (unit) => {
        if (unit === 'cista-c1.scope') throw Object.assign(new Error('StopUnit: Unit cista-c1.scope not loaded.'), { dbusName: 'org.freedesktop.systemd1.NoSuchUnit' });
      },
    });
    manager.destroy();
    expect(calls).toEqual(['stop cista-c1.scope', 'files destroy', 'stop a-b.slice', 'reset-failed a-b.slice', 'stop a.slice', 'reset-failed a.slice']);
  });
});
