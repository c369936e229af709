#!/bin/sh
# Runs the cgroup v2 checks on a real cgroup2-only kernel (../shared/cg2vm), after the build:
# one node process inside each VM does everything (Node is about 15x slower there).
#  1. the cgroupfs v2 driver (devices-v2.js, with resources-v2.js, rootless-v2.js, apparmor.js) and the
#     containerd shim's v2 Metrics and OOM events (shim-v2.js) on a plain VM;
#  2. the systemd driver and the clients that ask for it, Podman, containerd and Docker (systemd.js,
#     clients-systemd.js) with systemd 252 as PID 1 (AppArmor on, as the kernel boots);
#  3. the SELinux checks in a boot of the same kernel with SELinux as its security module.
# The clients come from scripts/install-deps.sh --test (scripts/test.sh runs it first).
# Usage (root, from anywhere): test/cg2vm/run.sh   — called from .ci/run.
set -eu
cd "$(dirname "$0")/../.."
cg2vm="${CG2VM_DIR:-$(cd .. && pwd)/shared/cg2vm}"
"$cg2vm/setup.sh" >/dev/null
"$cg2vm/run-in-vm.sh" --timeout 900 -- node test/cg2vm/devices-v2.js
# The systemd VM's bundles share one busybox rootfs, made here (the VM is much slower at it).
shared=$(mktemp -d /tmp/cista-cg2vm.XXXXXX)
trap 'rm -rf "$shared"' EXIT
./scripts/example-bundle.sh "$shared/base" sleep 1000 >/dev/null
"$cg2vm/run-in-vm.sh" --systemd --share-ro "$shared" --timeout 1200 -- \
  env CISTA_CG2VM_BASE_BUNDLE="$shared/base" node test/cg2vm/systemd.js
# SELinux takes AppArmor's place as the major LSM only at boot: its checks get a boot of their own.
"$cg2vm/run-in-vm.sh" --timeout 300 --append "security=selinux selinux=1 enforcing=0" -- node test/cg2vm/selinux.js
