import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { cista, exec } from '../helpers/cli';
import { requireRoot } from '../helpers/prerequisites';

let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('cli');
});
afterAll(() => scratch.cleanup());

describe('the client contract of ../shared/CLI-SURFACE.md', () => {
  it('--version prints cista\'s version, the spec version, the commit and libseccomp\'s version (as runc), and exits 0', () => {
    const r = cista(scratch.root, ['--version']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^cista version \d+\.\d+\.\d+\ncommit: \S+\nspec: 1\.3\.0\nnode: v\d+\.\d+\.\d+\nlibseccomp: \d+\.\d+\.\d+\n$/);
  });

  it('--help shows examples', () => {
    const r = cista(scratch.root, ['--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/Examples:/);
  });

  it('creates the --log file first, writes nothing there on success, and one line per failure', () => {
    const bundle = scratch.bundle('logged', ['true']);
    const log = path.join(scratch.dir, 'log.json');
    expect(cista(scratch.root, ['--log', log, '--log-format', 'json', 'run', '--bundle', bundle, 'ok1']).code).toBe(0);
    expect(fs.readFileSync(log, 'utf8')).toBe('');
    // podman's spelling: --log-format=json before --log.
    expect(cista(scratch.root, ['--log-format=json', `--log=${log}`, 'state', 'missing']).code).toBe(1);
    expect(cista(scratch.root, ['--log', log, '--log-format', 'json', 'kill', 'missing', '9']).code).toBe(1);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines).toEqual([
      { level: 'error', msg: 'container missing does not exist', time: expect.any(String) },
      { level: 'error', msg: 'container missing does not exist', time: expect.any(String) },
    ]);
  });

  it('--debug adds debug lines to the log', () => {
    const log = path.join(scratch.dir, 'debug.json');
    expect(cista(scratch.root, ['--debug', '--log', log, '--log-format', 'json', 'list']).code).toBe(0);
    const lines = fs.readFileSync(log, 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(lines.map((l) => [l.level, l.msg])).toEqual([
      ['debug', 'list '],
      ['debug', 'list done, exit code 0'],
    ]);
  });

  it('text log lines are logrus-style', () => {
    const log = path.join(scratch.dir, 'log.txt');
    expect(cista(scratch.root, ['--log', log, 'state', 'missing']).code).toBe(1);
    expect(fs.readFileSync(log, 'utf8')).toMatch(/^time="[^"]+" level=error msg="container missing does not exist"\n$/);
  });

  it('--systemd-cgroup is accepted and refused clearly when a container needs it', () => {
    const bundle = scratch.bundle('systemd', ['true']);
    const r = cista(scratch.root, ['--systemd-cgroup', 'create', '--bundle', bundle, 'sd']);
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/systemd cgroup driver is not supported yet/);
    expect(fs.existsSync(path.join(scratch.root, 'sd'))).toBe(false);
  });

  it('spec writes runc\'s defaults and refuses to overwrite them', () => {
    const dir = fs.mkdtempSync(path.join(scratch.dir, 'spec-'));
    expect(cista(scratch.root, ['spec', '--bundle', dir]).code).toBe(0);
    const config = JSON.parse(fs.readFileSync(path.join(dir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ ociVersion: '1.0.2-dev', hostname: 'cista', process: { args: ['sh'], terminal: true } });
    const again = cista(scratch.root, ['spec', '--bundle', dir]);
    expect(again.code).toBe(1);
    expect(again.stderr).toMatch(/exists/);
    const rootless = fs.mkdtempSync(path.join(scratch.dir, 'spec-rootless-'));
    expect(exec('/bin/sh', ['-c', `cd ${rootless} && ${path.resolve(__dirname, '../../bin/cista')} spec --rootless`]).code).toBe(0);
    expect(JSON.parse(fs.readFileSync(path.join(rootless, 'config.json'), 'utf8')).linux.uidMappings).toBeDefined();
  });
});
