// A session keyring of the container's own, so it does not share the caller's keys (runc does the same
// unless --no-new-keyring).
#include <errno.h>
#include <linux/keyctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/init.h"

namespace cista {

void join_session_keyring(const LaunchPlan& plan) {
  if (!plan.has_session_keyring) return;
  // As runc: the keyring gets the process's SELinux label, then keycreate goes back to the default.
  bool labelled = !plan.process_label.empty();
  if (labelled) set_key_label(plan.process_label);
  long id = syscall(SYS_keyctl, KEYCTL_JOIN_SESSION_KEYRING, plan.session_keyring.c_str());
  if (labelled) set_key_label("");
  if (id < 0) {
    // Kernels without keyrings: nothing to isolate.
    if (errno == ENOSYS) return;
    fail(errno, "joining session keyring " + plan.session_keyring);
  }
  // Possessor: everything; owning user: view, read, search and link, so a container process that
  // switched users can still search it.
  constexpr unsigned long kPossessorAll = 0x3f000000, kUserViewReadSearchLink = 0x001b0000;
  if (syscall(SYS_keyctl, KEYCTL_SETPERM, id, kPossessorAll | kUserViewReadSearchLink) != 0)
    fail(errno, "setting the permissions of the session keyring");
}

}  // namespace cista
