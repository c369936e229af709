// Joining existing namespaces, the late unshares (and the time namespace's offsets and fork), and UTS names.
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <poll.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <vector>

#include "init/init.h"

namespace cista {

// Every namespace file is opened before the first setns(): once the mount namespace changes, the
// paths would resolve somewhere else.
void join_namespaces(const LaunchPlan& plan) {
  std::vector<int> fds;
  for (const JoinNamespace& ns : plan.join_namespaces) {
    int fd = open(ns.path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) fail(errno, "opening namespace " + ns.path);
    fds.push_back(fd);
  }
  for (size_t i = 0; i < fds.size(); i++) {
    const JoinNamespace& ns = plan.join_namespaces[i];
    if (setns(fds[i], int(ns.type)) != 0) fail(errno, "joining namespace " + ns.path);
    close(fds[i]);
    // Joining keeps our host ids, which the namespace does not map: files we create (device mount
    // points, /dev's tmpfs content) would fail with EOVERFLOW. Become its root, as runc does.
    if (ns.type == CLONE_NEWUSER && (setresgid(0, 0, 0) != 0 || setresuid(0, 0, 0) != 0)) {
      fail(errno, "becoming root in user namespace " + ns.path + " (is id 0 mapped there?)");
    }
  }
}

// The cgroup namespace is unshared here, after the runtime placed us in the container's cgroup,
// so that its root is that cgroup; with a joined user namespace, every new namespace, which it then
// owns.
void unshare_late_namespaces(const LaunchPlan& plan) {
  if (plan.unshare_flags != 0 && unshare(int(plan.unshare_flags)) != 0) fail(errno, "unsharing namespaces");
}

// The kernel takes the offsets only while no process is in the namespace: unshare() moves only the
// caller's future children there, and fork_into_namespaces() makes the first.
void set_time_offsets(const LaunchPlan& plan) {
  if (!plan.has_time_offsets) return;
  int fd = open("/proc/self/timens_offsets", O_WRONLY | O_CLOEXEC);
  if (fd < 0) fail(errno, "opening /proc/self/timens_offsets");
  ssize_t n = write(fd, plan.time_offsets.data(), plan.time_offsets.size());
  if (n != ssize_t(plan.time_offsets.size())) fail(n < 0 ? errno : EIO, "writing the time namespace offsets");
  close(fd);
}

void fork_into_namespaces(const LaunchPlan& plan) {
  if (!plan.fork_into_namespaces) return;
  int self = int(syscall(SYS_pidfd_open, getpid(), 0));
  if (self < 0) fail(errno, "opening a pidfd of the init");
  int child = -1;
  struct clone_args args = {};
  // CLONE_PARENT: the runtime's child, which it waits for (exit_signal must then be 0: the caller's applies).
  args.flags = CLONE_PARENT | CLONE_PIDFD;
  args.pidfd = uint64_t(uintptr_t(&child));
  long pid = syscall(SYS_clone3, &args, sizeof(args));
  if (pid < 0) fail(errno, "forking into the new namespaces");
  if (pid > 0) {
    report_forked(child);
    _exit(0);
  }
  // Go on only once the first init has exited, so that the runtime reaps it without waiting.
  struct pollfd exited = {self, POLLIN, 0};
  while (poll(&exited, 1, -1) < 0 && errno == EINTR) {
  }
  close(self);
}

void set_host_names(const LaunchPlan& plan) {
  if (plan.has_hostname && sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
    fail(errno, "setting hostname \"" + plan.hostname + "\"");
  if (plan.has_domainname && setdomainname(plan.domainname.data(), plan.domainname.size()) != 0)
    fail(errno, "setting domainname \"" + plan.domainname + "\"");
}

}  // namespace cista
