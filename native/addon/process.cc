// Process attributes Node has no call for.
#include <errno.h>
#include <sys/prctl.h>

#include "addon/addon.h"

namespace cista {

// setChildSubreaper(): PR_SET_CHILD_SUBREAPER, so that orphaned descendants (a container's init whose
// parent died) become our children and we get their exit statuses, as containerd's shims do.
Napi::Value SetChildSubreaper(const Napi::CallbackInfo& info) {
  if (prctl(PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0) != 0) return ThrowErrno(info.Env(), errno, "prctl(PR_SET_CHILD_SUBREAPER)");
  return info.Env().Undefined();
}

}  // namespace cista
