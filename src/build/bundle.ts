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
/**
 * Each program and its entry: the CLI; the containerd shim's server, and its process entry
 * (src/shim/entry.ts: runs the server's bundle through V8's code cache) which takes the name the
 * launcher runs. The shim's are minified (whitespace and syntax; names kept for stack traces): the
 * server's is 386 KB instead of 614, about 5 ms less CPU to load, and less source for V8 to keep.
 * The CLI's is written with the code cache made at build time (src/engine/code-cache.ts; bin/cista
 * runs it with the cache): every call loads it anew.
 */
const programs: Array<[entry: string, outfile: string, options: { minify: boolean; codeCache: boolean }]> = [
  [path.join('src', 'cli', 'main.ts'), path.join('dist', 'cli', 'cista.js'), { minify: false, codeCache: true }],
  [path.join('src', 'shim', 'server.ts'), path.join('dist', 'shim', 'bundle.js'), { minify: true, codeCache: false }],
  [path.join('src', 'shim', 'entry.ts'), path.join('dist', 'shim', 'server.js'), { minify: true, codeCache: false }],
];

for (const [entry, outfile, options] of programs) bundle(entry, outfile, options);

function bundle(entry: string, outfile: string, { minify, codeCache }: { minify: boolean; codeCache: boolean }): void {
  const result = buildSync({
    entryPoints: [entry],
    bundle: true,
    platform: 'node',
    target: 'node20',
    format: 'cjs',
    outfile,
    write: false,
    logLevel: 'warning',
    minifyWhitespace: minify,
    minifySyntax: minify,
  });
  const code = result.outputFiles[0].text.replace(/__toESM\(require\("(node:[a-z0-9_/]+)"\)\)/g, 'require("$1")');
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
