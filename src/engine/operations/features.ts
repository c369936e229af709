/**
 * `cista features`: what this build implements, in the runtime-spec's features document
 * (features.md), so that a client can check before it creates. Every list comes from the tables
 * the validation and the plan use, so it cannot claim more than cista does.
 */
import { FLAG_OPTIONS, PROPAGATION } from '../plan/mount-flags';
import { SECCOMP_ARCH_TOKENS, SECCOMP_FLAG_BITS } from '../plan/seccomp';
import {
  CAPABILITIES,
  HOOK_NAMES,
  IDMAP_OPTIONS,
  NAMESPACE_TYPES,
  SECCOMP_ACTIONS,
  SECCOMP_FLAGS,
  SECCOMP_OPERATORS,
  SPEC_VERSION_MAX,
  SPEC_VERSION_MIN,
} from '../spec/vocabulary';

export function runtimeFeatures(): Record<string, unknown> {
  return {
    ociVersionMin: SPEC_VERSION_MIN,
    ociVersionMax: SPEC_VERSION_MAX,
    hooks: [...HOOK_NAMES],
    mountOptions: [...Object.keys(FLAG_OPTIONS), ...Object.keys(PROPAGATION), ...IDMAP_OPTIONS].sort(),
    linux: {
      // Time namespaces (and their offsets) are refused as not supported yet.
      namespaces: NAMESPACE_TYPES.filter((type) => type !== 'time'),
      capabilities: [...CAPABILITIES],
      cgroup: { v1: true, v2: true, systemd: false, systemdUser: false, rdma: false },
      seccomp: {
        enabled: true,
        actions: [...SECCOMP_ACTIONS],
        operators: [...SECCOMP_OPERATORS],
        archs: Object.keys(SECCOMP_ARCH_TOKENS),
        knownFlags: [...SECCOMP_FLAGS],
        supportedFlags: Object.keys(SECCOMP_FLAG_BITS),
      },
      apparmor: { enabled: false },
      selinux: { enabled: false },
      intelRdt: { enabled: false },
      mountExtensions: { idmap: { enabled: true } },
      netDevices: { enabled: true },
    },
    potentiallyUnsafeConfigAnnotations: [],
  };
}
