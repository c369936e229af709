// The init helper's steps, one file per kernel concern. Each step either succeeds or calls
// fail(), which reports to the runtime over the sync socket (or stderr once started) and exits.
#pragma once

#include <string>

#include "plan.h"

namespace cista {

// channel.cc: the sync socket to the runtime.
void channel_init(int sync_fd);
// Reads one plan datagram (bounded) and decodes it; fails on any error.
void receive_plan(LaunchPlan* plan);
// Hands the pty master to the runtime ('C' + the fd by SCM_RIGHTS).
void send_console(int master_fd);
// Tells the runtime the container is set up and waiting on the exec fifo.
void report_ready();
// Reports `what` (with the errno text when err != 0) and exits 1. Before report_ready() the message
// goes to the runtime, which prints it; afterwards to stderr, which is the container's.
[[noreturn]] void fail(int err, const std::string& what);

// namespaces.cc
void join_namespaces(const LaunchPlan& plan);
void unshare_late_namespaces(const LaunchPlan& plan);
void set_host_names(const LaunchPlan& plan);

// keyring.cc
void join_session_keyring(const LaunchPlan& plan);

// rootfs.cc (with mounts.cc and devices.cc): everything up to and including pivot_root/chroot.
// Afterwards "/" is the container root and the cwd is "/".
void setup_rootfs(const LaunchPlan& plan);
// After sysctls: readonly paths, masked paths, then the read-only remount of "/".
void finish_rootfs(const LaunchPlan& plan);
// Instead of both when the container shares the host's mount namespace: chroot() into the rootfs,
// mounting nothing (the runtime refuses configs that would need mounts there). Done after the
// console and sysctls, which use the host's /dev and /proc.
void chroot_into_rootfs(const LaunchPlan& plan);

// console.cc: with process.terminal, a pty becomes the controlling terminal and stdio.
void setup_console(const LaunchPlan& plan);

// process.cc
void apply_sysctls(const LaunchPlan& plan);
void apply_rlimits(const LaunchPlan& plan);
// Switches to the plan's uid/gid/groups keeping capabilities, then sets the umask and cwd.
void switch_user(const LaunchPlan& plan);
void enter_cwd(const LaunchPlan& plan);
// Resolves args[0] against the container's PATH (from plan.env); fails like runc when missing.
std::string resolve_executable(const LaunchPlan& plan);
// Blocks until `start` opens the exec fifo, which is opened for writing relative to an O_PATH fd
// of the container's state directory passed by the runtime (the host path is gone after pivot_root).
void wait_for_start(int state_dir_fd);
[[noreturn]] void exec_process(const LaunchPlan& plan, const std::string& path, int first_closed_fd);

// capabilities.cc
void drop_bounding_set(const LaunchPlan& plan);
void keep_capabilities_across_setuid();
void apply_capabilities(const LaunchPlan& plan);
// After the switch of user, CAP_SYS_ADMIN is only permitted: make it effective for seccomp().
void raise_sys_admin();
void apply_no_new_privileges(const LaunchPlan& plan);

// seccomp.cc: seccomp(SECCOMP_SET_MODE_FILTER) with the plan's precompiled program, if any.
void load_seccomp(const LaunchPlan& plan);

}  // namespace cista
