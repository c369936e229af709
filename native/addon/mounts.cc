// Undoing the mounts of a container that shared the host's mount namespace, pinning a namespace
// with a bind mount, idmapping the detached binds an init sends (it lacks the privilege over the
// source's filesystem that needs), and mounting the rootfs containerd hands the shim.
#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>
#include <unistd.h>

#include <string>

#include "addon/addon.h"
#include "addon/owned_fd.h"

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

// mountFilesystem(target, fstype, source, options, readOnly): a new filesystem (containerd's overlay of
// the image's layers) built with fsopen/fsconfig and attached with move_mount onto an O_PATH fd of
// target (no symlink followed at its last component). options: [key, value or null] pairs, each one
// fsconfig call. fstype "bind": a recursive open_tree clone of source instead.
Napi::Value MountFilesystem(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string target = info[0].As<Napi::String>();
  std::string fstype = info[1].As<Napi::String>();
  std::string source = info[2].As<Napi::String>();
  Napi::Array options = info[3].As<Napi::Array>();
  bool read_only = info[4].As<Napi::Boolean>();

  OwnedFd dest(open(target.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
  if (dest.fd < 0) return ThrowErrno(env, errno, "opening " + target);
  int mnt = -1;
  if (fstype == "bind") {
    mnt = open_tree(AT_FDCWD, source.c_str(), OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | AT_RECURSIVE);
    if (mnt < 0) return ThrowErrno(env, errno, "cloning " + source);
    if (read_only) {
      struct mount_attr attr = {};
      attr.attr_set = MOUNT_ATTR_RDONLY;
      if (mount_setattr(mnt, "", AT_EMPTY_PATH | AT_RECURSIVE, &attr, sizeof attr) != 0) {
        int err = errno;
        close(mnt);
        return ThrowErrno(env, err, "making " + source + " read-only");
      }
    }
  } else {
    OwnedFd fs(fsopen(fstype.c_str(), FSOPEN_CLOEXEC));
    if (fs.fd < 0) return ThrowErrno(env, errno, "fsopen " + fstype);
    auto config = [&](unsigned cmd, const std::string* key, const std::string* value) {
      return fsconfig(fs.fd, cmd, key ? key->c_str() : nullptr, value ? value->c_str() : nullptr, 0) == 0;
    };
    const std::string source_key = "source";
    if (!source.empty() && !config(FSCONFIG_SET_STRING, &source_key, &source)) {
      return ThrowErrno(env, errno, fstype + ": source " + source);
    }
    for (uint32_t i = 0; i < options.Length(); i++) {
      Napi::Array pair = options.Get(i).As<Napi::Array>();
      std::string key = pair.Get(0u).As<Napi::String>();
      bool flag = pair.Get(1u).IsNull();
      std::string value = flag ? "" : std::string(pair.Get(1u).As<Napi::String>());
      if (!config(flag ? FSCONFIG_SET_FLAG : FSCONFIG_SET_STRING, &key, flag ? nullptr : &value)) {
        return ThrowErrno(env, errno, fstype + ": option " + key);
      }
    }
    if (!config(FSCONFIG_CMD_CREATE, nullptr, nullptr)) return ThrowErrno(env, errno, "creating the " + fstype + " filesystem");
    mnt = fsmount(fs.fd, FSMOUNT_CLOEXEC, read_only ? MOUNT_ATTR_RDONLY : 0);
    if (mnt < 0) return ThrowErrno(env, errno, "fsmount " + fstype);
  }
  OwnedFd attached(mnt);
  if (move_mount(mnt, "", dest.fd, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH) != 0) {
    return ThrowErrno(env, errno, "attaching the " + fstype + " mount at " + target);
  }
  return env.Undefined();
}

}  // namespace cista
