#!/bin/sh
# Installs what cista needs on Debian 12 (as root) and builds it: the addon's toolchain, libseccomp,
# busybox-static for the example and test bundles, runc, which the tests compare against, strace,
# which the fault-injection test kills create and delete with, podman and uidmap
# (newuidmap/newgidmap) for the rootless tests, apparmor (apparmor_parser) and
# selinux-policy-default (load_policy, Debian's reference policy) for the AppArmor and SELinux checks
# in the cgroup2 VM, which sees this machine's /, and containerd (1.6, with ctr), which the shim tests
# drive.
set -eu
cd "$(dirname "$0")/.."

missing=""
for pkg in g++ make python3 pkg-config libseccomp-dev busybox-static runc strace podman uidmap apparmor selinux-policy-default containerd; do
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
