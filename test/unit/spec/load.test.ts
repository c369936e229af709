import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/engine/errors';
import { realFiles } from '../../../src/engine/host/real-lookup';
import { loadSpec } from '../../../src/engine/spec/load';

const bundles: string[] = [];

function bundleWith(configText?: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-load-'));
  bundles.push(dir);
  if (configText !== undefined) fs.writeFileSync(path.join(dir, 'config.json'), configText);
  return dir;
}

afterEach(() => {
  for (const dir of bundles.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('loadSpec', () => {
  it('returns the parsed config', () => {
    const bundle = bundleWith('{"ociVersion": "1.0.2-dev", "root": {"path": "rootfs"}}');
    const { spec, raw } = loadSpec(realFiles, bundle);
    expect(spec.root?.path).toBe('rootfs');
    expect(raw).toEqual({ ociVersion: '1.0.2-dev', root: { path: 'rootfs' } });
  });

  it('names the file and the system error when config.json cannot be read', () => {
    const bundle = bundleWith();
    const file = path.join(bundle, 'config.json');
    expect(() => loadSpec(realFiles, bundle)).toThrow(
      new ConfigError('', `cannot read ${file}: no such file or directory (ENOENT)`),
    );
  });

  it('reports malformed JSON on one line', () => {
    const text = '{"ociVersion": "1.0.0",\n "process": {';
    const bundle = bundleWith(text);
    expect(() => loadSpec(realFiles, bundle)).toThrow(ConfigError);
    expect(() => loadSpec(realFiles, bundle)).toThrow(/^config\.json: invalid JSON: [^\n]+$/);
  });

  it('reports schema violations with their path', () => {
    const bundle = bundleWith('{"ociVersion": "2.0.0"}');
    expect(() => loadSpec(realFiles, bundle)).toThrow(
      'config.json: /ociVersion: unsupported runtime-spec version "2.0.0" (cista supports 1.0.x through 1.3.x)',
    );
  });
});
