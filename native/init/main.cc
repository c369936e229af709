// cista-init: the static helper the runtime fexecve()s from a sealed memfd right after clone().
//
// argv: cista-init <sync fd> <state dir fd>   (the state dir holds the exec fifo)
// The fds below the sync fd are stdio and the preserved fds; everything from the sync fd up belongs
// to the helper and is closed before the container process is exec'd.
#include <stdlib.h>
#include <sys/prctl.h>
#include <unistd.h>

#include "init/init.h"

using namespace cista;

int main(int argc, char** argv) {
  if (argc != 3) {
    static const char usage[] = "cista-init is started by the cista runtime, not by hand\n";
    write(STDERR_FILENO, usage, sizeof(usage) - 1);
    return 2;
  }
  int sync_fd = atoi(argv[1]);
  int state_dir_fd = atoi(argv[2]);
  channel_init(sync_fd);
  // Not dumpable while host fds are open: a process in the container cannot ptrace us (CVE-2016-9962).
  prctl(PR_SET_DUMPABLE, 0, 0, 0, 0);

  LaunchPlan plan;
  receive_plan(&plan);
  open_own_attributes(plan);
  // The runtime put us in the container's cgroup before it sent the plan.
  apply_cpu_affinity(plan);

  join_namespaces(plan);
  unshare_late_namespaces(plan);
  set_time_offsets(plan);
  fork_into_namespaces(plan);
  set_host_names(plan);
  join_session_keyring(plan);

  int root = plan.has_rootfs ? prepare_rootfs(plan) : -1;
  // The create-time hooks: the runtime's (prestart, createRuntime), then ours (createContainer),
  // all after the mounts and before pivot_root or chroot.
  std::string state;
  if (plan.await_hooks) {
    state = await_runtime_hooks();
    std::string error = run_hooks("createContainer", plan.create_container_hooks, state);
    if (!error.empty()) fail(0, error);
  }
  if (plan.has_rootfs) enter_rootfs(plan, root);
  setup_console(plan);
  apply_sysctls(plan);
  finish_rootfs(plan);
  apply_rlimits(plan);
  // Real-time policies, negative nice values and the real-time I/O class need the init's capabilities.
  apply_scheduler(plan);
  apply_io_priority(plan);
  apply_personality(plan);
  apply_memory_policy(plan);

  drop_bounding_set(plan);
  keep_capabilities_across_setuid();
  switch_user(plan);
  enter_cwd(plan);
  // A container created without a process has nothing to exec: `start` fails, and the init exits.
  bool has_process = !plan.args.empty();
  std::string executable = has_process ? resolve_executable(plan) : std::string();
  // Without no_new_privs, installing a filter needs CAP_SYS_ADMIN: it goes in while the init still
  // holds it in its permitted set, but after the cwd check, which a profile may deny (getcwd).
  // The profile must then allow the few setup calls that follow, as with runc.
  if (!plan.no_new_privileges && plan.has_seccomp) {
    raise_sys_admin();
    load_seccomp(plan);
  }
  apply_no_new_privileges(plan);
  apply_capabilities(plan);
  // Takes effect at execve: written once nothing is left to do that the profile or label could
  // deny, and before `create` reports ready, so that a profile the kernel lacks fails the create.
  set_exec_security(plan);
  // The notify fd must reach the runtime while it waits for us (create, exec): with no_new_privs, a
  // filter with a listener goes in here rather than right before execve, as runc's does.
  bool seccomp_before_ready = plan.no_new_privileges && seccomp_has_listener(plan);
  if (seccomp_before_ready) load_seccomp(plan);

  report_ready();
  if (plan.wait_for_start) {
    int fifo = wait_for_start(state_dir_fd);
    if (!has_process) fail_start(fifo, "cannot start a container without a process (config.json has no /process)");
    std::string error = run_hooks("startContainer", plan.start_container_hooks, state);
    if (!error.empty()) fail_start(fifo, error);
    confirm_start(fifo);
  }
  // With no_new_privs, as late as possible: only close_range() and execve() run under the filter.
  if (plan.no_new_privileges && !seccomp_before_ready) load_seccomp(plan);
  exec_process(plan, executable, sync_fd);
}
