import { describe, expect, it } from 'vitest';

import { buildExecPlan } from '../../../src/engine/plan/exec';
import { CLONE_NEWNET, CLONE_NEWNS, CLONE_NEWPID, CLONE_NEWUSER } from '../../../src/engine/plan/namespaces';

const none = { apparmorProfile: '', processLabel: '' };
const process = { args: ['sh'], cwd: '/work', env: ['A=1'], user: { uid: 5, gid: 6 }, capabilities: { bounding: ['CAP_KILL'] } };

describe('buildExecPlan', () => {
  it('joins the container\'s namespaces, the user namespace first and the pid namespace around clone', () => {
    const { plan, cloneJoins } = buildExecPlan(process, {
      namespaces: [
        { type: 'pid', path: '/proc/9/ns/pid' },
        { type: 'network', path: '/proc/9/ns/net' },
        { type: 'mount', path: '/proc/9/ns/mnt' },
        { type: 'user', path: '/proc/9/ns/user' },
      ],
      sessionKeyring: '_ses.c1',
      seccomp: null,
      security: none,
      personality: null,
      memoryPolicy: null,
    });
    expect(cloneJoins).toEqual([{ type: CLONE_NEWPID, path: '/proc/9/ns/pid' }]);
    expect(plan.joinNamespaces).toEqual([
      { type: CLONE_NEWUSER, path: '/proc/9/ns/user' },
      { type: CLONE_NEWNET, path: '/proc/9/ns/net' },
      { type: CLONE_NEWNS, path: '/proc/9/ns/mnt' },
    ]);
    expect(plan.sessionKeyring).toBe('_ses.c1');
  });

  it('sets nothing up but the process, and does not wait for start', () => {
    const { plan, seccomp } = buildExecPlan(process, { namespaces: [], sessionKeyring: null, seccomp: null, security: none, personality: null, memoryPolicy: null });
    expect(plan).toMatchObject({ rootfs: null, mounts: [], devices: [], sysctls: [], hostname: null, unshareFlags: 0, waitForStart: false });
    expect(plan).toMatchObject({ uid: 5, gid: 6, cwd: '/work', args: ['sh'], env: ['A=1'], terminal: false });
    expect(plan.capabilities.bounding).toBe(1n << 5n);
    expect(seccomp).toBeNull();
  });

  it('plans the container\'s seccomp profile for the process', () => {
    const { seccomp } = buildExecPlan(process, {
      namespaces: [],
      sessionKeyring: null,
      seccomp: { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['mkdir'], action: 'SCMP_ACT_ERRNO' }] },
      security: none,
      personality: null,
      memoryPolicy: null,
    });
    expect(seccomp).not.toBeNull();
  });

  it('enters the container\'s user and pid namespaces from the child when the runtime has no privileges on the host', () => {
    const { plan, cloneJoins, childJoins } = buildExecPlan(
      process,
      {
        namespaces: [
          { type: 'pid', path: '/proc/9/ns/pid' },
          { type: 'mount', path: '/proc/9/ns/mnt' },
          { type: 'user', path: '/proc/9/ns/user' },
        ],
        sessionKeyring: null,
        seccomp: null,
        security: { apparmorProfile: 'p', processLabel: 'l' },
        personality: null,
        memoryPolicy: null,
      },
      true,
    );
    expect(cloneJoins).toEqual([]);
    expect(childJoins).toEqual([
      { type: CLONE_NEWUSER, path: '/proc/9/ns/user' },
      { type: CLONE_NEWPID, path: '/proc/9/ns/pid' },
    ]);
    expect(plan.joinNamespaces).toEqual([{ type: CLONE_NEWNS, path: '/proc/9/ns/mnt' }]);
    expect(plan).toMatchObject({ apparmorProfile: 'p', processLabel: 'l', mountLabel: '' });
  });

  it("gives the process the container's personality and memory policy, its own scheduling, and execCPUAffinity", () => {
    const planned = buildExecPlan(
      { ...process, scheduler: { policy: 'SCHED_BATCH', nice: 3 }, ioPriority: { class: 'IOPRIO_CLASS_IDLE' }, execCPUAffinity: { initial: '0', final: '1' } },
      { namespaces: [], sessionKeyring: null, seccomp: null, personality: { domain: 'LINUX32' }, memoryPolicy: { mode: 'MPOL_BIND', nodes: '0' }, security: none },
    );
    expect(planned.plan).toMatchObject({ personality: 8, ioPriority: 3 << 13, memoryPolicy: { mode: 2, nodes: Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]) } });
    expect(planned.plan.scheduler).toMatchObject({ policy: 3, nice: 3 });
    expect(planned.initialCpuAffinity).toEqual(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    expect(planned.plan.cpuAffinity).toEqual(Buffer.from([2, 0, 0, 0, 0, 0, 0, 0]));
  });
});
