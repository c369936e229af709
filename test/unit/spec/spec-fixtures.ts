import type { Spec } from '../../../src/engine/spec/schema';

/** A config cista can run as far as every check goes: the one a targeted test then breaks. */
export function runnableSpec(): Spec {
  return {
    ociVersion: '1.3.0',
    process: { args: ['sh'], cwd: '/', capabilities: { bounding: ['CAP_KILL'] } },
    root: { path: 'rootfs' },
    hostname: 'box',
    mounts: [{ destination: '/proc', type: 'proc', source: 'proc' }],
    linux: {
      namespaces: [{ type: 'pid' }, { type: 'network' }, { type: 'ipc' }, { type: 'uts' }, { type: 'mount' }],
      devices: [{ type: 'c', path: '/dev/fuse', major: 10, minor: 229 }],
      resources: { devices: [{ allow: false, access: 'rwm' }] },
      sysctl: { 'net.ipv4.ip_forward': '1' },
      maskedPaths: ['/proc/kcore'],
    },
  };
}
