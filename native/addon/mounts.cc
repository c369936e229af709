// Undoing the mounts of a container that shared the host's mount namespace, pinning a namespace
// with a bind mount, and idmapping the detached binds an init sends (it lacks the privilege over
// the source's filesystem that needs).
#include <errno.h>
#include <fcntl.h>
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

// pinNamespace(nsPath, target): bind-mounts a namespace file (/proc/PID/ns/...) onto the file
// `target`, which keeps the namespace alive once no process is in it, as `ip netns` does.
Napi::Value PinNamespace(const Napi::CallbackInfo& info) {
  std::string ns = info[0].As<Napi::String>();
  std::string target = info[1].As<Napi::String>();
  if (mount(ns.c_str(), target.c_str(), nullptr, MS_BIND, nullptr) != 0) {
    return ThrowErrno(info.Env(), errno, "pinning namespace " + ns + " at " + target);
  }
  return info.Env().Undefined();
}

// idmapMount(mountFd, userNamespaceFd, recursive): mount_setattr(MOUNT_ATTR_IDMAP) on a detached
// mount (one that was never attached: the kernel refuses others). Needs CAP_SYS_ADMIN over the
// mount's filesystem and over the user namespace, which host root has.
Napi::Value IdmapMount(const Napi::CallbackInfo& info) {
  int mnt = info[0].As<Napi::Number>().Int32Value();
  int user_namespace = info[1].As<Napi::Number>().Int32Value();
  bool recursive = info[2].As<Napi::Boolean>().Value();
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_IDMAP;
  attr.userns_fd = uint64_t(user_namespace);
  if (mount_setattr(mnt, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), &attr, sizeof attr) != 0) {
    return ThrowErrno(info.Env(), errno, "idmapping the mount");
  }
  return info.Env().Undefined();
}

}  // namespace cista
