import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

import { realFiles } from '../../../src/engine/host/real-lookup';
import { checkRootfs } from '../../../src/engine/rootfs/root-path';

let bundle: string;

beforeAll(() => {
  bundle = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-root-path-'));
  fs.mkdirSync(path.join(bundle, 'rootfs'));
  fs.mkdirSync(path.join(bundle, 'real', 'rootfs'), { recursive: true });
  fs.symlinkSync('/', path.join(bundle, 'to-host-root'));
  fs.symlinkSync('../../../../../../..', path.join(bundle, 'to-parents'));
  fs.symlinkSync('real', path.join(bundle, 'via'));
  fs.writeFileSync(path.join(bundle, 'file'), '');
});
afterAll(() => fs.rmSync(bundle, { recursive: true, force: true }));

const check = (rootPath: string) => () => checkRootfs(realFiles, bundle, rootPath, path.resolve(bundle, rootPath));

describe('checkRootfs', () => {
  it('accepts a directory in the bundle, relative or absolute, and one reached with ..', () => {
    expect(check('rootfs')).not.toThrow();
    expect(check(path.join(bundle, 'rootfs'))).not.toThrow();
    expect(check('real/../rootfs')).not.toThrow();
  });

  it.each(['to-host-root', 'to-parents', 'via/rootfs', 'to-host-root/tmp'])('refuses %s, which passes through a symlink', (rootPath) => {
    const link = path.join(bundle, rootPath.split('/')[0]);
    expect(check(rootPath)).toThrow(`config.json: /root/path: invalid rootfs ${path.resolve(bundle, rootPath)}: ${link} is a symlink (cista, like runc, does not follow one)`);
  });

  it('refuses what is missing or no directory', () => {
    expect(check('missing')).toThrow(`config.json: /root/path: rootfs ${path.join(bundle, 'missing')} does not exist or is not a directory`);
    expect(check('file')).toThrow(`config.json: /root/path: rootfs ${path.join(bundle, 'file')} does not exist or is not a directory`);
  });
});
