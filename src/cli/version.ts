import * as fs from 'node:fs';
import * as path from 'node:path';

import { native } from '../engine/native';
import { PACKAGE_ROOT } from '../engine/paths';
import { SPEC_VERSION_MAX } from '../engine/spec/vocabulary';

/** `cista --version`, in runc's layout: podman shows it whole as the runtime version. */
export function versionText(): string {
  const pkg = JSON.parse(fs.readFileSync(path.join(PACKAGE_ROOT, 'package.json'), 'utf8')) as { version: string };
  let commit = 'unknown';
  try {
    commit = fs.readFileSync(path.join(PACKAGE_ROOT, 'dist', 'commit.txt'), 'utf8').trim();
  } catch {
    // Built outside a git checkout.
  }
  return `cista version ${pkg.version}\ncommit: ${commit}\nspec: ${SPEC_VERSION_MAX}\nnode: ${process.version}\nlibseccomp: ${native().seccompVersion()}\n`;
}
