import * as fs from 'node:fs';
import * as path from 'node:path';

import { CistaError } from '../errors';
import { defaultSpec } from '../spec/defaults';

/** Writes the default config.json into a bundle, refusing to overwrite one (as runc does). */
export function writeDefaultSpec(bundle: string, rootless: boolean): void {
  if (!fs.statSync(bundle, { throwIfNoEntry: false })?.isDirectory()) throw new CistaError(`spec: the bundle directory ${bundle} does not exist: create it (with its rootfs) first`);
  const file = path.join(bundle, 'config.json');
  if (fs.existsSync(file)) throw new CistaError(`${file} exists: remove it first`);
  fs.writeFileSync(file, JSON.stringify(defaultSpec({ rootless }), null, '\t'), { mode: 0o666 });
}
