// The addon's bpf() wrapper: loading and attaching cgroup v2 device filters.
#pragma once

#include <napi.h>

namespace cista {

// loadDeviceFilter(instructions: Buffer, cgroupDir: string): void
// Loads the BPF_PROG_TYPE_CGROUP_DEVICE program (struct bpf_insn[]) and attaches it to the cgroup
// directory with BPF_F_ALLOW_MULTI. Throws an Error with errno/syscall (and the verifier log when
// the kernel rejects the program).
Napi::Value LoadDeviceFilter(const Napi::CallbackInfo& info);

}  // namespace cista
