'use strict';
// Runs one command in a new container and captures what it prints: no CLI, no process but the
// container's own. Run as root: node examples/run-and-capture.js
const { Runtime, defaultSpec } = require('cista');
const { busyboxRootfs } = require('./rootfs');

async function main() {
  const runtime = new Runtime();
  const spec = defaultSpec({ rootless: false });
  spec.process.terminal = false;
  spec.process.args = ['sh', '-c', 'echo "hello from $(hostname), pid $$"; echo "a warning" >&2; exit 3'];
  const result = await runtime.run(`example-run-${process.pid}`, { rootfs: busyboxRootfs(), spec });
  console.log(`exit code ${result.exitCode}`);
  console.log(`stdout: ${result.stdout.trim()}`);
  console.log(`stderr: ${result.stderr.trim()}`);
}

main().catch((e) => {
  console.error(`${e.code ?? e.name}: ${e.message}`);
  process.exit(1);
});
