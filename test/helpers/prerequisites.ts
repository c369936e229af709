import * as fs from 'node:fs';

/**
 * A test that cannot run its prerequisite fails, it never skips: under CI=true a silent skip would
 * pass a run that tested nothing.
 */
export function requirePrerequisite(ok: boolean, what: string): void {
  if (!ok) throw new Error(`prerequisite missing: ${what}`);
}

export function requireRoot(): void {
  requirePrerequisite(process.getuid?.() === 0, 'these tests run containers and must run as root');
}

export function requireFile(file: string, what: string): void {
  requirePrerequisite(fs.existsSync(file), `${what} (${file})`);
}
