// Module init of the test-only addon; the real one registers the same function in native/addon/addon.cc.
#include <napi.h>

#include "addon/bpf.h"

Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("loadDeviceFilter", Napi::Function::New(env, cista::LoadDeviceFilter, "loadDeviceFilter"));
  return exports;
}

NODE_API_MODULE(cista_bpf_test, Init)
