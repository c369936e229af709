// AppArmor and SELinux: the profile and labels of the container's process, written to the init's own
// /proc/<pid>/attr files (they take effect at the next execve, or the next keyring created), and the
// SELinux label of mqueue mounts.
//
// The attr directory is opened on the host's procfs before the init joins or builds the container's
// mount namespace: a /proc that the container's image or mounts provide is never written to
// (CVE-2019-16884, where a fake /proc made runc's profile write a no-op).
#include <errno.h>
#include <fcntl.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "init/init.h"

namespace cista {
namespace {

int attr_dir = -1;

// 0 or errno; the write must take the whole value at once, as the kernel parses it in one piece.
int write_attr(const char* name, const std::string& value) {
  int fd = openat(attr_dir, name, O_WRONLY | O_CLOEXEC);
  if (fd < 0) return errno;
  ssize_t n = write(fd, value.data(), value.size());
  int err = n < 0 ? errno : (size_t(n) == value.size() ? 0 : EIO);
  close(fd);
  return err;
}

}  // namespace

void open_own_attributes(const LaunchPlan& plan) {
  if (plan.apparmor_profile.empty() && plan.process_label.empty()) return;
  attr_dir = open("/proc/self/attr", O_PATH | O_DIRECTORY | O_CLOEXEC);
  if (attr_dir < 0) fail(errno, "opening /proc/self/attr");
}

// With label "" after the keyring is made: back to the default, as runc does (best effort, as there).
void set_key_label(const std::string& label) {
  int err = write_attr("keycreate", label);
  if (err != 0 && !label.empty()) fail(err, "setting the SELinux label of the session keyring (/proc/self/attr/keycreate)");
}

void set_exec_security(const LaunchPlan& plan) {
  const std::string& apparmor_profile = plan.apparmor_profile;
  const std::string& selinux_label = plan.process_label;
  if (!apparmor_profile.empty()) {
    // aa_change_onexec: the per-LSM file since Linux 5.8, the shared one before.
    bool per_lsm = faccessat(attr_dir, "apparmor/exec", F_OK, 0) == 0;
    int err = write_attr(per_lsm ? "apparmor/exec" : "exec", "exec " + apparmor_profile);
    if (err != 0) fail(err, "applying AppArmor profile \"" + apparmor_profile + "\" (does apparmor_parser have it loaded?)");
  }
  if (!selinux_label.empty()) {
    int err = write_attr("exec", selinux_label);
    if (err != 0) fail(err, "setting SELinux label \"" + selinux_label + "\" for the process (/proc/self/attr/exec)");
  }
}

void label_mount_root(int mnt, const std::string& label, const std::string& destination) {
  if (label.empty()) return;
  int dir = openat(mnt, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir < 0) fail(errno, "labelling " + destination);
  if (fsetxattr(dir, "security.selinux", label.c_str(), label.size(), 0) != 0) fail(errno, "setting SELinux label of " + destination);
  close(dir);
}

}  // namespace cista
