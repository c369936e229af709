import { type SpawnSyncOptions, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';

export const REPO = path.resolve(__dirname, '..', '..');
export const CISTA = path.join(REPO, 'bin', 'cista');

export interface CommandResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/**
 * Runs a command to completion (no shell). stdout and stderr go to files, not pipes: a container
 * that `create` or `run -d` leaves behind inherits them, and would keep a pipe open forever.
 */
export function exec(file: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-out-'));
  const out = fs.openSync(path.join(dir, 'stdout'), 'w+');
  const err = fs.openSync(path.join(dir, 'stderr'), 'w+');
  try {
    const stdio = (options.stdio as unknown[] | undefined) ?? ['ignore'];
    const result = spawnSync(file, args, { timeout: 60_000, ...options, stdio: [stdio[0] ?? 'ignore', out, err, ...stdio.slice(3)] as SpawnSyncOptions['stdio'] });
    if (result.error) throw result.error;
    return {
      code: result.status,
      stdout: fs.readFileSync(path.join(dir, 'stdout'), 'utf8'),
      stderr: fs.readFileSync(path.join(dir, 'stderr'), 'utf8'),
    };
  } finally {
    fs.closeSync(out);
    fs.closeSync(err);
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** Runs the built cista CLI with `--root root` before the arguments. */
export function cista(root: string, args: string[], options: SpawnSyncOptions = {}): CommandResult {
  return exec(CISTA, ['--root', root, ...args], options);
}
