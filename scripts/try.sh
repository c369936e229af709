#!/bin/sh
# The first command of the README: install what is missing, then run a first container.
set -eu
cd "$(dirname "$0")/.."
./scripts/install-deps.sh
bundle=$(mktemp -d /tmp/cista-example.XXXXXX)
./scripts/example-bundle.sh "$bundle"
echo "cista: running a busybox container from $bundle"
./bin/cista run --bundle "$bundle" "example-$$"
rm -rf "$bundle"
