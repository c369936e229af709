/**
 * The entry of the shim server's V8 startup snapshot, dist/shim/server.blob (built by
 * src/build/bundle.ts with `node --build-snapshot`; the launcher starts `node --snapshot-blob` on it).
 * Node starts from a heap where the server's bundle is already compiled and evaluated (protobufjs and
 * the generated containerd messages, the engine) and the config validator loaded: the shim's start-up
 * is then little more than Node's own.
 *
 * A snapshot's builder can require Node's builtins only, so the bundle is evaluated here with a require
 * of its own: builtins from the builder, files (the addons) through a real require made when the
 * process starts from the snapshot. Run from a different place than it was built for, the server's
 * bundle is loaded afresh from where it is.
 */
import * as fs from 'node:fs';
import { createRequire, isBuiltin, wrap } from 'node:module';
import * as path from 'node:path';
import * as v8 from 'node:v8';
import * as vm from 'node:vm';

interface Server {
  main(argv: string[]): void;
  preload(): void;
}

const SERVER = fs.realpathSync(path.join(__dirname, 'server.js'));

/** Files required while building: plain CommonJS evaluated in this heap (the config validator needs no more). */
let requireFile = (file: string): unknown => evaluate(file);

function requireAny(id: string): unknown {
  return isBuiltin(id) ? require(id) : requireFile(id);
}

function evaluate(file: string): unknown {
  const module = { exports: {} };
  const run = vm.runInThisContext(wrap(fs.readFileSync(file, 'utf8')), { filename: file }) as (...args: unknown[]) => void;
  run(module.exports, requireAny, module, file, path.dirname(file));
  return module.exports;
}

const server = evaluate(SERVER) as Server;
server.preload();

v8.startupSnapshot.setDeserializeMainFunction(() => {
  const argv = process.argv.slice(2);
  const here = fs.realpathSync(process.argv[1] ?? SERVER);
  if (here !== SERVER) {
    (createRequire(here)(here) as Server).main(argv);
    return;
  }
  requireFile = createRequire(SERVER);
  server.main(argv);
});
