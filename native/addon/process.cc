// Process attributes Node has no call for.
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include "addon/addon.h"

namespace cista {

// setChildSubreaper(): PR_SET_CHILD_SUBREAPER, so that orphaned descendants (a container's init whose
// parent died) become our children and we get their exit statuses, as containerd's shims do.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return ThrowErrno(info.Env(), errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  return info.Env().Undefined();
}

// releaseMemory(ranges): gives back memory a long-lived process holds without needing it: malloc's free
// pages (malloc_trim), then madvise(MADV_DONTNEED) of each [start, end) address pair in `ranges`. The
// caller passes only clean private file mappings (never written, so nothing is lost: a page touched
// again is faulted back in from the page cache).
Napi::Value ReleaseMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "releaseMemory(ranges): an array of [start, end) address pairs").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array ranges = info[0].As<Napi::Array>();
  malloc_trim(0);
  for (uint32_t i = 0; i + 1 < ranges.Length(); i += 2) {
    const uintptr_t start = static_cast<uintptr_t>(ranges.Get(i).As<Napi::Number>().DoubleValue());
    const uintptr_t end = static_cast<uintptr_t>(ranges.Get(i + 1).As<Napi::Number>().DoubleValue());
    if (end <= start) continue;
    if (madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED) != 0) return ThrowErrno(env, errno, "madvise(MADV_DONTNEED)");
  }
  return env.Undefined();
}

}  // namespace cista
