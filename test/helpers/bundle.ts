import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

import { REPO, exec } from './cli';
import { requireFile } from './prerequisites';

export type Config = Record<string, any>;

/** A scratch directory for one test file: bundles and a --root, removed by cleanup(). */
export class Scratch {
  readonly dir: string;
  readonly root: string;

  constructor(name: string) {
    this.dir = fs.mkdtempSync(path.join(os.tmpdir(), `cista-${name}-`));
    this.root = path.join(this.dir, 'state');
  }

  /** A busybox bundle made by scripts/example-bundle.sh, its config edited by `edit`. */
  bundle(name: string, args: string[], edit: (config: Config) => void = () => {}): string {
    requireFile('/bin/busybox', 'busybox-static is needed to build test bundles');
    const dir = path.join(this.dir, name);
    const made = exec(path.join(REPO, 'scripts', 'example-bundle.sh'), [dir, ...args]);
    if (made.code !== 0) throw new Error(`example-bundle.sh failed: ${made.stderr}`);
    editConfig(dir, edit);
    return dir;
  }

  cleanup(): void {
    fs.rmSync(this.dir, { recursive: true, force: true });
  }
}

export function readConfig(bundle: string): Config {
  return JSON.parse(fs.readFileSync(path.join(bundle, 'config.json'), 'utf8'));
}

export function editConfig(bundle: string, edit: (config: Config) => void): void {
  const config = readConfig(bundle);
  edit(config);
  fs.writeFileSync(path.join(bundle, 'config.json'), JSON.stringify(config, null, '\t'));
}

/** A config edit: no mount namespace of its own, so the container's mounts go into the host's table. */
export function withoutMountNamespace(c: Config): void {
  c.linux.namespaces = c.linux.namespaces.filter((ns: { type: string }) => ns.type !== 'mount');
  delete c.linux.maskedPaths;
  delete c.linux.readonlyPaths;
}
