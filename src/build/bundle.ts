/**
 * Bundles the CLI into dist/cli/cista.js (each CLI call is a fresh Node start, and one file loads far
 * faster than the modules it was built from).
 *
 * Node's builtins are plain CommonJS objects, used here only as namespaces (`import * as fs`). esbuild
 * still wraps each such import in __toESM, which copies every export of the builtin behind a getter,
 * once per importing module as it is first used: about a millisecond per module on the start-up path
 * of `cista state`. The bundle uses the builtins as they are instead.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { buildSync } from 'esbuild';
import { writeWithCodeCache } from '../engine/code-cache';

/**
 * Each program, its entry, and whether it gets a code cache: the CLI, which every call loads anew
 * (bin/cista runs it with the cache), and the containerd shim's server (once per container).
 */
const programs: Array<[entry: string, outfile: string, codeCache: boolean]> = [
  [path.join('src', 'cli', 'main.ts'), path.join('dist', 'cli', 'cista.js'), true],
  [path.join('src', 'shim', 'server.ts'), path.join('dist', 'shim', 'server.js'), false],
];

for (const [entry, outfile, codeCache] of programs) bundle(entry, outfile, codeCache);

function bundle(entry: string, outfile: string, codeCache: boolean): void {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    write: false,
    logLevel: 'warning',
  });
  const code = result.outputFiles[0].text.replace(/__toESM\(require\("(node:[a-z_/]+)"\)\)/g, 'require("$1")');
  // A default import (`import fs from 'node:fs'`) reads .default, which only the wrapper provides.
  const defaultImport = /\bimport_node_[a-z_]+\.default\b/.exec(code);
  if (defaultImport !== null) throw new Error(`bundle: ${defaultImport[0]}: import Node builtins as namespaces (import * as)`);
  if (codeCache) {
    writeWithCodeCache(path.resolve(outfile), code);
  } else {
    fs.mkdirSync(path.dirname(outfile), { recursive: true });
    fs.writeFileSync(outfile, code);
  }
}
