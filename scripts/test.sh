#!/bin/sh
# The second command of the README: install what is missing, then run every test.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
if [ -n "${VITEST_JSON_REPORT:-}" ]; then
  exec npx vitest run --reporter=default --reporter=json --outputFile.json="$VITEST_JSON_REPORT"
fi
exec npx vitest run
