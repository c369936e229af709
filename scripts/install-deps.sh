#!/bin/sh
# Installs what cista needs on Debian 12 (as root) and builds it: the addon's toolchain, libseccomp,
# libsystemd (sd-bus, for the systemd cgroup driver's addon), busybox-static for the example and test
# bundles, runc, which the tests compare against, and strace, which the fault-injection test kills
# create and delete with. With --systemd-clients also the clients that test/cg2vm/run.sh drives in
# its systemd VM: Podman, containerd and Docker.
set -eu
cd "$(dirname "$0")/.."

packages="g++ make python3 pkg-config libseccomp-dev libsystemd-dev busybox-static runc strace"
if [ "${1:-}" = "--systemd-clients" ]; then packages="$packages podman containerd docker.io"; fi
missing=""
for pkg in $packages; do
  dpkg-query -W -f='${Status}' "$pkg" 2>/dev/null | grep -q "install ok installed" || missing="$missing $pkg"
done
if [ -n "$missing" ]; then
  echo "cista: installing missing packages:$missing"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $missing >/dev/null
fi

if [ ! -x build/Release/cista-init ] || [ ! -f dist/cli/main.js ] || [ package-lock.json -nt node_modules/.package-lock.json ]; then
  echo "cista: npm ci (builds the addon, the init helper and the TypeScript)"
  npm ci --no-audit --no-fund
fi
