// The container root: safe resolution inside it, preparing it, entering it (pivot_root, MS_MOVE +
// chroot, or a plain chroot without a mount namespace), and the final read-only/masking passes.
//
// All mounts use the new mount API (open_tree/fsopen/fsmount + move_mount, mount_setattr) on file
// descriptors. That needs no /proc at all, so nothing depends on a procfs the container could fake or
// overmount (CVE-2019-16884, CVE-2025-52881, CVE-2026-115521), there is no "reopen after mount"
// race, and the steps after pivot_root work whether or not the container mounts /proc.
// Requires Linux 5.12 (mount_setattr); openat2 itself needs 5.6.
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <vector>

#include "init/init.h"
#include "init/rootfs_internal.h"

namespace cista {

void Fd::reset(int fd) {
  if (fd_ >= 0) close(fd_);
  fd_ = fd;
}

namespace {

std::vector<std::string> path_components(const std::string& path) {
  std::vector<std::string> parts;
  size_t pos = 0;
  while (pos <= path.size()) {
    size_t end = path.find('/', pos);
    if (end == std::string::npos) end = path.size();
    std::string part = path.substr(pos, end - pos);
    if (part == "..") {
      if (!parts.empty()) parts.pop_back();
    } else if (!part.empty() && part != ".") {
      parts.push_back(part);
    }
    pos = end + 1;
  }
  return parts;
}

bool same_inode(int a, int b) {
  struct stat sa, sb;
  return fstat(a, &sa) == 0 && fstat(b, &sb) == 0 && sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

// runc's rootfsParentMountPropagation: the mount holding the rootfs must not be shared, or
// pivot_root fails and the bind of the rootfs onto itself would propagate to the host. The rootfs
// directory need not be a mount root, so walk up ("..") until mount_setattr accepts the directory
// (EINVAL means "not the root of a mount").
void make_parent_mount_unshared(const std::string& rootfs, uint32_t root_propagation) {
  uint32_t flag = (root_propagation & MS_SLAVE) ? MS_SLAVE : MS_PRIVATE;
  Fd dir(open(rootfs.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!dir.ok()) fail(errno, "opening rootfs " + rootfs);
  while (set_propagation(dir.get(), flag) < 0) {
    if (errno != EINVAL) fail(errno, "changing the propagation of the mount holding " + rootfs);
    Fd parent(openat(dir.get(), "..", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!parent.ok()) fail(errno, "finding the mount holding " + rootfs);
    if (same_inode(parent.get(), dir.get())) {
      fail(EINVAL, "changing the propagation of the mount holding " + rootfs);
    }
    dir = std::move(parent);
  }
}

// pivot_root(".", ".") stacks the old root on top of the new one; detaching it from "." leaves only
// the container root (the trick from LXC that runc uses, no put_old directory needed).
void pivot_into(int root, const std::string& rootfs) {
  Fd old_root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!old_root.ok()) fail(errno, "opening the old root");
  if (fchdir(root) < 0) fail(errno, "chdir to " + rootfs);
  if (syscall(SYS_pivot_root, ".", ".") < 0) fail(errno, "pivot_root to " + rootfs);
  // The kernel does not promise what "." is after pivot_root; the old root is what we detach.
  if (fchdir(old_root.get()) < 0) fail(errno, "chdir to the old root");
  // rslave first so the detach below cannot propagate to the host's mounts.
  if (mount(nullptr, ".", nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
    fail(errno, "making the old root rslave");
  }
  if (umount2(".", MNT_DETACH) < 0) fail(errno, "unmounting the old root");
  if (chdir("/") < 0) fail(errno, "chdir to /");
}

// Undoes mountinfo's octal escapes ("\040" is a space).
std::string unescape_mountinfo(const std::string& field) {
  std::string out;
  for (size_t i = 0; i < field.size(); i++) {
    if (field[i] == '\\' && i + 3 < field.size()) {
      out += char((field[i + 1] - '0') * 64 + (field[i + 2] - '0') * 8 + (field[i + 3] - '0'));
      i += 3;
    } else {
      out += field[i];
    }
  }
  return out;
}

// Host mount points (outside the rootfs) of complete procfs and sysfs mounts, from the host's
// mountinfo (trusted: nothing of the container is mounted over the host's /proc before the jail).
std::vector<std::string> host_pseudo_mounts(const std::string& rootfs_path) {
  std::string rootfs = clean_path(rootfs_path);
  Fd file(open("/proc/self/mountinfo", O_RDONLY | O_CLOEXEC));
  if (!file.ok()) fail(errno, "reading /proc/self/mountinfo");
  std::string text;
  char buf[4096];
  ssize_t n;
  while ((n = read(file.get(), buf, sizeof buf)) > 0) text.append(buf, size_t(n));
  if (n < 0) fail(errno, "reading /proc/self/mountinfo");
  std::vector<std::string> out;
  size_t pos = 0;
  while (pos < text.size()) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    std::string line = text.substr(pos, end - pos);
    pos = end + 1;
    // "id parent major:minor root mountpoint options [optional...] - fstype source superoptions"
    std::vector<std::string> fields;
    size_t f = 0;
    while (f < line.size()) {
      size_t sp = line.find(' ', f);
      if (sp == std::string::npos) sp = line.size();
      fields.push_back(line.substr(f, sp - f));
      f = sp + 1;
    }
    size_t dash = 6;
    while (dash < fields.size() && fields[dash] != "-") dash++;
    if (fields.size() < 5 || dash + 1 >= fields.size()) continue;
    const std::string& fstype = fields[dash + 1];
    std::string mountpoint = unescape_mountinfo(fields[4]);
    bool in_rootfs = mountpoint == rootfs || mountpoint.compare(0, rootfs.size() + 1, rootfs + "/") == 0;
    if (fields[3] == "/" && (fstype == "proc" || fstype == "sysfs") && !in_rootfs) out.push_back(mountpoint);
  }
  return out;
}

// --no-pivot: move the rootfs mount over "/" and chroot into it. Weaker than pivot_root (the old
// root stays reachable to a process that escapes the chroot); the user asked for it.
void move_root_into(int root, const std::string& rootfs) {
  // As runc does: the kernel lets a container mount a new procfs/sysfs only while a complete one is
  // visible in its mount namespace, and under chroot the host's still are. Detach them (rslave first
  // so the host keeps its own), or cover them with a tmpfs where detaching is refused.
  for (const std::string& path : host_pseudo_mounts(rootfs)) {
    if (mount(nullptr, path.c_str(), nullptr, MS_SLAVE | MS_REC, nullptr) < 0) {
      if (errno == ENOENT) continue;  // under a mount detached earlier in this loop
      fail(errno, "making " + path + " rslave");
    }
    if (umount2(path.c_str(), MNT_DETACH) == 0) continue;
    if ((errno != EINVAL && errno != EPERM) || mount("tmpfs", path.c_str(), "tmpfs", 0, nullptr) < 0) {
      fail(errno, "hiding the host's " + path);
    }
  }
  if (fchdir(root) < 0) fail(errno, "chdir to " + rootfs);
  if (move_mount(root, "", AT_FDCWD, "/", MOVE_MOUNT_F_EMPTY_PATH) < 0) {
    fail(errno, "moving " + rootfs + " to /");
  }
  if (chroot(".") < 0) fail(errno, "chroot to " + rootfs);
  if (chdir("/") < 0) fail(errno, "chdir to /");
}

void make_path_readonly(int root, const std::string& path) {
  Fd target = open_in_root(root, path, O_PATH);
  if (!target.ok()) {
    if (errno == ENOENT) return;
    fail(errno, "opening readonly path " + path);
  }
  Fd tree = clone_mount(target.get(), "", true);
  if (!tree.ok()) fail(errno, "bind mounting readonly path " + path);
  // Only adds MS_RDONLY: nosuid/nodev/noexec and atime stay as they are (runc keeps them too).
  if (make_readonly(tree.get(), true) < 0) fail(errno, "making " + path + " read-only");
  if (attach_mount(tree.get(), target.get()) < 0) fail(errno, "bind mounting readonly path " + path);
}

// Opens the container's /dev/null for masking files and checks that it really is the null device,
// so a /dev/null swapped for a symlink or another file cannot be bind-mounted over the masked
// paths (CVE-2025-31133).
Fd open_dev_null(int root) {
  Fd null = open_in_root(root, "/dev/null", O_PATH);
  if (!null.ok()) fail(errno, "can't mask paths: opening /dev/null");
  struct stat st;
  if (fstat(null.get(), &st) < 0) fail(errno, "can't mask paths: stat /dev/null");
  if (!S_ISCHR(st.st_mode) || st.st_rdev != makedev(1, 3)) {
    fail(0, "can't mask paths: container's /dev/null is not the null device (char 1:3)");
  }
  return null;
}

// An empty read-only tmpfs over masked directories (runc's maskDir data). Some kernels reject
// nr_inodes=1, hence the retry with 2.
Fd new_mask_tmpfs(const std::string& mount_label) {
  for (const char* inodes : {"1", "2"}) {
    Fd fs(fsopen("tmpfs", FSOPEN_CLOEXEC));
    if (!fs.ok()) fail(errno, "can't mask paths: fsopen tmpfs");
    if (fsconfig(fs.get(), FSCONFIG_SET_STRING, "source", "tmpfs", 0) < 0 ||
        fsconfig(fs.get(), FSCONFIG_SET_STRING, "nr_blocks", "1", 0) < 0 ||
        fsconfig(fs.get(), FSCONFIG_SET_STRING, "nr_inodes", inodes, 0) < 0 ||
        (!mount_label.empty() && fsconfig(fs.get(), FSCONFIG_SET_STRING, "context", mount_label.c_str(), 0) < 0) ||
        fsconfig(fs.get(), FSCONFIG_SET_FLAG, "ro", nullptr, 0) < 0 ||
        fsconfig(fs.get(), FSCONFIG_CMD_CREATE, nullptr, nullptr, 0) < 0) {
      continue;
    }
    Fd mnt(fsmount(fs.get(), FSMOUNT_CLOEXEC, MOUNT_ATTR_RDONLY));
    if (mnt.ok()) return mnt;
  }
  fail(errno, "can't mask paths: creating the masking tmpfs");
}

void mask_paths(int root, const std::vector<std::string>& paths, const std::string& mount_label) {
  Fd dev_null;
  // The first masking tmpfs, once attached; later directories get clones of it.
  Fd mask_dir;
  for (const std::string& path : paths) {
    Fd target = open_in_root(root, path, O_PATH);
    if (!target.ok()) {
      if (errno == ENOENT) continue;
      fail(errno, "can't mask path " + path);
    }
    struct stat st;
    if (fstat(target.get(), &st) < 0) fail(errno, "can't mask path " + path);
    Fd mnt;
    if (S_ISDIR(st.st_mode)) {
      mnt = mask_dir.ok() ? clone_mount(mask_dir.get(), "", false) : new_mask_tmpfs(mount_label);
    } else {
      if (!dev_null.ok()) dev_null = open_dev_null(root);
      mnt = clone_mount(dev_null.get(), "", false);
    }
    if (!mnt.ok() || attach_mount(mnt.get(), target.get()) < 0) fail(errno, "can't mask path " + path);
    if (S_ISDIR(st.st_mode) && !mask_dir.ok()) mask_dir = std::move(mnt);
  }
}

// chroot() into the root, for a container that shares the host's mount namespace (as runc does).
void chroot_into(int root, const std::string& rootfs) {
  if (fchdir(root) < 0) fail(errno, "chdir to " + rootfs);
  if (chroot(".") < 0) fail(errno, "chroot to " + rootfs);
  if (chdir("/") < 0) fail(errno, "chdir to /");
}

}  // namespace

std::string clean_path(const std::string& path) {
  std::string out;
  for (const std::string& part : path_components(path)) out += "/" + part;
  return out.empty() ? "/" : out;
}

Fd open_in_root(int root, const std::string& path, int flags) {
  struct open_how how = {};
  how.flags = uint64_t(flags | O_CLOEXEC);
  how.resolve = RESOLVE_IN_ROOT | RESOLVE_NO_MAGICLINKS;
  // Cleaned like every path here, so ".." means the same to lookups and to create_in_root.
  return Fd(int(syscall(SYS_openat2, root, clean_path(path).c_str(), &how, sizeof how)));
}

Fd create_in_root(int root, const std::string& path, DestinationKind kind) {
  std::vector<std::string> parts = path_components(path);
  Fd cur(fcntl(root, F_DUPFD_CLOEXEC, 0));
  if (!cur.ok()) return cur;
  std::string prefix;
  bool missing = false;
  for (size_t i = 0; i < parts.size(); i++) {
    const std::string& name = parts[i];
    bool last = i + 1 == parts.size();
    prefix += "/" + name;
    if (!missing) {
      // Existing components (symlinks included) resolve from the root, staying inside it.
      Fd next = open_in_root(root, prefix, O_PATH);
      if (next.ok()) {
        cur = std::move(next);
        continue;
      }
      if (errno != ENOENT) return Fd();
      missing = true;
    }
    // A missing component is created in its resolved parent and reopened without following
    // anything, so a symlink raced in (or a dangling one) fails instead of being followed.
    Fd next;
    if (last && kind == DestinationKind::File) {
      next.reset(openat(cur.get(), name.c_str(), O_RDONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0644));
    } else {
      if (mkdirat(cur.get(), name.c_str(), 0755) < 0 && errno != EEXIST) return Fd();
      next.reset(openat(cur.get(), name.c_str(), O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC));
    }
    if (!next.ok()) return Fd();
    cur = std::move(next);
  }
  return cur;
}

Fd open_parent_in_root(int root, const std::string& path, std::string* name) {
  std::vector<std::string> parts = path_components(path);
  if (parts.empty()) {
    errno = EINVAL;
    return Fd();
  }
  *name = parts.back();
  parts.pop_back();
  std::string parent;
  for (const std::string& part : parts) parent += "/" + part;
  if (parent.empty()) return Fd(fcntl(root, F_DUPFD_CLOEXEC, 0));
  return create_in_root(root, parent, DestinationKind::Directory);
}

int prepare_rootfs(const LaunchPlan& plan) {
  const RootfsPlan& rootfs = plan.rootfs;
  // Sharing the host's mount namespace, the container's mounts go into the host's mount table, as
  // with runc, but the host's propagation is left alone and everything hangs below the bind of the
  // rootfs made here, which `delete` detaches in one go.
  if (rootfs.own_mount_namespace) {
    Fd slash(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!slash.ok() || set_propagation(slash.get(), rootfs.propagation) < 0) {
      fail(errno, "changing the propagation of /");
    }
    make_parent_mount_unshared(rootfs.path, rootfs.propagation);
  }

  // Bind the rootfs onto itself so it is a mount (pivot_root needs one). The bind's fd is the root
  // fd: it keeps naming the new mount, whatever later happens to the path.
  Fd root = clone_mount(AT_FDCWD, rootfs.path.c_str(), true);
  if (!root.ok()) fail(errno, "bind mounting rootfs " + rootfs.path);
  {
    Fd target(open(rootfs.path.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!target.ok() || attach_mount(root.get(), target.get()) < 0) {
      fail(errno, "bind mounting rootfs " + rootfs.path);
    }
  }

  for (size_t i = 0; i < plan.mounts.size(); i++) mount_step(root.get(), plan.mounts[i], i, plan.mount_label);
  create_devices(root.get(), plan);
  create_symlinks(root.get(), plan);
  return root.release();
}

void enter_rootfs(const LaunchPlan& plan, int root_fd) {
  const RootfsPlan& rootfs = plan.rootfs;
  Fd root(root_fd);
  if (!rootfs.own_mount_namespace) {
    chroot_into(root.get(), rootfs.path);
  } else if (rootfs.pivot) {
    pivot_into(root.get(), rootfs.path);
  } else {
    move_root_into(root.get(), rootfs.path);
  }
  // runc applies a shared/unbindable root propagation again once "/" is the container root;
  // private and slave were already applied to the parent mount above.
  if (rootfs.own_mount_namespace && (rootfs.propagation & (MS_PRIVATE | MS_SLAVE)) == 0 && rootfs.propagation != 0) {
    Fd slash(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
    if (!slash.ok() || set_propagation(slash.get(), rootfs.propagation) < 0) {
      fail(errno, "applying the root propagation");
    }
  }
}

void finish_rootfs(const LaunchPlan& plan) {
  if (!plan.has_rootfs) return;
  Fd root(open("/", O_PATH | O_DIRECTORY | O_CLOEXEC));
  if (!root.ok()) fail(errno, "opening /");
  for (const std::string& path : plan.readonly_paths) make_path_readonly(root.get(), path);
  mask_paths(root.get(), plan.masked_paths, plan.mount_label);
  apply_deferred_readonly();
  if (plan.rootfs.readonly && remount_bind(root.get(), MS_RDONLY, false) < 0) {
    fail(errno, "remounting / read-only");
  }
}

}  // namespace cista
