/**
 * `cista features`: what this build implements, in the runtime-spec's features document
 * (features.md), so that a client can check before it creates. Every list comes from the tables
 * the validation and the plan use, so it cannot claim more than cista does
 * (test/integration/features.test.ts uses each value in a container).
 */
import type { LookupHost } from '../host/host';
import { realLookupHost } from '../host/real-lookup';
import { MOUNT_OPTIONS } from '../plan/mount-flags';
import { SCMP_ACT_ALLOW, SECCOMP_ARCH_TOKENS, SECCOMP_FLAG_BITS } from '../plan/seccomp';
import {
  CAPABILITIES,
  HOOK_NAMES,
  NAMESPACE_TYPES,
  SECCOMP_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  SPEC_VERSION_MAX,
  SPEC_VERSION_MIN,
} from '../spec/vocabulary';

/** The architectures the libseccomp cista is linked with knows: the table has some only newer ones do. */
function seccompArchitectures(host: Pick<LookupHost, 'addon'>): string[] {
  return Object.entries(SECCOMP_ARCH_TOKENS)
    .filter(([, token]) => {
      try {
        host.addon.compileSeccompFilter({ defaultAction: SCMP_ACT_ALLOW, architectures: [token], rules: [], profileSyscalls: [] });
        return true;
      } catch {
        return false;
      }
    })
    .map(([name]) => name);
}

export function runtimeFeatures(host: Pick<LookupHost, 'addon'> = realLookupHost): Record<string, unknown> {
  return {
    ociVersionMin: SPEC_VERSION_MIN,
    ociVersionMax: SPEC_VERSION_MAX,
    hooks: [...HOOK_NAMES],
    mountOptions: [...MOUNT_OPTIONS],
    linux: {
      namespaces: [...NAMESPACE_TYPES],
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: true, systemdUser: false, rdma: false },
      seccomp: {
        enabled: true,
        actions: [...SECCOMP_ACTIONS],
        operators: [...SECCOMP_OPERATORS],
        archs: seccompArchitectures(host),
        knownFlags: [...SECCOMP_FLAGS],
        supportedFlags: Object.keys(SECCOMP_FLAG_BITS),
      },
      // features.md: whether the runtime supports them, whatever the host has (create refuses a
      // profile or label the host cannot apply).
      apparmor: { enabled: true },
      selinux: { enabled: true },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
      netDevices: { enabled: true },
    },
    potentiallyUnsafeConfigAnnotations: [],
  };
}
