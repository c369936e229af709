/** A fake machine with one bundle, for the operation tests (see test/helpers/fake-host.ts). */
import { SyncTag } from '../../../src/generated/protocol';
import { defaultSpec } from '../../../src/engine/spec/defaults';
import type { Spec } from '../../../src/engine/spec/schema';
import { FakeHost } from '../../helpers/fake-host';

export const ROOT = '/run/cista';
export const BUNDLE = '/bundle';

/**
 * runc's default config without a terminal, with every effect create can have: hooks of each kind
 * the runtime runs, a memory limit, oom_score_adj and a seccomp filter. Beside it, another
 * container's state and a process of someone else's, which no operation on c1 may touch.
 */
export function machine(edit: (spec: Spec) => void = () => {}): FakeHost {
  return machineFor(edit);
}

/**
 * The same without a mount namespace of the container's own: its mounts go into the host's table,
 * below a bind of the rootfs onto itself that the init makes, on top of a mount that was there
 * before (e.g. containerd's overlay) and must stay.
 */
export function machineWithoutMountNamespace(): FakeHost {
  const host = machineFor((spec) => {
    spec.linux!.namespaces = spec.linux!.namespaces!.filter((ns) => ns.type !== 'mount');
    // These need a mount namespace of the container's own.
    spec.linux!.maskedPaths = [];
    spec.linux!.readonlyPaths = [];
  });
  host.mounts.push({ id: 50, mountPoint: `${BUNDLE}/rootfs` });
  host.initMountsAt = `${BUNDLE}/rootfs`;
  return host;
}

/** The pid the init of machineWithHandOvers() forks into its new pid namespace. */
export const NEW_INIT_PID = 4100;

/**
 * The same with every hand-over between the init and the runtime during create: a new pid
 * namespace in a joined user namespace (the init clones itself into it and hands over, SyncTag.Forked),
 * a bind idmapped with a mapping of its own (a user namespace the addon makes), a host network
 * device moved into a new network namespace that is pinned, and a seccomp agent that gets the
 * notify fd.
 */
export function machineWithHandOvers(): FakeHost {
  const host = machineFor((spec) => {
    spec.linux!.namespaces!.push({ type: 'user', path: '/proc/3000/ns/user' });
    spec.linux!.netDevices = { veth0: { name: 'eth0' } };
    const mapping = [{ containerID: 0, hostID: 100000, size: 65536 }];
    // First, so that its plan step is step 0.
    spec.mounts!.unshift({ destination: '/data', type: 'bind', source: '/srv/data', options: ['rbind', 'idmap'], uidMappings: mapping, gidMappings: mapping });
    spec.linux!.seccomp!.listenerPath = '/run/agent.sock';
    spec.linux!.seccomp!.syscalls!.push({ names: ['mkdir'], action: 'SCMP_ACT_NOTIFY' });
  });
  host.makeDirectory('/srv/data');
  host.writeFile('/proc/3000/ns/user', '');
  host.addNetDevice('veth0');
  host.initMessages = [`${SyncTag.Forked}${NEW_INIT_PID}`, `${SyncTag.IdmapMount}0`, SyncTag.RunHooks, SyncTag.SeccompListener, SyncTag.Ready];
  return host;
}

function machineFor(edit: (spec: Spec) => void): FakeHost {
  const host = new FakeHost();
  const spec = defaultSpec({ rootless: false });
  spec.process!.terminal = false;
  spec.process!.oomScoreAdj = 100;
  spec.linux!.resources = { ...spec.linux!.resources, memory: { limit: 64 << 20 } };
  spec.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW', syscalls: [{ names: ['chmod'], action: 'SCMP_ACT_ERRNO' }] };
  spec.hooks = {
    prestart: [{ path: '/hooks/prestart' }],
    createRuntime: [{ path: '/hooks/createRuntime' }],
    poststart: [{ path: '/hooks/poststart' }],
    poststop: [{ path: '/hooks/poststop' }],
  };
  edit(spec);
  host.writeFile(`${BUNDLE}/config.json`, JSON.stringify(spec));
  host.makeDirectory(`${BUNDLE}/rootfs`);
  host.initMessages = [SyncTag.RunHooks, SyncTag.Ready];
  host.writeFile(`${ROOT}/other/state.json`, '{}');
  host.addProcess(3000, 30);
  return host;
}
