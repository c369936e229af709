import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { defaultSpec, formatSpec } from '../../../src/engine/spec/defaults';
import { validateSpecObject } from '../../../src/engine/spec/load';
import { checkSemantics } from '../../../src/engine/spec/semantic';

/** What `runc spec [--rootless]` writes, byte for byte. Throws (fails the test) when runc is missing. */
function runcSpecText(rootless: boolean): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-runc-spec-'));
  try {
    execFileSync('runc', rootless ? ['spec', '--rootless'] : ['spec'], { cwd: dir, stdio: 'pipe' });
    return fs.readFileSync(path.join(dir, 'config.json'), 'utf8');
  } catch (error) {
    throw new Error(`running "runc spec" failed (is runc installed?): ${(error as Error).message}`);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

describe.each([false, true])('defaultSpec({ rootless: %s })', (rootless) => {
  const spec = defaultSpec({ rootless });

  it('passes our schema and semantic checks', () => {
    expect(() => validateSpecObject(JSON.parse(formatSpec(spec)))).not.toThrow();
    expect(() => checkSemantics(spec)).not.toThrow();
  });

  it('is what runc spec writes, but for the hostname', () => {
    const runcText = runcSpecText(rootless);
    expect(JSON.parse(formatSpec(spec))).toEqual({ ...JSON.parse(runcText), hostname: 'cista' });
    expect(formatSpec(spec)).toBe(runcText.replace('"hostname": "runc"', '"hostname": "cista"'));
  });
});
