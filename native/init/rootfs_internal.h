// Shared by rootfs.cc, mounts.cc and devices.cc: fd-relative path resolution inside the container
// root and the mount primitives. Every path inside the rootfs is resolved by openat2(RESOLVE_IN_ROOT)
// from the root fd and every mount goes through an fd, never through a path string, so symlinks in
// the image (or swapped in by a racing process) cannot redirect a mount or a new file to the host
// (CVE-2019-19921, CVE-2021-30465, CVE-2024-45310, CVE-2026-47766).
#pragma once

#include <stdint.h>

#include <string>

#include "generated/protocol.h"

namespace cista {

// Owns one file descriptor.
class Fd {
 public:
  Fd() = default;
  explicit Fd(int fd) : fd_(fd) {}
  Fd(Fd&& other) : fd_(other.release()) {}
  Fd& operator=(Fd&& other) {
    reset(other.release());
    return *this;
  }
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() { reset(); }

  int get() const { return fd_; }
  bool ok() const { return fd_ >= 0; }
  int release() {
    int fd = fd_;
    fd_ = -1;
    return fd;
  }
  void reset(int fd = -1);

 private:
  int fd_ = -1;
};

// rootfs.cc: resolution inside the root. These return an invalid Fd with errno set on failure.

// Opens `path` (absolute inside the root, cleaned lexically first) with
// RESOLVE_IN_ROOT|RESOLVE_NO_MAGICLINKS. `flags` are open flags (O_PATH etc.; O_CLOEXEC is added).
Fd open_in_root(int root, const std::string& path, int flags);
// Opens `path`, creating what is missing: directories with mode 0755 and, when `kind` is File, the
// last component as an empty file. Each new component is made with mkdirat/openat(O_EXCL) in its
// already resolved parent and reopened with O_NOFOLLOW, so nothing is ever created through a
// symlink.
Fd create_in_root(int root, const std::string& path, DestinationKind kind);
// Resolves (creating as directories) the parent of `path` and returns it; *name gets the last
// component. `path` must name something below the root.
Fd open_parent_in_root(int root, const std::string& path, std::string* name);
// The lexically cleaned path ("/a/./b/../c" -> "/a/c"), always absolute; ".." stops at "/".
std::string clean_path(const std::string& path);

// mounts.cc: mount primitives on fds.

// Attaches the mount `mnt` (from fsmount/open_tree) on top of the object `target` refers to.
int attach_mount(int mnt, int target);
// A detached copy of the mount tree at `dirfd`/`path` (recursive or just the top mount).
Fd clone_mount(int dirfd, const char* path, bool recursive);
// Sets MS_RDONLY/MS_NOSUID/... (MS_* bits in `ms_flags`) on the mount `mnt` like
// mount(MS_REMOUNT|MS_BIND): flags not asked are cleared, the atime mode is kept unless one is asked.
// When the kernel refuses with EPERM because some flags are locked (a mount inherited from a more
// privileged mount namespace), retries keeping the mount's current lockable flags, like runc.
int remount_bind(int mnt, uint32_t ms_flags, bool recursive);
// Adds MOUNT_ATTR_RDONLY to `mnt` (and its submounts when `recursive`), leaving other flags alone.
int make_readonly(int mnt, bool recursive);
// Applies one MS_SHARED/MS_SLAVE/MS_PRIVATE/MS_UNBINDABLE change (maybe with MS_REC) to `mnt`.
int set_propagation(int mnt, uint32_t ms_flags);
// Performs plan.mounts[index] inside the root (Filesystem, Bind or Symlink); fails on error.
void mount_step(int root, const MountStep& step, size_t index, const std::string& mount_label);
// Remounts read-only the mounts whose MS_RDONLY mount_step deferred (tmpfs and /dev need files
// created in them first, as in runc), then forgets them.
void apply_deferred_readonly();

// devices.cc
void create_devices(int root, const LaunchPlan& plan);
void create_symlinks(int root, const LaunchPlan& plan);
// Creates the symlink `path` -> `target` inside the root (parents as directories). Returns 0 when
// created or when an identical symlink is already there; -1 with errno otherwise (EEXIST: something
// else is at `path`).
int make_symlink(int root, const std::string& target, const std::string& path);

}  // namespace cista
