import { describe, expect, it } from 'vitest';
import type { Spec } from '../../../src/engine/spec/schema';
import { rejectUnsupported } from '../../../src/engine/spec/unsupported';
import { runnableSpec } from './spec-fixtures';

function unsupportedError(edit: (spec: Spec) => void): string | undefined {
  const spec = runnableSpec();
  edit(spec);
  try {
    rejectUnsupported(spec);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

describe('rejectUnsupported', () => {
  it('accepts what this release implements, and empty unsupported sections', () => {
    expect(
      unsupportedError((s) => {
        s.hooks = { prestart: [], poststart: [{ path: '/bin/true' }] };
        s.process!.user = { uid: 1, gid: 1, umask: 0o22, additionalGids: [5], username: '' };
        s.linux!.resources = { devices: [{ allow: true, type: 'c', major: 1, minor: 3, access: 'rwm' }], memory: {} };
        s.linux!.seccomp = { defaultAction: 'SCMP_ACT_ALLOW' };
        s.linux!.rootfsPropagation = 'slave';
        s.linux!.cgroupsPath = '/cista/box';
        s.linux!.namespaces!.push({ type: 'user' }, { type: 'time' });
        s.linux!.timeOffsets = { monotonic: { secs: 1 } };
        s.linux!.personality = { domain: 'LINUX32' };
        s.linux!.memoryPolicy = { mode: 'MPOL_BIND', nodes: '0' };
        s.process!.scheduler = { policy: 'SCHED_BATCH', nice: 5 };
        s.process!.ioPriority = { class: 'IOPRIO_CLASS_IDLE' };
        s.process!.execCPUAffinity = { initial: '0', final: '0-1' };
        s.process!.apparmorProfile = 'docker-default';
        s.process!.selinuxLabel = 'system_u:system_r:svirt_t:s0';
        s.linux!.mountLabel = 'system_u:object_r:svirt_image_t:s0';
        s.linux!.uidMappings = [{ containerID: 0, hostID: 1000, size: 10 }];
        s.linux!.gidMappings = [{ containerID: 0, hostID: 1000, size: 10 }];
      }),
    ).toBeUndefined();
  });

  it.each<[string, (spec: Spec) => void, string]>([
    [
      'a joined time namespace with a new user namespace',
      (s) => (s.linux!.namespaces = [{ type: 'user' }, { type: 'time', path: '/proc/1/ns/time' }]),
      '/linux/namespaces/1/path: joining a time namespace together with a new user namespace is not supported yet',
    ],
    ['the remount option', (s) => (s.mounts![0].options = ['nosuid', 'remount']), '/mounts/0/options/1: "remount" not supported yet'],
    ['a username', (s) => (s.process!.user = { username: 'nobody' }), '/process/user/username: not supported yet'],
    ['a command line', (s) => (s.process!.commandLine = 'sh'), '/process/commandLine: not supported yet'],
    ['other platforms', (s) => (s.windows = { layerFolders: [] }), '/windows: not supported yet'],
  ])('rejects %s', (_, edit, expected) => {
    expect(unsupportedError(edit)).toBe(`config.json: ${expected}`);
  });

  it('reports the first unsupported field in document order', () => {
    expect(
      unsupportedError((s) => {
        s.windows = { layerFolders: [] };
        s.process!.commandLine = 'sh';
      }),
    ).toBe('config.json: /process/commandLine: not supported yet');
  });
});
