// The N-API functions of the addon, one group per file.
#pragma once

#include <napi.h>

namespace cista {

// spawn.cc
Napi::Value SpawnInit(const Napi::CallbackInfo& info);
Napi::Value SpawnInitAsync(const Napi::CallbackInfo& info);
Napi::Value MakeUserNamespace(const Napi::CallbackInfo& info);

// files.cc
Napi::Value MakeFifo(const Napi::CallbackInfo& info);
Napi::Value MakePipe(const Napi::CallbackInfo& info);
Napi::Value OpenPath(const Napi::CallbackInfo& info);
Napi::Value LockFile(const Napi::CallbackInfo& info);
Napi::Value ReapChild(const Napi::CallbackInfo& info);

// event_loop.cc
Napi::Value OpenPidfd(const Napi::CallbackInfo& info);
Napi::Value ExitStatusOf(const Napi::CallbackInfo& info);
Napi::Value WatchReadable(const Napi::CallbackInfo& info);
Napi::Value CancelWatch(const Napi::CallbackInfo& info);
Napi::Value SetWatchKeepsAlive(const Napi::CallbackInfo& info);

// cgroup_events.cc
Napi::Value RegisterCgroupEvent(const Napi::CallbackInfo& info);
Napi::Value WatchFileChanges(const Napi::CallbackInfo& info);
Napi::Value DrainFd(const Napi::CallbackInfo& info);

// fd_passing.cc
Napi::Value ReceiveMessage(const Napi::CallbackInfo& info);
Napi::Value SendFdToSocket(const Napi::CallbackInfo& info);

// mounts.cc
Napi::Value DetachMount(const Napi::CallbackInfo& info);
Napi::Value IdmapMount(const Napi::CallbackInfo& info);
Napi::Value PinNamespace(const Napi::CallbackInfo& info);
Napi::Value MountFilesystem(const Napi::CallbackInfo& info);

// net_devices.cc
Napi::Value MoveNetDevice(const Napi::CallbackInfo& info);

// process.cc
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info);
Napi::Value ReleaseMemory(const Napi::CallbackInfo& info);

// console.cc
Napi::Value ResizePty(const Napi::CallbackInfo& info);
Napi::Value MakeRawTerminal(const Napi::CallbackInfo& info);
Napi::Value RestoreTerminal(const Napi::CallbackInfo& info);

// seccomp.cc
Napi::Value CompileSeccompFilter(const Napi::CallbackInfo& info);
Napi::Value SeccompVersion(const Napi::CallbackInfo& info);

// probes.cc
Napi::Value ProbeKernel(const Napi::CallbackInfo& info);

// A JS Error "<what>: <error text>" (and "\n<detail>", e.g. a verifier log) with `errno` and `code`
// (the errno name) set.
Napi::Error ErrnoError(Napi::Env env, int err, const std::string& what, const std::string& detail = "");

// Throws a JS Error "<what>: <error text>" (and "\n<detail>", e.g. a verifier log) with `errno`
// and `code` (the errno name) set.
Napi::Value ThrowErrno(Napi::Env env, int err, const std::string& what, const std::string& detail = "");

}  // namespace cista
