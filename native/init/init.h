// The init helper's steps, one file per kernel concern. Each step either succeeds or calls
// fail(), which reports to the runtime over the sync socket (or stderr once started) and exits.
#pragma once

#include <sys/types.h>

#include <string>
#include <vector>

#include "generated/protocol.h"

namespace cista {

// channel.cc: the sync socket to the runtime.
void channel_init(int sync_fd);
// Reads one plan datagram (bounded) and decodes it; fails on any error.
void receive_plan(LaunchPlan* plan);
// With plan.await_hooks: tells the runtime to run its create-time hooks (SyncTag::kRunHooks) and
// returns the container state JSON it answers with (SyncTag::kHooksDone), for the init's own hooks.
std::string await_runtime_hooks();
// Hands the pty master to the runtime (SyncTag::kConsole + the fd by SCM_RIGHTS).
void send_console(int master_fd);
// Sends the detached bind `mnt` of plan.mounts[step_index] to the runtime (SyncTag::kIdmapMount)
// and waits until it has idmapped it (SyncTag::kMountIdmapped); fails otherwise.
void request_idmap(int mnt, size_t step_index);
// Hands the runtime a pidfd of the init's clone that goes on as the container's init (SyncTag::kForked).
void report_forked(int pidfd);
// Hands the seccomp notify fd to the runtime (SyncTag::kSeccompListener), for the listener socket.
void send_seccomp_listener(int notify_fd);
// Tells the runtime the container is set up and waiting on the exec fifo.
void report_ready();
// Reports `what` (with the errno text when err != 0) and exits 1. Before report_ready() the message
// goes to the runtime, which prints it; afterwards to stderr, which is the container's.
[[noreturn]] void fail(int err, const std::string& what);

// hooks.cc: runs `hooks` in order with `state` on their stdin; returns the first failure as
// "error running <kind> hook #<i>: ..." or "" when all exited 0.
std::string run_hooks(const char* kind, const std::vector<PlanHook>& hooks, const std::string& state);

// namespaces.cc
void join_namespaces(const LaunchPlan& plan);
void unshare_late_namespaces(const LaunchPlan& plan);
// Right after the unshare of a time namespace, which no process is in yet: its clock offsets.
void set_time_offsets(const LaunchPlan& plan);
// With plan.fork_into_namespaces: returns in a clone of the init born in the unshared pid and time
// namespaces (the runtime's child); the original reports it and exits.
void fork_into_namespaces(const LaunchPlan& plan);
void set_host_names(const LaunchPlan& plan);

// keyring.cc: with plan.process_label, the keyring is created with it (lsm.cc's set_key_label).
void join_session_keyring(const LaunchPlan& plan);

// lsm.cc: AppArmor and SELinux. open_own_attributes opens the init's /proc/self/attr on the host's
// procfs, before any namespace or root of the container is entered; the others write through it.
void open_own_attributes(const LaunchPlan& plan);
// keycreate: the label of the next keyring this process creates ("": the default again).
void set_key_label(const std::string& label);
// The AppArmor profile and SELinux label the process gets at its execve (aa_change_onexec, setexeccon).
void set_exec_security(const LaunchPlan& plan);
// security.selinux of a detached mount's root (runc labels mqueue so instead of by context=).
void label_mount_root(int mnt, const std::string& label, const std::string& destination);

// rootfs.cc (with mounts.cc and devices.cc): prepare_rootfs mounts everything into the new root and
// returns an fd of it; enter_rootfs then does pivot_root (or MS_MOVE + chroot) and closes that fd.
// Afterwards "/" is the container root and the cwd is "/". The create-time hooks run in between.
int prepare_rootfs(const LaunchPlan& plan);
void enter_rootfs(const LaunchPlan& plan, int root);
// After sysctls: readonly paths, masked paths, then the read-only remount of "/".
void finish_rootfs(const LaunchPlan& plan);

// console.cc: with process.terminal, a pty becomes the controlling terminal and stdio.
void setup_console(const LaunchPlan& plan);

// process.cc
void apply_sysctls(const LaunchPlan& plan);
void apply_rlimits(const LaunchPlan& plan);
void apply_personality(const LaunchPlan& plan);
// Switches to the plan's uid/gid/groups keeping capabilities, then sets the umask and cwd.
void switch_user(const LaunchPlan& plan);
void enter_cwd(const LaunchPlan& plan);
// Resolves args[0] against the container's PATH (from plan.env); fails like runc when missing.
std::string resolve_executable(const LaunchPlan& plan);
// Blocks until `start` opens the exec fifo, which is opened for writing relative to an O_PATH fd
// of the container's state directory passed by the runtime (the host path is gone after pivot_root).
// Returns the fifo, close-on-exec: `start` reads EOF once the process is exec'd (or the init died).
int wait_for_start(int state_dir_fd);
// Tells `start` that the process is about to be exec'd.
void confirm_start(int fifo);
// Tells `start` why the process will not be started (FifoAnswer::kRefused + what), then fails.
[[noreturn]] void fail_start(int fifo, const std::string& what);
// NULL-terminated argv/envp pointing into `items`.
std::vector<char*> c_strings(const std::vector<std::string>& items);
[[noreturn]] void exec_process(const LaunchPlan& plan, const std::string& path, int first_closed_fd);

// capabilities.cc
void drop_bounding_set(const LaunchPlan& plan);
void keep_capabilities_across_setuid();
void apply_capabilities(const LaunchPlan& plan);
// After the switch of user, CAP_SYS_ADMIN is only permitted: make it effective for seccomp().
void raise_sys_admin();
void apply_no_new_privileges(const LaunchPlan& plan);

// scheduling.cc. The affinity is set first thing, once the runtime has put the init in the
// container's cgroup; the scheduler and I/O priority while the init still holds its capabilities.
void apply_cpu_affinity(const LaunchPlan& plan);
void apply_scheduler(const LaunchPlan& plan);
void apply_io_priority(const LaunchPlan& plan);

// memory_policy.cc
void apply_memory_policy(const LaunchPlan& plan);

// seccomp.cc: seccomp(SECCOMP_SET_MODE_FILTER) with the plan's precompiled program, if any; the
// notify fd of a filter with a listener goes to the runtime.
void load_seccomp(const LaunchPlan& plan);
// The plan's filter asks for a notify fd (SECCOMP_FILTER_FLAG_NEW_LISTENER).
bool seccomp_has_listener(const LaunchPlan& plan);

}  // namespace cista
