import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const DIST_SPEC_DIR = path.resolve(__dirname, '../../../dist/engine/spec');

/** Runs a snippet in a fresh node, where module loading starts from nothing. */
function inFreshNode(script: string): string {
  return execFileSync(process.execPath, ['-e', script], { cwd: DIST_SPEC_DIR, encoding: 'utf8' });
}

describe('the built config validator', () => {
  it('validates at run time without typebox or the ajv compiler', () => {
    const loaded = inFreshNode(`
      require('./load.js').validateSpecObject({ ociVersion: '1.0.0', root: { path: 'rootfs' } });
      console.log(Object.keys(require.cache).filter((file) => file.includes('node_modules')).join('\\n'));
    `);
    expect(loaded.trim()).toBe('');
  });

  it('loads in a few milliseconds', () => {
    const milliseconds = Number(
      inFreshNode(`
        const start = process.hrtime.bigint();
        require('./config-validator.generated.js');
        console.log(Number(process.hrtime.bigint() - start) / 1e6);
      `),
    );
    console.log(`require(config-validator.generated.js): ${milliseconds.toFixed(1)} ms`);
    // Generous bound for loaded CI machines; typically 4-7 ms.
    expect(milliseconds).toBeLessThan(50);
  });
});

describe('dist/engine/spec/config-validator.generated.js', () => {
  it('is up to date with src/engine/spec/schema.ts', async () => {
    const { compileConfigValidator, GENERATED_VALIDATOR } = await import('../../../src/build/compile-validator');
    const { withBuildId } = await import('../../../src/engine/code-cache');
    const built = fs.readFileSync(path.join(DIST_SPEC_DIR, 'config-validator.generated.js'), 'utf8');
    expect(path.basename(GENERATED_VALIDATOR)).toBe('config-validator.generated.js');
    expect(built === withBuildId(compileConfigValidator()), 'the built validator is stale: run npm run build:ts').toBe(true);
  });
});
