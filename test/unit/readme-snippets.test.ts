import * as fs from 'node:fs';
import * as path from 'node:path';
import { describe, expect, it } from 'vitest';

const REPO = path.resolve(__dirname, '..', '..');

/** The README shows each engine's configuration as the file in examples/ that a CI test uses. */
describe('the README\'s configuration snippets are the files the engine tests use', () => {
  const readme = fs.readFileSync(path.join(REPO, 'README.md'), 'utf8');
  it.each([
    ['examples/podman/containers.conf', 'test/integration/podman-engine.test.ts'],
    ['examples/containerd/config.toml', undefined],
    ['examples/containerd/cri-shim.toml', 'test/integration/cri.test.ts'],
    ['examples/kubernetes/runtimeclass.yaml', 'test/integration/cri.test.ts'],
    ['examples/docker/daemon.json', 'test/integration/docker.test.ts'],
  ])('%s', (example, test) => {
    const text = fs.readFileSync(path.join(REPO, example), 'utf8');
    // The file's leading comment says where it goes; the README says that in its own words.
    const snippet = text.replace(/^(#[^\n]*\n)+/, '');
    expect(readme).toContain(`\n${snippet}\`\`\``);
    if (test !== undefined) expect(fs.readFileSync(path.join(REPO, test), 'utf8')).toContain(`'examples', '${path.basename(path.dirname(example))}', '${path.basename(example)}'`);
  });
});
