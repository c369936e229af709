// Undoing the mounts of a container that shared the host's mount namespace.
#include <errno.h>
#include <sys/mount.h>

#include "addon/addon.h"

namespace cista {

// detachMount(path): umount2(MNT_DETACH | UMOUNT_NOFOLLOW) of the topmost mount at path, with its
// submounts. The path is the host's bundle path, which the container (chrooted below it) cannot change.
Napi::Value DetachMount(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  if (umount2(path.c_str(), MNT_DETACH | UMOUNT_NOFOLLOW) != 0) {
    return ThrowErrno(info.Env(), errno, "unmounting " + path);
  }
  return info.Env().Undefined();
}

}  // namespace cista
