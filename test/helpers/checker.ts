import * as fs from 'node:fs';
import * as path from 'node:path';

import { type Config, Scratch, editConfig, readConfig } from './bundle';
import { REPO, exec } from './cli';
import { requireFile } from './prerequisites';

const SOURCES = ['checker.c', 'json.c'].map((f) => path.join(REPO, 'test', 'checker', f));

/**
 * Builds test/checker (static, with the addon's toolchain) into the scratch directory and
 * returns a bundle whose process is the checker, reading the bundle's own config.json bind-mounted at
 * /cista-conformance. `edit` shapes the config first.
 */
export function checkerBundle(scratch: Scratch, name: string, edit: (c: Config) => void = () => {}): string {
  requireFile('/usr/bin/gcc', 'gcc builds the in-container checker');
  const binary = path.join(scratch.dir, 'checker');
  if (!fs.existsSync(binary)) {
    const built = exec('gcc', ['-static', '-O2', '-o', binary, ...SOURCES]);
    if (built.code !== 0) throw new Error(`building the checker failed: ${built.stderr}`);
  }
  const bundle = scratch.bundle(name, ['/cista-conformance/checker']);
  const shared = path.join(bundle, 'conformance');
  fs.mkdirSync(shared);
  // In the image, as a mount point should be: root of a user namespace cannot create it in a rootfs
  // that host root owns.
  fs.mkdirSync(path.join(bundle, 'rootfs', 'cista-conformance'));
  fs.copyFileSync(binary, path.join(shared, 'checker'));
  fs.chmodSync(path.join(shared, 'checker'), 0o755);
  editConfig(bundle, (c) => {
    c.mounts.push({ destination: '/cista-conformance', type: 'bind', source: shared, options: ['rbind', 'ro'] });
    edit(c);
  });
  fs.writeFileSync(path.join(shared, 'config.json'), JSON.stringify(readConfig(bundle)));
  return bundle;
}

export interface TapResult {
  passed: string[];
  failed: string[];
  planned: number | null;
}

export function parseTap(text: string): TapResult {
  const result: TapResult = { passed: [], failed: [], planned: null };
  for (const line of text.split('\n')) {
    const plan = /^1\.\.(\d+)$/.exec(line);
    if (plan) result.planned = Number(plan[1]);
    else if (line.startsWith('ok ')) result.passed.push(line);
    else if (line.startsWith('not ok ')) result.failed.push(line);
    else if (line.startsWith('Bail out!')) result.failed.push(line);
  }
  return result;
}
