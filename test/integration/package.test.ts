import { execFile } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { Scratch } from '../helpers/bundle';
import { type CommandResult, REPO, exec } from '../helpers/cli';
import { leftovers } from '../helpers/leftovers';
import { requireRoot } from '../helpers/prerequisites';

// What a user gets from `npm pack` of this checkout: the tarball is installed globally into a scratch
// prefix and as a dependency of a scratch project, and both must work (the addon compiled at install).
let scratch: Scratch;

beforeAll(() => {
  requireRoot();
  scratch = new Scratch('package');
});
afterAll(() => scratch.cleanup());

const INSTALL_TIMEOUT = 300_000;

/** npm, asynchronously: a minute of spawnSync would stall the test worker's own messages to vitest. */
function npm(args: string[], cwd: string): Promise<CommandResult> {
  return new Promise((resolve) => {
    execFile('npm', args, { cwd, timeout: INSTALL_TIMEOUT, maxBuffer: 16 << 20 }, (error, stdout, stderr) => {
      const code = error === null ? 0 : typeof error.code === 'number' ? error.code : 1;
      resolve({ code, stdout, stderr });
    });
  });
}

describe('the npm package', () => {
  let tarball: string;

  beforeAll(async () => {
    const packed = await npm(['pack', '--silent', REPO], scratch.dir);
    expect(packed).toMatchObject({ code: 0, stderr: '' });
    tarball = path.join(scratch.dir, packed.stdout.trim().split('\n').pop()!);
  }, INSTALL_TIMEOUT);

  it('ships the built code and the native sources, not the tests', () => {
    const listed = exec('tar', ['-tzf', tarball]).stdout.split('\n');
    expect(listed).toContain('package/dist/cli/cista.js');
    expect(listed).toContain('package/dist/api/index.js');
    expect(listed).toContain('package/native/init/main.cc');
    expect(listed.filter((f) => f.startsWith('package/test/') || f.startsWith('package/src/') || f.startsWith('package/dist/build/'))).toEqual([]);
  });

  it('installs with npm install -g and gives a working cista', async () => {
    const prefix = path.join(scratch.dir, 'global');
    const installed = await npm(['install', '-g', '--no-audit', '--no-fund', '--prefix', prefix, tarball], scratch.dir);
    expect(installed.code, installed.stderr).toBe(0);
    expect(exec(path.join(prefix, 'bin', 'cista'), ['--version']).stdout).toMatch(/^cista version \d+\.\d+\.\d+$/m);

    // The compiled addon and init helper: a container runs through the installed CLI.
    const bundle = scratch.bundle('pkg1', ['echo', 'from the package']);
    const state = path.join(scratch.dir, 'state');
    const ran = exec(path.join(prefix, 'bin', 'cista'), ['--root', state, 'run', '--bundle', bundle, 'pkg1']);
    expect(ran).toMatchObject({ code: 0, stdout: 'from the package\n' });
    expect(leftovers(state, 'pkg1', bundle)).toEqual([]);
  }, INSTALL_TIMEOUT);

  it('installs as a dependency and gives the typed API', async () => {
    const project = path.join(scratch.dir, 'project');
    fs.mkdirSync(project);
    fs.writeFileSync(path.join(project, 'package.json'), JSON.stringify({ name: 'user', version: '1.0.0', private: true }));
    const installed = await npm(['install', '--no-audit', '--no-fund', tarball], project);
    expect(installed.code, installed.stderr).toBe(0);
    const api = exec('node', ['-e', "const c = require('cista'); console.log(typeof c.Runtime, typeof c.CistaError)"], { cwd: project });
    expect(api).toMatchObject({ code: 0, stdout: 'function function\n' });
    expect(fs.existsSync(path.join(project, 'node_modules', 'cista', 'dist', 'api', 'index.d.ts'))).toBe(true);
  }, INSTALL_TIMEOUT);
});
