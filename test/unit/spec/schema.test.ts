import { describe, expect, it } from 'vitest';
import { schemaError } from '../../helpers/schema-error';

const minimal = () => ({ ociVersion: '1.3.0', root: { path: 'rootfs' } });

describe('ociVersion', () => {
  it.each(['1.0.0', '1.0.2-dev', '1.1.0', '1.2.1', '1.3.0', '1.3.0-rc.1', '1.0.0+build.5'])('accepts %s', (version) => {
    expect(schemaError({ ...minimal(), ociVersion: version })).toBeUndefined();
  });

  it.each(['2.0.0', '0.5.0', '1.4.0', '1.0', 'v1.0.0', ''])('rejects %j', (version) => {
    expect(schemaError({ ...minimal(), ociVersion: version })).toBe(
      `config.json: /ociVersion: unsupported runtime-spec version ${JSON.stringify(version)} (cista supports 1.0.x through 1.3.x)`,
    );
  });

  it('is required', () => {
    expect(schemaError({ root: { path: 'rootfs' } })).toBe('config.json: /ociVersion: is required');
  });
});

describe('schema error messages', () => {
  it('lists the allowed namespace types', () => {
    const document = { ...minimal(), linux: { namespaces: [{ type: 'pid' }, { type: 'mount' }, { type: 'pidd' }] } };
    expect(schemaError(document)).toBe(
      'config.json: /linux/namespaces/2/type: must be one of pid, network, mount, ipc, uts, user, cgroup, time',
    );
  });

  it('names a missing field by its full path', () => {
    expect(schemaError({ ...minimal(), process: { args: ['sh'] } })).toBe('config.json: /process/cwd: is required');
  });

  it('names the expected type', () => {
    expect(schemaError({ ...minimal(), process: { cwd: '/', args: 'sh' } })).toBe(
      'config.json: /process/args: must be an array',
    );
    expect(schemaError({ ...minimal(), hostname: 7 })).toBe('config.json: /hostname: must be a string');
    expect(schemaError({ ...minimal(), annotations: { a: 1 } })).toBe('config.json: /annotations/a: must be a string');
  });

  it('states numeric bounds', () => {
    expect(schemaError({ ...minimal(), hooks: { poststop: [{ path: '/bin/true', timeout: 0 }] } })).toBe(
      'config.json: /hooks/poststop/0/timeout: must be an integer from 1 to 2147483647',
    );
    expect(schemaError({ ...minimal(), process: { cwd: '/', user: { uid: -1 } } })).toBe(
      'config.json: /process/user/uid: must be an integer from 0 to 4294967295',
    );
  });

  it('explains the rlimit name pattern', () => {
    const document = { ...minimal(), process: { cwd: '/', rlimits: [{ type: 'nofile', soft: 1, hard: 1 }] } };
    expect(schemaError(document)).toBe('config.json: /process/rlimits/0/type: "nofile" is not an RLIMIT_* name');
  });

  it('rejects a document that is not an object', () => {
    expect(schemaError([])).toBe('config.json: must be an object');
  });

  it('ignores unknown properties, as the runtime-spec requires', () => {
    expect(schemaError({ ...minimal(), futureField: { x: 1 }, process: { cwd: '/', newKnob: true } })).toBeUndefined();
  });
});
