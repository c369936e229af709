#!/usr/bin/env node
'use strict';
/**
 * Generates protobufjs static code (src/generated/NAME.js and .d.ts) from the .proto files vendored here,
 * one module per program that uses them:
 * - containerd: the shim v2 Task service's messages, the task events, the ttrpc events service (Forward),
 *   the cgroup v1 and v2 metrics, and ttrpc's envelope (src/shim/ttrpc.proto, ours). The shim's.
 * - cri: Kubernetes' CRI (runtime.v1), which the tests speak to containerd's CRI plugin as kubelet does.
 *   Its own module, so that the shim's bundle does not carry it.
 * Run by `npm run build:ts` and `typecheck`; build outputs, not in git.
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
const modules = {
  containerd: [
    'ttrpc.proto',
    'github.com/containerd/containerd/runtime/v2/task/shim.proto',
    'github.com/containerd/containerd/api/events/task.proto',
    'github.com/containerd/containerd/api/services/ttrpc/events/v1/events.proto',
    'github.com/containerd/cgroups/stats/v1/metrics.proto',
    'github.com/containerd/cgroups/v2/stats/metrics.proto',
  ],
  cri: ['k8s.io/cri-api/pkg/apis/runtime/v1/api.proto'],
};
const goOnly = {
  'gogoproto/gogo.proto': 'package gogoproto;',
  'github.com/gogo/protobuf/gogoproto/gogo.proto': 'package gogoproto;',
  'github.com/containerd/containerd/protobuf/plugin/fieldpath.proto': 'package containerd.plugin;',
};

/** Where a listed .proto is: ours beside the shim, the vendored ones here. */
function source(proto) {
  return fs.existsSync(path.join(ownDir, proto)) ? path.join(ownDir, proto) : path.join(here, proto);
}

function generate(name, protos, stubs) {
  const js = path.join(out, `${name}.js`);
  const dts = path.join(out, `${name}.d.ts`);
  const newest = Math.max(...[__filename, ...protos.map(source)].map((f) => fs.statSync(f).mtimeMs));
  if (fs.existsSync(dts) && fs.statSync(dts).mtimeMs >= newest) return;
  const bin = path.join(root, 'node_modules', '.bin');
  execFileSync(path.join(bin, 'pbjs'), [
    '-t', 'static-module', '-w', 'commonjs', '--no-service', '--no-delimited', '--no-verify', '--no-convert',
    '--no-create', '--force-number', '-p', stubs, '-p', here, '-p', ownDir, '-o', js, ...protos,
  ], { cwd: here, stdio: 'inherit' });
  execFileSync(path.join(bin, 'pbts'), ['--no-comments', '-o', dts, js], { stdio: 'inherit' });
}

const stubs = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-proto-'));
try {
  for (const [file, body] of Object.entries(goOnly)) {
    fs.mkdirSync(path.join(stubs, path.dirname(file)), { recursive: true });
    fs.writeFileSync(path.join(stubs, file), `syntax = "proto2";\n${body}\n`);
  }
  fs.mkdirSync(out, { recursive: true });
  for (const [name, protos] of Object.entries(modules)) generate(name, protos, stubs);
} finally {
  fs.rmSync(stubs, { recursive: true, force: true });
}
