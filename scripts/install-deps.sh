#!/bin/sh
# Installs what cista needs on Debian 12 (as root) and builds it: the addon's toolchain, libseccomp,
# libsystemd (sd-bus, for the systemd cgroup driver's addon) and busybox-static for the example
# bundles. With --test also what the tests use: runc, which they compare against, strace, which the
# fault-injection test kills create and delete with, uidmap (newuidmap/newgidmap) for the rootless
# tests, iproute2, with which the netDevices tests make their veth (cista itself never runs `ip`),
# apparmor (apparmor_parser) and selinux-policy-default (load_policy, Debian's reference policy) for
# the AppArmor and SELinux checks in the cgroup2 VM, which sees this machine's /, the engines the
# tests run with cista as their runtime (Podman, buildah, containerd, Docker; containerd 1.6 and its
# ctr also for the containerd-shim-cista-v2 tests, whose CRI test builds its pause image from
# catatonit and gives its pod a network with containernetworking-plugins; the cgroup2 VM with systemd runs Podman,
# containerd and Docker with the systemd cgroup driver), and zsh and groff-base (the completion and
# man page tests).
# usage: scripts/install-deps.sh [--test]
set -eu
cd "$(dirname "$0")/.."

packages="g++ make python3 pkg-config libseccomp-dev libsystemd-dev busybox-static"
if [ "${1:-}" = "--test" ]; then packages="$packages runc strace iproute2 uidmap apparmor selinux-policy-default podman buildah containerd catatonit containernetworking-plugins docker.io zsh groff-base"; fi
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
