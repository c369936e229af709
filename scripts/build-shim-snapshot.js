#!/usr/bin/env node
'use strict';
// Builds dist/shim/server.blob, the containerd shim server's V8 startup snapshot (src/shim/snapshot.ts),
// for the node running this script: node refuses a blob that another version built, and V8 one built
// under other flags, so it is built by `npm run build` and again at install (the package does not ship
// it), with the flags of the launcher's node_flags='...' line. Without the bundle (not built yet) there
// is nothing to do. Warnings are off: Node warns that the tty module (the API's terminals, used only
// once started) is not verified in snapshots.
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'dist', 'shim', 'snapshot.js');
const blob = path.join(root, 'dist', 'shim', 'server.blob');
const launcher = path.join(root, 'bin', 'containerd-shim-cista-v2');

if (!fs.existsSync(entry)) process.exit(0);
const line = /^node_flags='([^']*)'$/m.exec(fs.readFileSync(launcher, 'utf8'));
if (line === null) throw new Error(`no node_flags='...' line in ${launcher}`);
fs.rmSync(blob, { force: true });
execFileSync(process.execPath, [...line[1].split(' ').filter(Boolean), '--no-warnings', '--snapshot-blob', blob, '--build-snapshot', entry], {
  stdio: 'inherit',
});
