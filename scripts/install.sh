#!/bin/sh
# Installs a built cista (./scripts/install-deps.sh or npm ci first) under PREFIX (default /usr/local):
# the command as a link to this checkout, the man page, and bash and zsh completion.
# usage: scripts/install.sh [PREFIX]
set -eu
repo="$(cd "$(dirname "$0")/.." && pwd)"
prefix=${1:-/usr/local}
if [ ! -f "$repo/dist/cli/cista.js" ] || [ ! -f "$repo/dist/man/cista.8" ]; then
  echo "cista: $repo is not built: run ./scripts/install-deps.sh (or npm ci) first" >&2
  exit 1
fi
mkdir -p "$prefix/bin" "$prefix/share/man/man8" "$prefix/share/bash-completion/completions" "$prefix/share/zsh/vendor-completions"
ln -sf "$repo/bin/cista" "$prefix/bin/cista"
cp "$repo/dist/man/cista.8" "$prefix/share/man/man8/cista.8"
"$repo/bin/cista" completion bash > "$prefix/share/bash-completion/completions/cista"
"$repo/bin/cista" completion zsh > "$prefix/share/zsh/vendor-completions/_cista"
echo "cista: installed $prefix/bin/cista ($("$prefix/bin/cista" --version | head -1)), its man page and shell completion"
