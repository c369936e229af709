#include <errno.h>
#include <string.h>

#include "addon/addon.h"
#include "addon/bpf.h"
#include "error_text.h"

namespace cista {

Napi::Error ErrnoError(Napi::Env env, int err, const std::string& what, const std::string& detail) {
  Napi::Error error = Napi::Error::New(env, what + ": " + error_text(err) + (detail.empty() ? "" : "\n" + detail));
  error.Set("errno", Napi::Number::New(env, err));
  const char* name = strerrorname_np(err);
  if (name != nullptr) error.Set("code", Napi::String::New(env, name));
  return error;
}

Napi::Value ThrowErrno(Napi::Env env, int err, const std::string& what, const std::string& detail) {
  ErrnoError(env, err, what, detail).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace cista

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("spawnInit", Napi::Function::New(env, cista::SpawnInit));
  exports.Set("spawnInitAsync", Napi::Function::New(env, cista::SpawnInitAsync));
  exports.Set("makeFifo", Napi::Function::New(env, cista::MakeFifo));
  exports.Set("makePipe", Napi::Function::New(env, cista::MakePipe));
  exports.Set("openPath", Napi::Function::New(env, cista::OpenPath));
  exports.Set("lockFile", Napi::Function::New(env, cista::LockFile));
  exports.Set("openPidfd", Napi::Function::New(env, cista::OpenPidfd));
  exports.Set("exitStatusOf", Napi::Function::New(env, cista::ExitStatusOf));
  exports.Set("watchReadable", Napi::Function::New(env, cista::WatchReadable));
  exports.Set("cancelWatch", Napi::Function::New(env, cista::CancelWatch));
  exports.Set("setWatchKeepsAlive", Napi::Function::New(env, cista::SetWatchKeepsAlive));
  exports.Set("registerCgroupEvent", Napi::Function::New(env, cista::RegisterCgroupEvent));
  exports.Set("watchFileChanges", Napi::Function::New(env, cista::WatchFileChanges));
  exports.Set("drainFd", Napi::Function::New(env, cista::DrainFd));
  exports.Set("reapChild", Napi::Function::New(env, cista::ReapChild));
  exports.Set("loadDeviceFilter", Napi::Function::New(env, cista::LoadDeviceFilter, "loadDeviceFilter"));
  exports.Set("compileSeccompFilter", Napi::Function::New(env, cista::CompileSeccompFilter, "compileSeccompFilter"));
  exports.Set("detachMount", Napi::Function::New(env, cista::DetachMount));
  exports.Set("idmapMount", Napi::Function::New(env, cista::IdmapMount));
  exports.Set("pinNamespace", Napi::Function::New(env, cista::PinNamespace));
  exports.Set("makeUserNamespace", Napi::Function::New(env, cista::MakeUserNamespace));
  exports.Set("moveNetDevice", Napi::Function::New(env, cista::MoveNetDevice));
  exports.Set("mountFilesystem", Napi::Function::New(env, cista::MountFilesystem));
  exports.Set("setChildSubreaper", Napi::Function::New(env, cista::SetChildSubreaper));
  exports.Set("releaseMemory", Napi::Function::New(env, cista::ReleaseMemory));
  exports.Set("resizePty", Napi::Function::New(env, cista::ResizePty));
  exports.Set("makeRawTerminal", Napi::Function::New(env, cista::MakeRawTerminal));
  exports.Set("restoreTerminal", Napi::Function::New(env, cista::RestoreTerminal));
  exports.Set("seccompVersion", Napi::Function::New(env, cista::SeccompVersion));
  exports.Set("probeKernel", Napi::Function::New(env, cista::ProbeKernel));
  exports.Set("receiveMessage", Napi::Function::New(env, cista::ReceiveMessage));
  exports.Set("sendFdToSocket", Napi::Function::New(env, cista::SendFdToSocket));
  return exports;
}

NODE_API_MODULE(cista, Init)
