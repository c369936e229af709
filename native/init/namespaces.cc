// Joining existing namespaces, the late unshares, and UTS names.
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
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

namespace {

// unshare(CLONE_NEWPID) puts only our children in the new pid namespace: its pid 1 is a child made
// with CLONE_PARENT, so that it is the runtime's child as we are (the runtime waits for it and
// reaps it). It carries on with everything, the sync socket included; we tell the runtime its pid
// (ours and the runtime's pid namespace are the same) and leave. A raw clone: the child of a
// single-threaded static program may do anything afterwards.
void fork_into_pid_namespace() {
  long child = syscall(SYS_clone, (unsigned long)CLONE_PARENT, 0, 0, 0, 0);
  if (child < 0) fail(errno, "starting pid 1 of the new pid namespace");
  if (child == 0) return;
  report_new_init(pid_t(child));
  _exit(0);
}

}  // namespace

// The cgroup namespace is unshared here, after the runtime placed us in the container's cgroup,
// so that its root is that cgroup; with a joined user namespace, every new namespace, which it then
// owns.
void unshare_late_namespaces(const LaunchPlan& plan) {
  if (plan.unshare_flags != 0 && unshare(int(plan.unshare_flags)) != 0) fail(errno, "unsharing namespaces");
  if (plan.unshare_flags & CLONE_NEWPID) fork_into_pid_namespace();
}

void set_host_names(const LaunchPlan& plan) {
  if (plan.has_hostname && sethostname(plan.hostname.data(), plan.hostname.size()) != 0)
    fail(errno, "setting hostname \"" + plan.hostname + "\"");
  if (plan.has_domainname && setdomainname(plan.domainname.data(), plan.domainname.size()) != 0)
    fail(errno, "setting domainname \"" + plan.domainname + "\"");
}

}  // namespace cista
