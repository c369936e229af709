import { describe, expect, it } from 'vitest';

import { planSeccomp } from '../../../src/engine/plan/seccomp';
import type { LinuxSeccomp } from '../../../src/engine/spec/schema';

const ALLOW = 0x7fff0000;
const errno = (e: number) => 0x00050000 | e;
// seccomp.h and linux/seccomp.h, stated here independently of the code under test.
const SCMP_ACT_NOTIFY = 0x7fc00000;
const SECCOMP_FILTER_FLAG_NEW_LISTENER = 1 << 3;

function refusal(seccomp: LinuxSeccomp): string | undefined {
  try {
    planSeccomp(seccomp);
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

describe('planSeccomp', () => {
  it('is null without linux.seccomp', () => {
    expect(planSeccomp(undefined)).toBeNull();
  });

  it('resolves actions to the SCMP_ACT_* values of seccomp.h', () => {
    const actions: Array<[LinuxSeccomp['defaultAction'], number | undefined, number]> = [
      ['SCMP_ACT_KILL', undefined, 0],
      ['SCMP_ACT_KILL_THREAD', undefined, 0],
      ['SCMP_ACT_KILL_PROCESS', undefined, 0x80000000],
      ['SCMP_ACT_TRAP', undefined, 0x00030000],
      ['SCMP_ACT_ERRNO', undefined, 0x00050001],
      ['SCMP_ACT_ERRNO', 38, 0x00050026],
      ['SCMP_ACT_TRACE', undefined, 0x7ff00001],
      ['SCMP_ACT_TRACE', 7, 0x7ff00007],
      ['SCMP_ACT_ALLOW', undefined, 0x7fff0000],
      ['SCMP_ACT_LOG', undefined, 0x7ffc0000],
    ];
    for (const [action, ret, value] of actions) {
      expect(planSeccomp({ defaultAction: action, defaultErrnoRet: ret })!.filter.defaultAction).toBe(value);
      const rule = planSeccomp({ defaultAction: 'SCMP_ACT_KILL_PROCESS', syscalls: [{ names: ['getpid'], action, errnoRet: ret }] })!;
      if (value !== 0x80000000) expect(rule.filter.rules[0].action).toBe(value);
    }
  });

  it('makes one rule per syscall name, with ANDed conditions on distinct arguments', () => {
    const plan = planSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      architectures: ['SCMP_ARCH_X86_64', 'SCMP_ARCH_X86', 'SCMP_ARCH_X32', 'SCMP_ARCH_X86'],
      flags: ['SECCOMP_FILTER_FLAG_TSYNC', 'SECCOMP_FILTER_FLAG_SPEC_ALLOW'],
      syscalls: [
        { names: ['mkdir', 'mkdirat'], action: 'SCMP_ACT_ERRNO' },
        {
          names: ['personality'],
          action: 'SCMP_ACT_ERRNO',
          errnoRet: 22,
          args: [
            { index: 0, op: 'SCMP_CMP_NE', value: 8 },
            { index: 1, op: 'SCMP_CMP_MASKED_EQ', value: 0xff, valueTwo: 0x10 },
          ],
        },
      ],
    })!;
    expect(plan.flags).toBe(1 | 4);
    expect(plan.filter.architectures).toEqual([0xc000003e, 0x40000003, 0x4000003e]);
    expect(plan.filter.defaultAction).toBe(ALLOW);
    expect(plan.filter.rules).toEqual([
      { syscall: 'mkdir', action: errno(1), args: [] },
      { syscall: 'mkdirat', action: errno(1), args: [] },
      {
        syscall: 'personality',
        action: errno(22),
        args: [
          { index: 0, op: 1, value: 8n, valueTwo: 0n },
          { index: 1, op: 7, value: 0xffn, valueTwo: 0x10n },
        ],
      },
    ]);
  });

  it('splits conditions on the same argument into separate (ORed) rules, like runc', () => {
    const plan = planSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        {
          names: ['personality'],
          action: 'SCMP_ACT_ALLOW',
          args: [
            { index: 0, op: 'SCMP_CMP_EQ', value: 0 },
            { index: 0, op: 'SCMP_CMP_EQ', value: 8 },
          ],
        },
      ],
    })!;
    expect(plan.filter.rules.map((r) => r.args.map((a) => a.value))).toEqual([[0n], [8n]]);
  });

  it('drops rules whose action is the default one (libseccomp refuses them)', () => {
    const plan = planSeccomp({
      defaultAction: 'SCMP_ACT_ERRNO',
      syscalls: [
        { names: ['read'], action: 'SCMP_ACT_ERRNO' },
        { names: ['write'], action: 'SCMP_ACT_ERRNO', errnoRet: 38 },
        { names: ['getpid'], action: 'SCMP_ACT_ALLOW' },
      ],
    })!;
    expect(plan.filter.rules.map((r) => r.syscall)).toEqual(['write', 'getpid']);
  });

  it('carries 64-bit values exactly (parseJson gives bigints beyond 2^53)', () => {
    const plan = planSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      syscalls: [{ names: ['ioctl'], action: 'SCMP_ACT_ERRNO', args: [{ index: 1, op: 'SCMP_CMP_MASKED_EQ', value: 18446744073709551614n, valueTwo: 9007199254740993n }] }],
    })!;
    expect(plan.filter.rules[0].args[0]).toMatchObject({ value: 0xfffffffffffffffen, valueTwo: 9007199254740993n });
  });

  it('asks the kernel for a listener when a rule notifies, and keeps where to send it', () => {
    const plan = planSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/agent.sock',
      listenerMetadata: 'meta',
      flags: ['SECCOMP_FILTER_FLAG_TSYNC'],
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
    })!;
    expect(plan.filter.rules).toEqual([{ syscall: 'mkdir', action: SCMP_ACT_NOTIFY, args: [] }]);
    // TSYNC | NEW_LISTENER | TSYNC_ESRCH
    expect(plan.flags).toBe(1 | SECCOMP_FILTER_FLAG_NEW_LISTENER | (1 << 4));
    expect(plan.listener).toEqual({ path: '/run/agent.sock', metadata: 'meta' });
    // Without a notifying rule the listener is ignored, as the spec says, and so is WAIT_KILLABLE_RECV.
    const quiet = planSeccomp({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/run/agent.sock', flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'] })!;
    expect([quiet.flags, quiet.listener]).toEqual([0, null]);
    const killable = planSeccomp({
      defaultAction: 'SCMP_ACT_ALLOW',
      listenerPath: '/run/agent.sock',
      flags: ['SECCOMP_FILTER_FLAG_WAIT_KILLABLE_RECV'],
      syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' }],
    })!;
    expect(killable.flags).toBe(SECCOMP_FILTER_FLAG_NEW_LISTENER | (1 << 5));
  });

  it('refuses what it cannot honour, naming the JSON path', () => {
    expect(refusal({ defaultAction: 'SCMP_ACT_NOTIFY', listenerPath: '/run/agent.sock' })).toBe(
      'config.json: /linux/seccomp/defaultAction: SCMP_ACT_NOTIFY cannot be the default action',
    );
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ERRNO' }, { names: ['b'], action: 'SCMP_ACT_NOTIFY' }] })).toBe(
      'config.json: /linux/seccomp/syscalls/1/action: SCMP_ACT_NOTIFY needs /linux/seccomp/listenerPath, where the agent that answers listens',
    );
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', listenerPath: '/a', syscalls: [{ names: ['mkdir', 'sendmsg'], action: 'SCMP_ACT_NOTIFY' }] })).toBe(
      'config.json: /linux/seccomp/syscalls/0/names/1: SCMP_ACT_NOTIFY cannot be used for sendmsg, which hands the notify fd over',
    );
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', listenerMetadata: 'x' })).toMatch(/^config.json: \/linux\/seccomp\/listenerMetadata: needs \/linux\/seccomp\/listenerPath/);
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', flags: ['SECCOMP_FILTER_FLAG_BOGUS' as never] })).toMatch(/flags\/0: .* is not a seccomp filter flag/);
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', architectures: ['SCMP_ARCH_VAX' as never] })).toMatch(/architectures\/0: unknown architecture/);
    expect(refusal({ defaultAction: 'SCMP_ACT_ALLOW', defaultErrnoRet: 1 })).toMatch(/\/linux\/seccomp\/defaultErrnoRet: only SCMP_ACT_ERRNO and SCMP_ACT_TRACE/);
    expect(
      refusal({ defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['a'], action: 'SCMP_ACT_ERRNO', args: [{ index: 6, op: 'SCMP_CMP_EQ', value: 0 }] }] }),
    ).toMatch(/syscalls\/0\/args\/0\/index: 6 is not a syscall argument/);
  });
});
