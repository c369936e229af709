// Device nodes and symlinks inside the container root (before pivot_root). Every node is made with
// mknodat/symlinkat in a parent directory resolved inside the root, so an image whose /dev is a
// symlink cannot make us create nodes on the host (CVE-2026-47766, CVE-2026-41579).
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "init/init.h"
#include "init/rootfs_internal.h"

namespace cista {
namespace {

// mknod is refused (EPERM) in a user namespace: bind the host's node of the same path onto an empty
// file instead, like runc's bindMountDeviceNode.
void bind_host_device(int dir, const std::string& name, const DeviceNode& device) {
  // O_NONBLOCK: should something other than a new file be there, opening it must not hang.
  Fd file(openat(dir, name.c_str(), O_RDONLY | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0));
  if (!file.ok()) fail(errno, "creating the mount point for device " + device.path);
  Fd host = clone_mount(AT_FDCWD, device.path.c_str(), false);
  struct stat st;
  if (!host.ok() || fstat(host.get(), &st) < 0) fail(errno, "opening host device " + device.path);
  // Only the node the plan describes may be exposed, not whatever the host has at that path.
  if ((st.st_mode & S_IFMT) != (device.file_type & S_IFMT) ||
      (!S_ISFIFO(st.st_mode) && st.st_rdev != makedev(device.major, device.minor))) {
    fail(0, "host device " + device.path + " is not the device the container asks for");
  }
  if (attach_mount(host.get(), file.get()) < 0) fail(errno, "bind mounting host device " + device.path);
}

void create_device(int root, const DeviceNode& device) {
  std::string name;
  Fd dir = open_parent_in_root(root, device.path, &name);
  if (!dir.ok()) fail(errno, "creating the parent directory of device " + device.path);
  dev_t dev = makedev(device.major, device.minor);
  // umask 0 so the node gets exactly the asked permissions (runc chmods afterwards instead).
  mode_t old_umask = umask(0);
  int rc = mknodat(dir.get(), name.c_str(), device.file_type | (device.mode & 07777), dev);
  int err = errno;
  umask(old_umask);
  if (rc < 0) {
    if (err == EEXIST) return;  // runc keeps what the image (or a bind mount) put there
    if (err == EPERM) {
      bind_host_device(dir.get(), name, device);
      return;
    }
    fail(err, "mknod " + device.path);
  }
  // Check the node we chown is the one we made, not something swapped in since.
  Fd node(openat(dir.get(), name.c_str(), O_PATH | O_NOFOLLOW | O_CLOEXEC));
  struct stat st;
  if (!node.ok() || fstat(node.get(), &st) < 0) fail(errno, "opening new device " + device.path);
  bool wrong_number = !S_ISFIFO(st.st_mode) && st.st_rdev != dev;
  if ((st.st_mode & S_IFMT) != (device.file_type & S_IFMT) || wrong_number) {
    fail(0, "new device " + device.path + " does not have the type and number it was created with");
  }
  if (fchownat(node.get(), "", device.uid, device.gid, AT_EMPTY_PATH) < 0) {
    fail(errno, "chown device " + device.path);
  }
}

}  // namespace

int make_symlink(int root, const std::string& target, const std::string& path) {
  std::string name;
  Fd dir = open_parent_in_root(root, path, &name);
  if (!dir.ok()) return -1;
  if (symlinkat(target.c_str(), dir.get(), name.c_str()) == 0) return 0;
  if (errno != EEXIST) return -1;
  char buf[PATH_MAX];
  ssize_t n = readlinkat(dir.get(), name.c_str(), buf, sizeof buf);
  if (n >= 0 && std::string(buf, size_t(n)) == target) return 0;
  errno = EEXIST;
  return -1;
}

void create_devices(int root, const LaunchPlan& plan) {
  for (const DeviceNode& device : plan.devices) create_device(root, device);
}

void create_symlinks(int root, const LaunchPlan& plan) {
  for (const Symlink& link : plan.symlinks) {
    if (make_symlink(root, link.target, link.path) == 0) continue;
    if (errno != EEXIST) fail(errno, "creating symlink " + link.path + " -> " + link.target);
    // Like runc: an existing /dev/fd, /dev/stdin... is left alone, but /dev/ptmx is always replaced,
    // since a ptmx node from the image would not be the container's devpts instance.
    if (clean_path(link.path) != "/dev/ptmx") continue;
    std::string name;
    Fd dir = open_parent_in_root(root, link.path, &name);
    if (!dir.ok() || unlinkat(dir.get(), name.c_str(), 0) < 0 ||
        symlinkat(link.target.c_str(), dir.get(), name.c_str()) < 0) {
      fail(errno, "creating symlink " + link.path + " -> " + link.target);
    }
  }
}

}  // namespace cista
