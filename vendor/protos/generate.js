#!/usr/bin/env node
'use strict';
/**
 * Generates src/generated/containerd.js and .d.ts (protobufjs static code) from containerd's own .proto
 * files vendored here: the shim v2 Task service's messages, the task events, the ttrpc events service
 * (Forward) and the cgroup v1 and v2 metrics; and ttrpc's envelope (src/shim/ttrpc.proto, ours). Run by `npm run build:ts` and `typecheck`; a build output, not in git.
 *
 * The protos import gogoproto and containerd's fieldpath plugin for Go code generation only; their options
 * change nothing on the wire, so empty stand-ins are put first on the include path instead of vendoring them.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { execFileSync } = require('node:child_process');

const here = __dirname;
const root = path.resolve(here, '..', '..');
const out = path.join(root, 'src', 'generated');
const ownDir = path.join(root, 'src', 'shim');
const protos = [
  'ttrpc.proto',
  'github.com/containerd/containerd/runtime/v2/task/shim.proto',
  'github.com/containerd/containerd/api/events/task.proto',
  'github.com/containerd/containerd/api/services/ttrpc/events/v1/events.proto',
  'github.com/containerd/cgroups/stats/v1/metrics.proto',
  'github.com/containerd/cgroups/v2/stats/metrics.proto',
];
const goOnly = {
  'gogoproto/gogo.proto': 'package gogoproto;',
  'github.com/containerd/containerd/protobuf/plugin/fieldpath.proto': 'package containerd.plugin;',
};

const js = path.join(out, 'containerd.js');
const dts = path.join(out, 'containerd.d.ts');
const inputs = [__filename, path.join(ownDir, 'ttrpc.proto'), ...protos.slice(1).map((p) => path.join(here, p))];
const newest = Math.max(...inputs.map((f) => fs.statSync(f).mtimeMs));
if (fs.existsSync(dts) && fs.statSync(dts).mtimeMs >= newest) process.exit(0);

const stubs = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-proto-'));
try {
  for (const [file, body] of Object.entries(goOnly)) {
    fs.mkdirSync(path.join(stubs, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(stubs, file), `syntax = "proto2";\n${body}\n`);
  }
  fs.mkdirSync(out, { recursive: true });
  const bin = path.join(root, 'node_modules', '.bin');
  execFileSync(path.join(bin, 'pbjs'), [
    '-t', 'static-module', '-w', 'commonjs', '--no-service', '--no-delimited', '--no-verify', '--no-convert',
    '--no-create', '--force-number', '-p', stubs, '-p', here, '-p', ownDir, '-o', js, ...protos,
  ], { cwd: here, stdio: 'inherit' });
  execFileSync(path.join(bin, 'pbts'), ['--no-comments', '-o', dts, js], { stdio: 'inherit' });
} finally {
  fs.rmSync(stubs, { recursive: true, force: true });
}
