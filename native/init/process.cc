// The container process's own attributes: sysctls, rlimits, personality, credentials, cwd, and exec.
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <linux/magic.h>
#include <linux/openat2.h>
#include <stdio.h>
#include <string.h>
#include <sys/personality.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "init/init.h"

namespace cista {
namespace {

// Beneath the procfs fd and on procfs itself; plain symlinks such as "self" resolve, fd-style magic
// links do not.
void write_file_at(int dirfd, const std::string& path, const std::string& value, const std::string& what) {
  struct open_how how = {};
  how.flags = O_WRONLY | O_CLOEXEC;
  how.resolve = RESOLVE_BENEATH | RESOLVE_NO_MAGICLINKS | RESOLVE_NO_XDEV;
  int fd = int(syscall(SYS_openat2, dirfd, path.c_str(), &how, sizeof(how)));
  if (fd < 0) fail(errno, "opening " + what);
  ssize_t n = write(fd, value.data(), value.size());
  if (n != ssize_t(value.size())) fail(n < 0 ? errno : EIO, "writing " + what);
  close(fd);
}

// Writes into /proc only through a directory fd that really is procfs (CVE-2019-16884).
int open_procfs() {
  int fd = open("/proc", O_PATH | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) fail(errno, "opening /proc");
  struct statfs st;
  if (fstatfs(fd, &st) != 0) fail(errno, "checking /proc");
  if (st.f_type != PROC_SUPER_MAGIC) fail(0, "/proc is not a procfs mount");
  return fd;
}

bool is_executable_file(const std::string& path, int* err) {
  struct stat st;
  if (stat(path.c_str(), &st) != 0) {
    *err = errno;
    return false;
  }
  if (!S_ISREG(st.st_mode)) {
    *err = S_ISDIR(st.st_mode) ? EISDIR : EACCES;
    return false;
  }
  if (access(path.c_str(), X_OK) != 0) {
    *err = errno;
    return false;
  }
  return true;
}

}  // namespace

std::vector<char*> c_strings(const std::vector<std::string>& items) {
  std::vector<char*> out;
  for (const std::string& s : items) out.push_back(const_cast<char*>(s.c_str()));
  out.push_back(nullptr);
  return out;
}

void apply_sysctls(const LaunchPlan& plan) {
  if (plan.sysctls.empty()) return;
  int proc = open_procfs();
  for (const Sysctl& s : plan.sysctls) write_file_at(proc, "sys/" + s.path, s.value, "sysctl " + s.path);
  close(proc);
}

void apply_rlimits(const LaunchPlan& plan) {
  for (const Rlimit& l : plan.rlimits) {
    struct rlimit64 value = {l.soft, l.hard};
    if (prlimit64(0, __rlimit_resource(l.resource), &value, nullptr) != 0)
      fail(errno, "setting rlimit type " + std::to_string(l.resource));
  }
}

// A rootless runtime that maps only its own gid must deny setgroups in the new user namespace
// before writing the gid_map; the groups cannot be cleared then, and there are none to clear.
bool setgroups_denied() {
  int fd = open("/proc/self/setgroups", O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  char buf[8] = {};
  ssize_t n = read(fd, buf, sizeof(buf) - 1);
  close(fd);
  return n >= 4 && strncmp(buf, "deny", 4) == 0;
}

void apply_personality(const LaunchPlan& plan) {
  if (plan.has_personality && personality(plan.personality) == -1) fail(errno, "setting the personality");
}

void switch_user(const LaunchPlan& plan) {
  bool skip = plan.additional_gids.empty() && setgroups_denied();
  if (!skip && setgroups(plan.additional_gids.size(), reinterpret_cast<const gid_t*>(plan.additional_gids.data())) != 0)
    fail(errno, "setting additional gids");
  if (setresgid(plan.gid, plan.gid, plan.gid) != 0) fail(errno, "setting gid " + std::to_string(plan.gid));
  if (setresuid(plan.uid, plan.uid, plan.uid) != 0) fail(errno, "setting uid " + std::to_string(plan.uid));
  if (plan.has_umask) umask(mode_t(plan.umask));
}

// After chdir the cwd must be inside the container root: a cwd reached through a leaked host fd
// shows up as "(unreachable)" (CVE-2024-21626).
void enter_cwd(const LaunchPlan& plan) {
  if (chdir(plan.cwd.c_str()) != 0) fail(errno, "chdir to cwd (\"" + plan.cwd + "\") set in config.json");
  char buf[4096];
  if (getcwd(buf, sizeof(buf)) == nullptr || buf[0] != '/') fail(0, "current working directory is outside of the container root");
}

std::string resolve_executable(const LaunchPlan& plan) {
  if (plan.args.empty()) fail(0, "process.args is empty");
  const std::string& name = plan.args[0];
  int err = ENOENT;
  if (name.find('/') != std::string::npos) {
    if (!is_executable_file(name, &err)) fail(err, "exec: \"" + name + "\": stat " + name);
    return name;
  }
  std::string path_var;
  for (const std::string& e : plan.env)
    if (e.compare(0, 5, "PATH=") == 0) path_var = e.substr(5);
  size_t start = 0;
  while (!path_var.empty() && start <= path_var.size()) {
    size_t end = path_var.find(':', start);
    if (end == std::string::npos) end = path_var.size();
    std::string dir = path_var.substr(start, end - start);
    std::string candidate = (dir.empty() ? std::string(".") : dir) + "/" + name;
    if (is_executable_file(candidate, &err)) return candidate;
    start = end + 1;
  }
  fail(0, "exec: \"" + name + "\": executable file not found in $PATH");
}

int wait_for_start(int state_dir_fd) {
  // Opening for writing blocks until `start` opens the fifo for reading. The fifo is mode 0622 and
  // the state directory 0711, so this works after the switch to the container's user.
  int fd = openat(state_dir_fd, "exec.fifo", O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(errno, "opening the exec fifo");
  close(state_dir_fd);
  return fd;
}

void confirm_start(int fifo) {
  if (write(fifo, &FifoAnswer::kStarted, 1) != 1) fail(errno, "writing the exec fifo");
}

void fail_start(int fifo, const std::string& what) {
  std::string message = FifoAnswer::kRefused + what;
  ssize_t ignored = write(fifo, message.data(), message.size());
  (void)ignored;
  fail(0, what);
}

void exec_process(const LaunchPlan& plan, const std::string& path, int first_closed_fd) {
  // Nothing of the runtime reaches the container: every fd from the sync socket up is closed;
  // only stdio and the preserved fds below it remain.
  syscall(SYS_close_range, unsigned(first_closed_fd), ~0U, 0U);
  std::vector<char*> argv = c_strings(plan.args);
  std::vector<char*> envp = c_strings(plan.env);
  execve(path.c_str(), argv.data(), envp.data());
  fail(errno, "exec: \"" + plan.args[0] + "\"");
}

}  // namespace cista
