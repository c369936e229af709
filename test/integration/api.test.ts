import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { CistaError, ConfigError, Runtime } from '../../src/api';
import { Scratch, editConfig } from '../helpers/bundle';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;
let runtime: Runtime;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('api');
  runtime = new Runtime({ root: scratch.root });
});
afterAll(() => {
  for (const s of runtime.list()) runtime.delete(s.id, { force: true });
  scratch.cleanup();
});

describe('the Node API', () => {
  it('creates, starts, inspects, kills and deletes a container', async () => {
    const bundle = scratch.bundle('api1', ['sleep', '1000']);
    const created = runtime.create('api1', { bundle });
    expect(runtime.state('api1')).toMatchObject({ id: 'api1', status: 'created', pid: created.pid });
    runtime.start('api1');
    expect(runtime.state('api1').status).toBe('running');
    await expect(runtime.exec('api1', { args: ['sh', '-c', 'test "$(cat /proc/1/cmdline)" = "sleep1000" && exit 4'] })).resolves.toBe(4);
    expect(runtime.list().map((s) => s.id)).toEqual(['api1']);
    runtime.kill('api1', 'KILL');
    for (let i = 0; i < 100 && runtime.state('api1').status !== 'stopped'; i++) await new Promise((r) => setTimeout(r, 50));
    expect(runtime.state('api1').status).toBe('stopped');
    runtime.delete('api1');
    expect(leftovers(scratch.root, 'api1', bundle)).toEqual([]);
  });

  it('runs a container to completion and returns its exit status', async () => {
    const bundle = scratch.bundle('api2', ['sh', '-c', 'exit 9']);
    await expect(runtime.run('api2', { bundle })).resolves.toBe(9);
    expect(leftovers(scratch.root, 'api2', bundle)).toEqual([]);
  });

  it('throws typed errors with one-line messages', () => {
    const bundle = scratch.bundle('api3', ['true']);
    editConfig(bundle, (c) => (c.process.cwd = 'relative'));
    expect(() => runtime.create('api3', { bundle })).toThrow(ConfigError);
    expect(() => runtime.state('nope')).toThrow(new CistaError('container nope does not exist'));
  });
});
