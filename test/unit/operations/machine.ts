/** A fake machine with one bundle, for the operation tests (see test/helpers/fake-host.ts). */
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
  host.initMessages = ['H', 'R'];
  host.writeFile(`${ROOT}/other/state.json`, '{}');
  host.addProcess(3000, 30);
  return host;
}
