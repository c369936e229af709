import fs from 'node:fs';
import { describe, expect, it } from 'vitest';
import { schemaError } from '../helpers/schema-error';
import { configFixtures, officialConfigValidator } from './official-schema';

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
      'linux-rdma.json': 'config.json: /linux/resources/rdma/mlx5_1/hcaHandles: must be an integer from 0 to 4294967295',
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
