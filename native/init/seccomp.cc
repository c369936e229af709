// Loads the seccomp filter that the runtime compiled with libseccomp (the plan carries the
// struct sock_filter bytes); this helper never links libseccomp. main.cc decides when: before the
// capabilities are set without no_new_privs (installing a filter then needs CAP_SYS_ADMIN),
// otherwise right before execve, so that as few of our own syscalls as possible run under it (or,
// with a listener, before the init reports ready, so the notify fd reaches the runtime).
#include <errno.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/init.h"

namespace cista {

void load_seccomp(const LaunchPlan& plan) {
  if (!plan.has_seccomp) return;
  struct sock_fprog program;
  program.len = static_cast<unsigned short>(plan.seccomp.program.size() / sizeof(struct sock_filter));
  program.filter = reinterpret_cast<struct sock_filter*>(const_cast<uint8_t*>(plan.seccomp.program.data()));
  long result = syscall(SYS_seccomp, SECCOMP_SET_MODE_FILTER, plan.seccomp.flags, &program);
  if (result < 0) fail(errno, "loading the seccomp filter");
  if (seccomp_has_listener(plan)) {
    int notify_fd = int(result);
    send_seccomp_listener(notify_fd);
    close(notify_fd);
  }
}

bool seccomp_has_listener(const LaunchPlan& plan) {
  return plan.has_seccomp && (plan.seccomp.flags & SECCOMP_FILTER_FLAG_NEW_LISTENER) != 0;
}

}  // namespace cista
