/**
 * Every 64-bit field of config.json at its extremes: read by parseJson from text, checked by the
 * generated validator against its exact range, and carried exactly to the plan or the cgroup writes.
 */
import { describe, expect, it } from 'vitest';

import { v1ResourceWrites } from '../../../src/engine/cgroups/v1-resources';
import { v2ResourceWrites } from '../../../src/engine/cgroups/v2-resources';
import { parseJson } from '../../../src/engine/json';
import { buildLaunchPlan } from '../../../src/engine/plan/build';
import { planSeccomp } from '../../../src/engine/plan/seccomp';
import { validateSpecObject } from '../../../src/engine/spec/load';
import type { Spec } from '../../../src/engine/spec/schema';
import { checkSemantics } from '../../../src/engine/spec/semantic';
import { schemaError } from '../../helpers/schema-error';

const INT64 = { min: '-9223372036854775808', max: '9223372036854775807', below: '-9223372036854775809', above: '9223372036854775808' };
const UINT64 = { min: '0', max: '18446744073709551615', below: '-1', above: '18446744073709551616' };

/** A config (as JSON text) with `literal` written verbatim at the field the template marks with @. */
const FIELDS: ReadonlyArray<[pointer: string, range: typeof INT64, template: string]> = [
  ['/process/consoleSize/height', UINT64, '"process":{"cwd":"/","consoleSize":{"height":@,"width":1}}'],
  ['/process/consoleSize/width', UINT64, '"process":{"cwd":"/","consoleSize":{"height":1,"width":@}}'],
  ['/process/rlimits/0/soft', UINT64, '"process":{"cwd":"/","rlimits":[{"type":"RLIMIT_CORE","soft":@,"hard":1}]}'],
  ['/process/rlimits/0/hard', UINT64, '"process":{"cwd":"/","rlimits":[{"type":"RLIMIT_CORE","soft":1,"hard":@}]}'],
  ['/process/scheduler/runtime', UINT64, '"process":{"cwd":"/","scheduler":{"policy":"SCHED_OTHER","runtime":@}}'],
  ['/process/scheduler/deadline', UINT64, '"process":{"cwd":"/","scheduler":{"policy":"SCHED_OTHER","deadline":@}}'],
  ['/process/scheduler/period', UINT64, '"process":{"cwd":"/","scheduler":{"policy":"SCHED_OTHER","period":@}}'],
  ['/linux/timeOffsets/boottime/secs', INT64, '"linux":{"timeOffsets":{"boottime":{"secs":@}}}'],
  ['/linux/devices/0/major', INT64, '"linux":{"devices":[{"type":"c","path":"/dev/x","major":@,"minor":1}]}'],
  ['/linux/devices/0/minor', INT64, '"linux":{"devices":[{"type":"c","path":"/dev/x","major":1,"minor":@}]}'],
  ['/linux/resources/devices/0/major', INT64, '"linux":{"resources":{"devices":[{"allow":true,"major":@}]}}'],
  ['/linux/resources/devices/0/minor', INT64, '"linux":{"resources":{"devices":[{"allow":true,"minor":@}]}}'],
  ...['limit', 'reservation', 'swap', 'kernel', 'kernelTCP'].map(
    (field) => [`/linux/resources/memory/${field}`, INT64, `"linux":{"resources":{"memory":{"${field}":@}}}`] as [string, typeof INT64, string],
  ),
  ['/linux/resources/memory/swappiness', UINT64, '"linux":{"resources":{"memory":{"swappiness":@}}}'],
  ...['shares', 'burst', 'period', 'realtimePeriod'].map(
    (field) => [`/linux/resources/cpu/${field}`, UINT64, `"linux":{"resources":{"cpu":{"${field}":@}}}`] as [string, typeof INT64, string],
  ),
  ...['quota', 'realtimeRuntime', 'idle'].map(
    (field) => [`/linux/resources/cpu/${field}`, INT64, `"linux":{"resources":{"cpu":{"${field}":@}}}`] as [string, typeof INT64, string],
  ),
  ['/linux/resources/pids/limit', INT64, '"linux":{"resources":{"pids":{"limit":@}}}'],
  ['/linux/resources/blockIO/weightDevice/0/major', INT64, '"linux":{"resources":{"blockIO":{"weightDevice":[{"major":@,"minor":0}]}}}'],
  ['/linux/resources/blockIO/weightDevice/0/minor', INT64, '"linux":{"resources":{"blockIO":{"weightDevice":[{"major":0,"minor":@}]}}}'],
  ['/linux/resources/blockIO/throttleReadBpsDevice/0/major', INT64, '"linux":{"resources":{"blockIO":{"throttleReadBpsDevice":[{"major":@,"minor":0}]}}}'],
  ['/linux/resources/blockIO/throttleWriteIOPSDevice/0/rate', UINT64, '"linux":{"resources":{"blockIO":{"throttleWriteIOPSDevice":[{"major":8,"minor":0,"rate":@}]}}}'],
  ['/linux/resources/hugepageLimits/0/limit', UINT64, '"linux":{"resources":{"hugepageLimits":[{"pageSize":"2MB","limit":@}]}}'],
  ['/linux/seccomp/syscalls/0/args/0/value', UINT64, '"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"op":"SCMP_CMP_EQ","value":@}]}]}}'],
  ['/linux/seccomp/syscalls/0/args/0/valueTwo', UINT64, '"linux":{"seccomp":{"defaultAction":"SCMP_ACT_ALLOW","syscalls":[{"names":["ioctl"],"action":"SCMP_ACT_ERRNO","args":[{"index":1,"op":"SCMP_CMP_EQ","value":1,"valueTwo":@}]}]}}'],
];

function configText(template: string, literal: string): string {
  return `{"ociVersion":"1.3.0","root":{"path":"rootfs"},${template.replace('@', literal)}}`;
}

function parsedSpec(text: string): Spec {
  return validateSpecObject(parseJson(text));
}

describe('64-bit fields: the schema checks the exact range', () => {
  it.each(FIELDS)('%s', (pointer, range, template) => {
    for (const literal of [range.min, range.max]) {
      expect(schemaError(parseJson(configText(template, literal))), literal).toBeUndefined();
    }
    for (const literal of [range.below, range.above]) {
      expect(schemaError(parseJson(configText(template, literal))), literal).toBe(
        `config.json: ${pointer}: must be an integer from ${range.min} to ${range.max}`,
      );
    }
  });

  it('takes a number written with an exponent as the exact integer its double holds', () => {
    expect(schemaError(parseJson(configText(FIELDS[2][2], '1e19')))).toBeUndefined();
    // 18446744073709551615 with an exponent reads as 2^64: one too many.
    expect(schemaError(parseJson(configText(FIELDS[2][2], '1.8446744073709551615e19')))).toBe(
      `config.json: /process/rlimits/0/soft: must be an integer from ${UINT64.min} to ${UINT64.max}`,
    );
    expect(schemaError(parseJson(configText(FIELDS[2][2], '1.5')))).toBe(
      `config.json: /process/rlimits/0/soft: must be an integer from ${UINT64.min} to ${UINT64.max}`,
    );
  });

  it('names 64-bit values exactly in 32-bit fields too', () => {
    expect(schemaError(parseJson('{"ociVersion":"1.3.0","process":{"cwd":"/","user":{"uid":18446744073709551615}}}'))).toBe(
      'config.json: /process/user/uid: must be an integer from 0 to 4294967295',
    );
  });
});

const bigint = (digits: string) => BigInt(digits);

describe('64-bit fields are carried exactly', () => {
  it('rlimits: RLIM_INFINITY and every value near it reach the plan exactly', () => {
    for (const soft of ['18446744073709551615', '18446744073709551614', '9007199254740993']) {
      const spec = parsedSpec(configText('', '').replace(',}', `,"process":{"cwd":"/","args":["sh"],"rlimits":[{"type":"RLIMIT_CORE","soft":${soft},"hard":18446744073709551615}]}}`));
      checkSemantics(spec);
      const { plan } = buildLaunchPlan(spec, {
        containerId: 'c1',
        bundle: '/bundle',
        noPivot: false,
        noNewKeyring: false,
        host: { isDirectory: () => true, securityModules: { apparmor: false, selinux: false } },
        caller: { uid: 0, gid: 0, rootlessEuid: false, inUserNamespace: false },
        cgroupMountSteps: () => [],
      });
      expect(plan.rlimits).toEqual([{ resource: 4, soft: bigint(soft), hard: 18446744073709551615n }]);
    }
  });

  it('rlimits: a soft limit one above the hard one is caught exactly', () => {
    const spec = parsedSpec(configText('"process":{"cwd":"/","args":["sh"],"rlimits":[{"type":"RLIMIT_CORE","soft":18446744073709551615,"hard":18446744073709551614}]}', ''));
    expect(() => checkSemantics(spec)).toThrow('config.json: /process/rlimits/0/soft: must not exceed the hard limit');
  });

  it('seccomp argument values and masks reach the filter plan exactly', () => {
    for (const literal of [UINT64.max, '18446744073709551614', '9223372036854775808', '9007199254740993']) {
      const spec = parsedSpec(configText(FIELDS.find(([p]) => p.endsWith('valueTwo'))![2].replace('"value":1', `"value":${literal}`), literal));
      const rule = planSeccomp(spec.linux!.seccomp)!.filter.rules[0];
      expect(rule.args[0]).toMatchObject({ value: bigint(literal), valueTwo: bigint(literal) });
    }
  });

  const writesOf = (template: string, literal: string) => {
    const resources = parsedSpec(configText(template, literal)).linux!.resources;
    const mounted = new Set(['memory', 'cpu', 'pids', 'blkio', 'hugetlb', 'cpuset']);
    return { v1: v1ResourceWrites(resources, mounted), v2: () => v2ResourceWrites(resources) };
  };

  it.each([
    ['memory/limit', 'memory.limit_in_bytes', 'memory.max'],
    ['memory/reservation', 'memory.soft_limit_in_bytes', 'memory.low'],
    ['pids/limit', 'pids.max', 'pids.max'],
  ])('%s: the largest int64 is written exactly on v1 and v2', (field, v1File, v2File) => {
    const template = FIELDS.find(([p]) => p === `/linux/resources/${field}`)![2];
    for (const literal of [INT64.max, '9007199254740993']) {
      const { v1, v2 } = writesOf(template, literal);
      expect(v1).toContainEqual(expect.objectContaining({ file: v1File, value: literal }));
      expect(v2()).toContainEqual(expect.objectContaining({ file: v2File, value: literal }));
    }
  });

  it('memory/kernel and memory/kernelTCP: written exactly on v1', () => {
    for (const [field, file] of [['kernel', 'memory.kmem.limit_in_bytes'], ['kernelTCP', 'memory.kmem.tcp.limit_in_bytes']]) {
      const { v1 } = writesOf(`"linux":{"resources":{"memory":{"${field}":@}}}`, INT64.max);
      expect(v1).toContainEqual(expect.objectContaining({ file, value: INT64.max }));
    }
  });

  it('memory/swap: memory+swap on v1, and exactly swap minus limit on v2', () => {
    const { v1, v2 } = writesOf('"linux":{"resources":{"memory":{"limit":9007199254740993,"swap":@}}}', INT64.max);
    expect(v1).toContainEqual(expect.objectContaining({ file: 'memory.memsw.limit_in_bytes', value: INT64.max }));
    expect(v2()).toContainEqual(expect.objectContaining({ file: 'memory.swap.max', value: String(2n ** 63n - 1n - 9007199254740993n) }));
  });

  it('memory: negative values other than -1 are refused with their exact value', () => {
    expect(() => writesOf('"linux":{"resources":{"memory":{"limit":@}}}', INT64.min).v1).toThrow(
      `config.json: /linux/resources/memory/limit: ${INT64.min} is neither a byte count nor -1 (unlimited)`,
    );
  });

  it('memory/swappiness: the largest u64 is refused, not rounded', () => {
    expect(() => writesOf('"linux":{"resources":{"memory":{"swappiness":@}}}', UINT64.max).v1).toThrow(
      `config.json: /linux/resources/memory/swappiness: ${UINT64.max} is outside 0-100`,
    );
  });

  it('cpu/shares: the largest u64 is refused naming the kernel range', () => {
    expect(() => writesOf('"linux":{"resources":{"cpu":{"shares":@}}}', UINT64.max).v1).toThrow(
      `config.json: /linux/resources/cpu/shares: ${UINT64.max} is outside the kernel's range 2-262144`,
    );
  });

  it('cpu quota, period, burst, realtime and idle values are written exactly on v1', () => {
    for (const [field, file, literal] of [
      ['quota', 'cpu.cfs_quota_us', INT64.max],
      ['period', 'cpu.cfs_period_us', UINT64.max],
      ['burst', 'cpu.cfs_burst_us', UINT64.max],
      ['realtimePeriod', 'cpu.rt_period_us', UINT64.max],
      ['idle', 'cpu.idle', INT64.max],
    ]) {
      const { v1 } = writesOf(`"linux":{"resources":{"cpu":{"${field}":@}}}`, literal);
      expect(v1, field).toContainEqual(expect.objectContaining({ file, value: literal }));
    }
    const { v2 } = writesOf('"linux":{"resources":{"cpu":{"quota":9223372036854775807,"period":@}}}', UINT64.max);
    expect(v2()).toContainEqual(expect.objectContaining({ file: 'cpu.max', value: `${INT64.max} ${UINT64.max}` }));
  });

  it('hugepage limits and throttle rates are written exactly', () => {
    const hugepage = writesOf('"linux":{"resources":{"hugepageLimits":[{"pageSize":"2MB","limit":@}]}}', UINT64.max);
    expect(hugepage.v1).toContainEqual(expect.objectContaining({ file: 'hugetlb.2MB.limit_in_bytes', value: UINT64.max }));
    const rate = writesOf('"linux":{"resources":{"blockIO":{"throttleWriteIOPSDevice":[{"major":8,"minor":0,"rate":@}]}}}', UINT64.max);
    expect(rate.v1).toContainEqual(expect.objectContaining({ file: 'blkio.throttle.write_iops_device', value: `8:0 ${UINT64.max}` }));
    expect(rate.v2()).toContainEqual(expect.objectContaining({ file: 'io.max', value: `8:0 wiops=${UINT64.max}` }));
  });

  it('device numbers beyond the kernel range are refused, naming the field and the range', () => {
    const withDevice = (major: string, minor: string) =>
      parsedSpec(configText(`"linux":{"devices":[{"type":"c","path":"/dev/x","major":${major},"minor":${minor}}],"resources":{"devices":[{"allow":true,"major":${major}}]}}`, ''));
    expect(() => checkSemantics(withDevice('4095', '1048575'))).not.toThrow();
    expect(() => checkSemantics(withDevice(INT64.max, '1'))).toThrow(`config.json: /linux/devices/0/major: ${INT64.max} is outside the kernel's major numbers 0 to 4095`);
    expect(() => checkSemantics(withDevice('1', '1048576'))).toThrow("config.json: /linux/devices/0/minor: 1048576 is outside the kernel's minor numbers 0 to 1048575");
    const negativeRule = parsedSpec(configText('"linux":{"resources":{"devices":[{"allow":true,"minor":-1}]}}', ''));
    expect(() => checkSemantics(negativeRule)).toThrow("config.json: /linux/resources/devices/0/minor: -1 is outside the kernel's minor numbers 0 to 1048575");
    expect(() => writesOf('"linux":{"resources":{"blockIO":{"weightDevice":[{"major":@,"minor":0,"weight":100}]}}}', INT64.min)).toThrow(
      `config.json: /linux/resources/blockIO/weightDevice/0: device ${INT64.min}:0 has a negative number`,
    );
  });

  it("console sizes beyond a terminal's are refused", () => {
    const spec = parsedSpec(configText('"process":{"cwd":"/","args":["sh"],"consoleSize":{"height":@,"width":80}}', UINT64.max));
    expect(() => checkSemantics(spec)).toThrow(`config.json: /process/consoleSize/height: ${UINT64.max} exceeds a terminal's 65535`);
  });
});
