'use strict';
// A busybox rootfs for the examples, made by scripts/example-bundle.sh in a temp dir that is removed
// when the example exits. Your own program would point at any directory holding a root filesystem.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

exports.busyboxRootfs = function busyboxRootfs() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'cista-example-'));
  process.on('exit', () => fs.rmSync(dir, { recursive: true, force: true }));
  execFileSync(path.join(__dirname, '..', 'scripts', 'example-bundle.sh'), [dir], { stdio: 'ignore' });
  return path.join(dir, 'rootfs');
};
