import fs from 'node:fs';
import path from 'node:path';

const REPO_ROOT = path.resolve(__dirname, '../..');

/**
 * The shared/ directory of test inputs (runtime-spec schema and fixtures), which lives beside the
 * repository: in the parent of the repository root, or further up for a git worktree nested one
 * level deeper. Throws rather than letting tests skip when it is missing.
 */
export function sharedDir(): string {
  for (let dir = path.dirname(REPO_ROOT); ; dir = path.dirname(dir)) {
    const candidate = path.join(dir, 'shared');
    if (fs.existsSync(candidate)) return candidate;
    if (dir === path.dirname(dir)) break;
  }
  throw new Error(`shared/ test inputs not found beside ${REPO_ROOT} or in any parent directory`);
}

/** A directory inside shared/, e.g. runtime-spec-v1.3.0; throws when it is missing. */
export function sharedPath(...segments: string[]): string {
  const target = path.join(sharedDir(), ...segments);
  if (!fs.existsSync(target)) throw new Error(`missing shared test input ${target}`);
  return target;
}
