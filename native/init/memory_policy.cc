// The NUMA memory policy of the process (set_mempolicy), inherited across fork and execve.
#include <errno.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/init.h"

namespace cista {

void apply_memory_policy(const LaunchPlan& plan) {
  if (!plan.has_memory_policy) return;
  const std::vector<uint8_t>& nodes = plan.memory_policy.nodes;
  // The kernel reads maxnode - 1 bits of the mask.
  unsigned long maxnode = nodes.empty() ? 0 : nodes.size() * 8 + 1;
  if (syscall(SYS_set_mempolicy, int(plan.memory_policy.mode), nodes.empty() ? nullptr : nodes.data(), maxnode) != 0)
    fail(errno, "setting the memory policy (are those NUMA nodes online and in the container's cpuset?)");
}

}  // namespace cista
