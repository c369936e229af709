import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { validateSpecObject } from '../../../src/engine/spec/load';
import { configFixtures, officialConfigValidator } from './official-schema';

/** The error message validateSpecObject throws, or undefined when the document passes. */
function schemaError(document: unknown): string | undefined {
  try {
    validateSpecObject(document);
    return undefined;
  } catch (error) {
    return (error as Error).message;
  }
}

const minimal = () => ({ ociVersion: '1.3.0', root: { path: 'rootfs' } });

describe('official runtime-spec fixtures', () => {
  // Two good fixtures still carry the pre-1.0 "0.5.0-dev"; the official schema leaves ociVersion
  // unconstrained, cista does not. They must fail on that alone and pass once it is current.
  const PRE_1_0_FIXTURES = ['spec-example.json', 'zos-example.json'];

  it.each(configFixtures('good'))('accepts good/$name', ({ name, file }) => {
    const document = JSON.parse(fs.readFileSync(file, 'utf8'));
    if (PRE_1_0_FIXTURES.includes(name)) {
      expect(schemaError(document)).toBe(
        'config.json: /ociVersion: unsupported runtime-spec version "0.5.0-dev" (cista supports 1.0.x through 1.3.x)',
      );
      document.ociVersion = '1.3.0';
    }
    expect(schemaError(document)).toBeUndefined();
  });

  it.each(configFixtures('bad'))('rejects bad/$name with one line naming the path', ({ file }) => {
    const text = fs.readFileSync(file, 'utf8');
    let document: unknown;
    try {
      document = JSON.parse(text);
    } catch {
      expect(file).toMatch(/invalid-json\.json$/);
      return;
    }
    const message = schemaError(document);
    expect(message).toMatch(/^config\.json: \/[^\n]*: [^\n]+$/);
  });

  it('rejects each bad fixture for the reason it was written', () => {
    const reasons = Object.fromEntries(
      configFixtures('bad')
        .filter(({ name }) => name !== 'invalid-json.json')
        .map(({ name, file }) => [name, schemaError(JSON.parse(fs.readFileSync(file, 'utf8')))]),
    );
    expect(reasons).toEqual({
      'freebsd-vnet-disable.json': 'config.json: /freebsd/jail/vnet: must be one of new, inherit',
      'linux-hugepage.json':
        'config.json: /linux/resources/hugepageLimits/0/pageSize: "64kB" is not a page size such as 2MB or 1GB',
      'linux-netdevice.json': 'config.json: /linux/netDevices/eth0/name: must be a string',
      'linux-rdma.json': 'config.json: /linux/resources/rdma/mlx5_1/hcaHandles: must be an integer',
    });
  });

  it('agree with the official schema (checks the harness)', () => {
    const official = officialConfigValidator();
    for (const { name, file } of configFixtures('good')) expect(official(JSON.parse(fs.readFileSync(file, 'utf8'))), name).toBe(true);
    for (const { name, file } of configFixtures('bad')) {
      if (name === 'invalid-json.json') continue;
      expect(official(JSON.parse(fs.readFileSync(file, 'utf8'))), name).toBe(false);
    }
  });
});

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
    expect(schemaError({ ...minimal(), process: { cwd: '/', user: { uid: -1 } } })).toBe(
      'config.json: /process/user/uid: must be >= 0',
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
