#!/bin/sh
# Runs the cgroup v2 checks on a real cgroup2-only kernel (cg2vm): builds on the host, runs one node inside.
# Usage (root, from anywhere): test/cg2vm/run.sh   — meant to be called from .ci/run as well.
set -eu
cd "$(dirname "$0")/../.."
npx tsc -p tsconfig.json
# Node's own headers, so node-gyp needs no download.
npx node-gyp rebuild --loglevel=error -C test/native --nodedir="$(dirname "$(dirname "$(command -v node)")")"
exec /work/shared/cg2vm/run-in-vm.sh --timeout 300 -- node test/cg2vm/devices-v2.js
