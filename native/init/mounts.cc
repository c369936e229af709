// Mounts inside the container root with the new mount API: a new filesystem is built with
// fsopen/fsconfig/fsmount, a bind is an open_tree(OPEN_TREE_CLONE) copy, and either is attached
// with move_mount onto the fd of its resolved destination. Flags and propagation are set with
// mount_setattr on the mount's own fd, so nothing is ever looked up again by path after mounting.
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/magic.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/sendfile.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <vector>

#include "init/init.h"
#include "init/rootfs_internal.h"

namespace cista {
namespace {

constexpr uint32_t kAtimeFlags = MS_NOATIME | MS_NODIRATIME | MS_RELATIME | MS_STRICTATIME;
// The inode number of every procfs root directory.
constexpr ino_t kProcRootIno = 1;
constexpr uint64_t kClearableAttrs =
    MOUNT_ATTR_RDONLY | MOUNT_ATTR_NOSUID | MOUNT_ATTR_NODEV | MOUNT_ATTR_NOEXEC | MOUNT_ATTR_NOSYMFOLLOW;

struct DeferredReadonly {
  int mnt;
  uint32_t flags;
  std::string destination;
};
// Mount fds whose MS_RDONLY waits for finish_rootfs. Fds stay valid across pivot_root, so the
// remount needs no lookup inside the container (CVE-2026-115521 resolved such a path via /proc).
std::vector<DeferredReadonly> deferred_readonly;

// MS_* per-mount flags as MOUNT_ATTR_*, with mount(2)'s atime rules: strictatime beats noatime,
// and relatime (0) is the default.
uint64_t mount_attrs(uint32_t ms) {
  uint64_t attr = 0;
  if (ms & MS_RDONLY) attr |= MOUNT_ATTR_RDONLY;
  if (ms & MS_NOSUID) attr |= MOUNT_ATTR_NOSUID;
  if (ms & MS_NODEV) attr |= MOUNT_ATTR_NODEV;
  if (ms & MS_NOEXEC) attr |= MOUNT_ATTR_NOEXEC;
  if (ms & MS_NOSYMFOLLOW) attr |= MOUNT_ATTR_NOSYMFOLLOW;
  if (ms & MS_NODIRATIME) attr |= MOUNT_ATTR_NODIRATIME;
  if (ms & MS_STRICTATIME) {
    attr |= MOUNT_ATTR_STRICTATIME;
  } else if (ms & MS_NOATIME) {
    attr |= MOUNT_ATTR_NOATIME;
  }
  return attr;
}

int setattr(int mnt, bool recursive, struct mount_attr* attr) {
  return mount_setattr(mnt, "", AT_EMPTY_PATH | (recursive ? AT_RECURSIVE : 0), attr, sizeof *attr);
}

std::string describe(const MountStep& step) {
  return "mounting \"" + step.source + "\" on " + step.destination;
}

// The kernel explains fsconfig failures in the context's message log ("e tmpfs: Bad value for
// 'mode'"); read what is there so the error says which option was wrong.
std::string fs_log(int fs) {
  std::string out;
  char buf[256];
  ssize_t n;
  while ((n = read(fs, buf, sizeof buf - 1)) > 2) {
    while (n > 2 && buf[n - 1] == '\n') n--;
    out += (out.empty() ? "" : "; ") + std::string(buf + 2, size_t(n - 2));
  }
  return out.empty() ? out : " (" + out + ")";
}

// Splits mount(2) data at commas outside double quotes (SELinux contexts contain commas).
std::vector<std::string> split_options(const std::string& data) {
  std::vector<std::string> out;
  std::string cur;
  bool quoted = false;
  for (char c : data) {
    if (c == '"') quoted = !quoted;
    if (c == ',' && !quoted) {
      if (!cur.empty()) out.push_back(cur);
      cur.clear();
    } else {
      cur += c;
    }
  }
  if (!cur.empty()) out.push_back(cur);
  return out;
}

// What mount(2) would do for a new filesystem, split into its fs_context steps: "source", each data
// option, the superblock flags, then fsmount with the per-mount flags.
Fd new_filesystem(const MountStep& step, const std::string& data, uint32_t flags) {
  Fd fs(fsopen(step.fstype.c_str(), FSOPEN_CLOEXEC));
  if (!fs.ok()) {
    int err = errno;
    fail(err, describe(step) + (err == ENODEV ? ": unknown filesystem type \"" : ": fsopen \"") + step.fstype + "\"");
  }
  auto config = [&](unsigned cmd, const char* key, const char* value) {
    if (fsconfig(fs.get(), cmd, key, value, 0) < 0) {
      int err = errno;
      fail(err, describe(step) + fs_log(fs.get()));
    }
  };
  if (!step.source.empty()) config(FSCONFIG_SET_STRING, "source", step.source.c_str());
  for (const std::string& option : split_options(data)) {
    size_t eq = option.find('=');
    if (eq == std::string::npos) {
      config(FSCONFIG_SET_FLAG, option.c_str(), nullptr);
    } else {
      // mount(2) takes a quoted value (context="a:b:s0:c1,c2"); fsconfig takes the value itself.
      std::string value = option.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      config(FSCONFIG_SET_STRING, option.substr(0, eq).c_str(), value.c_str());
    }
  }
  static const struct {
    uint32_t ms;
    const char* name;
  } kSuperblockFlags[] = {
      {MS_RDONLY, "ro"}, {MS_SYNCHRONOUS, "sync"}, {MS_DIRSYNC, "dirsync"},
      {MS_LAZYTIME, "lazytime"}, {MS_MANDLOCK, "mand"},
  };
  for (const auto& f : kSuperblockFlags) {
    if (flags & f.ms) config(FSCONFIG_SET_FLAG, f.name, nullptr);
  }
  config(FSCONFIG_CMD_CREATE, nullptr, nullptr);
  Fd mnt(fsmount(fs.get(), FSMOUNT_CLOEXEC, unsigned(mount_attrs(flags))));
  if (!mnt.ok()) fail(errno, describe(step) + fs_log(fs.get()));
  return mnt;
}

// Opens the destination of a Filesystem or Bind step, creating it when missing. *existing gets its
// stat when it was already there (st_mode 0 otherwise).
Fd open_destination(int root, const MountStep& step, struct stat* existing) {
  existing->st_mode = 0;
  // procfs and sysfs must land on a real directory: never through a symlink, even one inside the
  // root (CVE-2019-19921, CVE-2023-27561), so the last component is not followed.
  bool pseudo = step.kind == MountKind::Filesystem && (step.fstype == "proc" || step.fstype == "sysfs");
  Fd target = open_in_root(root, step.destination, O_PATH | (pseudo ? O_NOFOLLOW : 0));
  if (target.ok()) {
    if (fstat(target.get(), existing) < 0) fail(errno, describe(step));
    if (pseudo && !S_ISDIR(existing->st_mode)) {
      fail(0, describe(step) + ": filesystem \"" + step.fstype + "\" must be mounted on an ordinary directory, " +
                  step.destination + " is " + (S_ISLNK(existing->st_mode) ? "a symlink" : "not a directory"));
    }
  } else {
    if (errno != ENOENT) fail(errno, describe(step) + ": resolving the destination");
    target = create_in_root(root, step.destination, step.destination_kind);
    if (!target.ok()) fail(errno, describe(step) + ": creating the destination");
  }
  struct stat root_st, dest_st;
  if (fstat(root, &root_st) == 0 && fstat(target.get(), &dest_st) == 0 && root_st.st_dev == dest_st.st_dev &&
      root_st.st_ino == dest_st.st_ino) {
    fail(0, describe(step) + ": the destination is the top of the container root");
  }
  return target;
}

// runc's checkProcMount: nothing may cover procfs files (LSM attributes, sysctls...) but a procfs
// over the whole /proc and the files lxcfs emulates. Checked on the resolved destination fd, so a
// destination reaching into /proc through a symlink is caught as well.
void check_proc_destination(int target, int mnt, const MountStep& step) {
  struct statfs target_fs, mnt_fs;
  struct stat st;
  if (fstatfs(target, &target_fs) < 0 || fstat(target, &st) < 0 || fstatfs(mnt, &mnt_fs) < 0) {
    fail(errno, describe(step));
  }
  std::string dest = clean_path(step.destination);
  bool on_proc = target_fs.f_type == PROC_SUPER_MAGIC;
  if (dest == "/proc" || (on_proc && st.st_ino == kProcRootIno)) {
    if (mnt_fs.f_type == PROC_SUPER_MAGIC) return;
    fail(0, describe(step) + ": " + dest + " cannot be mounted because it is not of type proc");
  }
  if (!on_proc) return;
  static const char* const kLxcfsFiles[] = {
      "/proc/cpuinfo", "/proc/diskstats", "/proc/meminfo", "/proc/stat",
      "/proc/swaps", "/proc/uptime", "/proc/loadavg", "/proc/slabinfo",
      "/proc/sys/kernel/ns_last_pid", "/proc/sys/crypto/fips_enabled",
  };
  for (const char* file : kLxcfsFiles) {
    if (dest == file) return;
  }
  fail(0, describe(step) + ": " + dest + " cannot be mounted because it is inside /proc");
}

// Copies the tree under `from` into `to` for tmpcopyup: directories, files, symlinks and device
// nodes with their owners and modes (what runc copies; sockets are skipped). Nothing is followed:
// every entry is opened O_NOFOLLOW relative to its parent, so a symlink in the image cannot lead
// the copy out of the container root. Returns the path that failed, relative to the destination.
std::string copy_tree(int from, int to, const std::string& path) {
  Fd list(openat(from, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  DIR* dir = list.ok() ? fdopendir(list.get()) : nullptr;
  if (dir == nullptr) return path;
  list.release();
  std::string failed;
  while (failed.empty()) {
    errno = 0;
    struct dirent* entry = readdir(dir);
    if (entry == nullptr) {
      if (errno != 0) failed = path;
      break;
    }
    const char* name = entry->d_name;
    if (strcmp(name, ".") == 0 || strcmp(name, "..") == 0) continue;
    std::string child = path + "/" + name;
    struct stat st;
    if (fstatat(from, name, &st, AT_SYMLINK_NOFOLLOW) < 0) {
      failed = child;
      break;
    }
    mode_t mode = st.st_mode & 07777;
    bool ok = true;
    if (S_ISDIR(st.st_mode)) {
      ok = mkdirat(to, name, 0700) == 0;
      Fd src(ok ? openat(from, name, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1);
      Fd dst(ok ? openat(to, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC) : -1);
      ok = src.ok() && dst.ok();
      if (ok) failed = copy_tree(src.get(), dst.get(), child);
      ok = ok && failed.empty() && fchown(dst.get(), st.st_uid, st.st_gid) == 0 && fchmod(dst.get(), mode) == 0;
    } else if (S_ISREG(st.st_mode)) {
      Fd src(openat(from, name, O_RDONLY | O_NOFOLLOW | O_CLOEXEC));
      Fd dst(src.ok() ? openat(to, name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600) : -1);
      ok = dst.ok();
      for (off_t left = st.st_size; ok && left > 0;) {
        ssize_t n = sendfile(dst.get(), src.get(), nullptr, size_t(left));
        ok = n > 0;
        left -= n;
      }
      ok = ok && fchown(dst.get(), st.st_uid, st.st_gid) == 0 && fchmod(dst.get(), mode) == 0;
    } else if (S_ISLNK(st.st_mode)) {
      std::string target(size_t(st.st_size) + 1, '\0');
      ssize_t n = readlinkat(from, name, &target[0], target.size());
      ok = n >= 0 && size_t(n) < target.size();
      if (ok) target.resize(size_t(n));
      ok = ok && symlinkat(target.c_str(), to, name) == 0 &&
           fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) == 0;
    } else if (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode) || S_ISFIFO(st.st_mode)) {
      ok = mknodat(to, name, (st.st_mode & S_IFMT) | mode, st.st_rdev) == 0 &&
           fchownat(to, name, st.st_uid, st.st_gid, AT_SYMLINK_NOFOLLOW) == 0 &&
           fchmodat(to, name, mode, 0) == 0;
    }
    if (!ok && failed.empty()) failed = child;
  }
  int err = errno;
  closedir(dir);
  errno = err;
  return failed;
}

// tmpcopyup: fills the detached tmpfs `mnt` from the directory `target` it is about to cover,
// giving its root the directory's owner (its mode came with the tmpfs' mode= option).
void copy_up(int target, int mnt, const MountStep& step) {
  Fd root(openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  struct stat st;
  if (!root.ok() || fstat(target, &st) < 0 || fchown(root.get(), st.st_uid, st.st_gid) < 0) {
    fail(errno, describe(step) + ": copying up the directory's content");
  }
  std::string failed = copy_tree(target, root.get(), "");
  if (!failed.empty()) fail(errno, describe(step) + ": copying up " + clean_path(step.destination + failed));
}

}  // namespace

int attach_mount(int mnt, int target) {
  return move_mount(mnt, "", target, "", MOVE_MOUNT_F_EMPTY_PATH | MOVE_MOUNT_T_EMPTY_PATH);
}

Fd clone_mount(int dirfd, const char* path, bool recursive) {
  unsigned flags = OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC | (recursive ? AT_RECURSIVE : 0);
  if (*path == '\0') flags |= AT_EMPTY_PATH;
  return Fd(open_tree(dirfd, path, flags));
}

int remount_bind(int mnt, uint32_t ms_flags, bool recursive) {
  struct mount_attr attr = {};
  attr.attr_set = mount_attrs(ms_flags);
  attr.attr_clr = kClearableAttrs & ~attr.attr_set;
  if (ms_flags & kAtimeFlags) attr.attr_clr |= MOUNT_ATTR__ATIME | MOUNT_ATTR_NODIRATIME;
  if (setattr(mnt, recursive, &attr) == 0) return 0;
  if (errno != EPERM) return -1;
  struct statvfs st;
  if (fstatvfs(mnt, &st) < 0) return -1;
  uint64_t locked = 0;
  if (st.f_flag & ST_RDONLY) locked |= MOUNT_ATTR_RDONLY;
  if (st.f_flag & ST_NOSUID) locked |= MOUNT_ATTR_NOSUID;
  if (st.f_flag & ST_NODEV) locked |= MOUNT_ATTR_NODEV;
  if (st.f_flag & ST_NOEXEC) locked |= MOUNT_ATTR_NOEXEC;
  attr.attr_set |= locked;
  attr.attr_clr &= ~locked;
  return setattr(mnt, recursive, &attr);
}

int make_readonly(int mnt, bool recursive) {
  struct mount_attr attr = {};
  attr.attr_set = MOUNT_ATTR_RDONLY;
  return setattr(mnt, recursive, &attr);
}

int set_propagation(int mnt, uint32_t ms_flags) {
  struct mount_attr attr = {};
  attr.propagation = ms_flags & (MS_SHARED | MS_SLAVE | MS_PRIVATE | MS_UNBINDABLE);
  return setattr(mnt, (ms_flags & MS_REC) != 0, &attr);
}

void mount_step(int root, const MountStep& step, size_t index, const std::string& mount_label) {
  if (step.kind == MountKind::Symlink) {
    if (make_symlink(root, step.source, step.destination) < 0) {
      fail(errno, "creating symlink " + step.destination + " -> " + step.source);
    }
    return;
  }
  if (step.kind != MountKind::Filesystem && step.kind != MountKind::Bind) {
    fail(0, describe(step) + ": unknown mount kind " + std::to_string(uint32_t(step.kind)));
  }
  if (step.idmap && step.kind != MountKind::Bind) fail(0, describe(step) + ": only a bind mount can be idmapped");

  // Every step makes a new mount; changing an existing one is not something a plan asks for.
  if (step.flags & MS_REMOUNT) fail(0, describe(step) + ": the remount option is not supported");
  struct stat existing;
  Fd target = open_destination(root, step, &existing);
  Fd mnt;
  uint32_t flags = step.flags;
  bool defer_readonly = false;
  if (step.kind == MountKind::Bind) {
    mnt = clone_mount(AT_FDCWD, step.source.c_str(), (step.flags & MS_REC) != 0);
    if (!mnt.ok()) fail(errno, describe(step) + ": opening the bind source");
    // Idmapping needs privilege over the source's filesystem, which an init in a new user namespace
    // lacks: the runtime sets it on this detached copy, which must never have been attached.
    if (step.idmap) request_idmap(mnt.get(), index);
    // Set on the detached copy: the mount never appears with the wrong flags.
    uint32_t remount = step.remount_flags & ~(MS_BIND | MS_REMOUNT | MS_REC);
    if (step.remount_flags != 0 && remount_bind(mnt.get(), remount, false) < 0) {
      fail(errno, describe(step) + ": setting the bind mount's flags");
    }
  } else {
    std::string data = step.data;
    // runc starts a tmpfs with the mode of the directory it covers; an explicit mode= wins.
    if (step.fstype == "tmpfs" && S_ISDIR(existing.st_mode)) {
      char mode[16];
      snprintf(mode, sizeof mode, "mode=%04o", unsigned(existing.st_mode & 07777));
      data = data.empty() ? std::string(mode) : std::string(mode) + "," + data;
    }
    // Like runc, tmpfs and /dev stay writable until finish_rootfs: devices, symlinks and tmpfs
    // content may still be created in them.
    defer_readonly = (flags & MS_RDONLY) && (step.fstype == "tmpfs" || clean_path(step.destination) == "/dev");
    if (defer_readonly) flags &= ~MS_RDONLY;
    mnt = new_filesystem(step, data, flags);
    // mqueue takes no context= option: its root gets the mount label as a file label, as runc does.
    if (step.fstype == "mqueue") label_mount_root(mnt.get(), mount_label, step.destination);
    if (step.copy_up && S_ISDIR(existing.st_mode)) copy_up(target.get(), mnt.get(), step);
  }
  check_proc_destination(target.get(), mnt.get(), step);
  if (attach_mount(mnt.get(), target.get()) < 0) fail(errno, describe(step));
  for (uint32_t propagation : step.propagation) {
    if (set_propagation(mnt.get(), propagation) < 0) fail(errno, describe(step) + ": changing propagation");
  }
  if (defer_readonly) deferred_readonly.push_back({mnt.release(), step.flags, step.destination});
}

void apply_deferred_readonly() {
  for (const DeferredReadonly& d : deferred_readonly) {
    if (remount_bind(d.mnt, d.flags | MS_RDONLY, false) < 0) {
      fail(errno, "remounting " + d.destination + " read-only");
    }
    close(d.mnt);
  }
  deferred_readonly.clear();
}

}  // namespace cista
