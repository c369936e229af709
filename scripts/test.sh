#!/bin/sh
# The second command of the README: install what is missing, then run every test.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
npx vitest run
