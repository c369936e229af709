// Process attributes Node has no call for.
#include <errno.h>
#include <malloc.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/prctl.h>

#include <chrono>
#include <thread>
#include <utility>
#include <vector>

#include "addon/addon.h"

namespace cista {

// How long releaseMemory's thread waits for the caller's thread to be back in its event loop.
constexpr int kReleaseDelayMs = 100;

// setChildSubreaper(): PR_SET_CHILD_SUBREAPER, so that orphaned descendants (a container's init whose
// parent died) become our children and we get their exit statuses, as containerd's shims do.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return ThrowErrno(info.Env(), errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  return info.Env().Undefined();
}

// releaseMemory(ranges): gives back memory a long-lived process holds without needing it: malloc's free
// pages (malloc_trim), then madvise(MADV_DONTNEED) of each [start, end) address pair in `ranges`. The
// caller passes only clean private file mappings of loaded objects (never written, never unmapped:
// nothing is lost, a page touched again is faulted back in from the page cache). Done on a short-lived
// thread a moment later, once the caller's thread is back waiting in its event loop: the code it runs
// on its way back would otherwise fault a few MiB straight back in (the kernel maps up to 64 KiB
// around each fault).
Napi::Value ReleaseMemory(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() < 1 || !info[0].IsArray()) {
    Napi::TypeError::New(env, "releaseMemory(ranges): an array of [start, end) address pairs").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Array array = info[0].As<Napi::Array>();
  std::vector<std::pair<uintptr_t, uintptr_t>> ranges;
  for (uint32_t i = 0; i + 1 < array.Length(); i += 2) {
    const auto start = static_cast<uintptr_t>(array.Get(i).As<Napi::Number>().DoubleValue());
    const auto end = static_cast<uintptr_t>(array.Get(i + 1).As<Napi::Number>().DoubleValue());
    if (end > start) ranges.emplace_back(start, end);
  }
  std::thread([ranges = std::move(ranges)] {
    std::this_thread::sleep_for(std::chrono::milliseconds(kReleaseDelayMs));
    malloc_trim(0);
    // A failure (ENOMEM: not mapped any more) leaves those pages as they were: nothing to report.
    for (const auto& [start, end] : ranges) madvise(reinterpret_cast<void*>(start), end - start, MADV_DONTNEED);
  }).detach();
  return env.Undefined();
}

}  // namespace cista
