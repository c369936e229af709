// Capability sets and no_new_privs. Order (from main.cc): drop the bounding set while still fully
// privileged, keep capabilities across the uid switch, then set the final sets.
#include <errno.h>
#include <linux/capability.h>
#include <sys/prctl.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/init.h"

namespace cista {
namespace {

bool has(uint64_t mask, unsigned cap) { return cap < 64 && (mask >> cap) & 1; }

// The highest capability this kernel knows: probing PR_CAPBSET_READ needs no /proc.
unsigned last_cap() {
  unsigned cap = 0;
  while (cap < 63 && prctl(PR_CAPBSET_READ, cap + 1, 0, 0, 0) >= 0) cap++;
  return cap;
}

}  // namespace

void drop_bounding_set(const LaunchPlan& plan) {
  unsigned last = last_cap();
  for (unsigned cap = 0; cap <= last; cap++) {
    if (has(plan.capabilities.bounding, cap)) continue;
    if (prctl(PR_CAPBSET_DROP, cap, 0, 0, 0) != 0 && errno != EINVAL)
      fail(errno, "dropping capability " + std::to_string(cap) + " from the bounding set");
  }
}

void keep_capabilities_across_setuid() {
  if (prctl(PR_SET_KEEPCAPS, 1, 0, 0, 0) != 0) fail(errno, "setting PR_SET_KEEPCAPS");
}

void raise_sys_admin() {
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  if (syscall(SYS_capget, &header, data) != 0) fail(errno, "reading capabilities");
  data[CAP_TO_INDEX(CAP_SYS_ADMIN)].effective |= CAP_TO_MASK(CAP_SYS_ADMIN);
  if (syscall(SYS_capset, &header, data) != 0) fail(errno, "raising CAP_SYS_ADMIN to install the seccomp filter");
}

void apply_capabilities(const LaunchPlan& plan) {
  if (prctl(PR_SET_KEEPCAPS, 0, 0, 0, 0) != 0) fail(errno, "clearing PR_SET_KEEPCAPS");
  struct __user_cap_header_struct header = {_LINUX_CAPABILITY_VERSION_3, 0};
  struct __user_cap_data_struct data[2];
  const CapabilitySets& c = plan.capabilities;
  for (int i = 0; i < 2; i++) {
    data[i].effective = uint32_t(c.effective >> (32 * i));
    data[i].permitted = uint32_t(c.permitted >> (32 * i));
    data[i].inheritable = uint32_t(c.inheritable >> (32 * i));
  }
  if (syscall(SYS_capset, &header, data) != 0) fail(errno, "setting capabilities");
  if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_CLEAR_ALL, 0, 0, 0) != 0 && errno != EINVAL)
    fail(errno, "clearing ambient capabilities");
  unsigned last = last_cap();
  for (unsigned cap = 0; cap <= last; cap++) {
    if (!has(c.ambient, cap)) continue;
    // The kernel only admits ambient capabilities that are also permitted and inheritable; like
    // runc, an ambient entry outside those sets is left out rather than failing the container.
    if (prctl(PR_CAP_AMBIENT, PR_CAP_AMBIENT_RAISE, cap, 0, 0) != 0 && errno != EPERM && errno != EINVAL)
      fail(errno, "raising ambient capability " + std::to_string(cap));
  }
}

void apply_no_new_privileges(const LaunchPlan& plan) {
  if (plan.no_new_privileges && prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) fail(errno, "setting no_new_privs");
}

}  // namespace cista
