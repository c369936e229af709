#!/bin/sh
# Runs the cgroup v2 checks on a real cgroup2-only kernel (../shared/cg2vm), after the build:
# one node process inside the VM does everything (Node is about 15x slower there); then the SELinux
# checks in a second boot of the same kernel with SELinux as its security module.
# Usage (root, from anywhere): test/cg2vm/run.sh   — called from .ci/run.
set -eu
cd "$(dirname "$0")/../.."
cg2vm="${CG2VM_DIR:-$(cd .. && pwd)/shared/cg2vm}"
"$cg2vm/setup.sh" >/dev/null
"$cg2vm/run-in-vm.sh" --timeout 600 -- node test/cg2vm/devices-v2.js
# SELinux takes AppArmor's place as the major LSM only at boot: its checks get a boot of their own.
exec "$cg2vm/run-in-vm.sh" --timeout 300 --append "security=selinux selinux=1 enforcing=0" -- node test/cg2vm/selinux.js
