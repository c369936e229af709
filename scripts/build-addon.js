#!/usr/bin/env node
'use strict';
// The package's install step: compiles the addon and the static init helper with node-gyp (README,
// "Install it"). A missing toolchain or libseccomp-dev is named in one line with the apt-get command,
// instead of gyp's stack of errors.
const { spawnSync } = require('node:child_process');

const missing = [];
const found = (command, args) => spawnSync(command, args, { stdio: 'ignore' }).status === 0;
if (!found('g++', ['--version'])) missing.push('g++');
if (!found('make', ['--version'])) missing.push('make');
if (!found('python3', ['--version'])) missing.push('python3');
if (!found('pkg-config', ['--version'])) missing.push('pkg-config');
else if (!found('pkg-config', ['--exists', 'libseccomp'])) missing.push('libseccomp-dev');
if (missing.length > 0) {
  console.error(`cista: building the addon needs ${missing.join(', ')}: apt-get install ${missing.join(' ')}`);
  process.exit(1);
}

// npm names its own node-gyp in npm_config_node_gyp when it runs an install script.
const nodeGyp = process.env.npm_config_node_gyp ?? require.resolve('node-gyp/bin/node-gyp.js');
const result = spawnSync(process.execPath, [nodeGyp, 'rebuild'], { stdio: 'inherit' });
process.exit(result.status ?? 1);
