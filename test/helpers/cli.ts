import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const CISTA = path.join(REPO, 'bin', 'cista');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to completion (no shell). */
export function exec(file: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  const result = spawnSync(file, args, { encoding: 'utf8', timeout: 30_000, ...options });
  if (result.error) throw result.error;
  return { code: result.status, stdout: String(result.stdout ?? ''), stderr: String(result.stderr ?? '') };
}

/** Runs the built cista CLI with `--root root` before the arguments. */
export function cista(root: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  return exec(CISTA, ['--root', root, ...args], options);
}
