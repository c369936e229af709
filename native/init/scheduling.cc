// Where and how the process runs: its CPU affinity, its CPU scheduling policy (sched_setattr) and
// its I/O priority (ioprio_set), all inherited across execve.
#include <errno.h>
#include <sched.h>
#include <stdint.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "init/init.h"

namespace cista {
namespace {

// linux/sched/types.h, up to the utilization clamps (SCHED_ATTR_SIZE_VER1), as runc passes it.
struct SchedAttr {
  uint32_t size;
  uint32_t sched_policy;
  uint64_t sched_flags;
  int32_t sched_nice;
  uint32_t sched_priority;
  uint64_t sched_runtime;
  uint64_t sched_deadline;
  uint64_t sched_period;
  uint32_t sched_util_min;
  uint32_t sched_util_max;
};
static_assert(sizeof(SchedAttr) == 56, "SCHED_ATTR_SIZE_VER1");

constexpr int kIoprioWhoProcess = 1;
constexpr uint32_t kSchedFifo = 1;
constexpr uint32_t kSchedRr = 2;

}  // namespace

void apply_cpu_affinity(const LaunchPlan& plan) {
  if (!plan.has_cpu_affinity) return;
  const std::vector<uint8_t>& mask = plan.cpu_affinity;
  if (sched_setaffinity(0, mask.size(), reinterpret_cast<const cpu_set_t*>(mask.data())) != 0)
    fail(errno, "setting the CPU affinity (are those CPUs online and in the container's cpuset?)");
}

void apply_scheduler(const LaunchPlan& plan) {
  if (!plan.has_scheduler) return;
  const SchedulerAttributes& s = plan.scheduler;
  SchedAttr attr = {};
  attr.size = sizeof(attr);
  attr.sched_policy = s.policy;
  attr.sched_flags = s.flags;
  attr.sched_nice = s.nice;
  attr.sched_priority = s.priority;
  attr.sched_runtime = s.runtime;
  attr.sched_deadline = s.deadline;
  attr.sched_period = s.period;
  if (syscall(SYS_sched_setattr, 0, &attr, 0) == 0) return;
  int err = errno;
  // With real-time group scheduling (cgroup v1's cpu controller) a cgroup without real-time runtime
  // cannot hold a real-time task.
  if (err == EPERM && (s.policy == kSchedFifo || s.policy == kSchedRr))
    fail(err, "setting the scheduler (a real-time policy needs real-time runtime in the container's cgroup: linux.resources.cpu.realtimeRuntime)");
  fail(err, "setting the scheduler");
}

void apply_io_priority(const LaunchPlan& plan) {
  if (plan.has_io_priority && syscall(SYS_ioprio_set, kIoprioWhoProcess, 0, int(plan.io_priority)) != 0)
    fail(errno, "setting the I/O priority");
}

}  // namespace cista
