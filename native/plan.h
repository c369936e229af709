// The launch plan as plain structs: the C++ mirror of src/engine/plan/plan.ts.
// TypeScript resolves every policy decision; the init helper only carries these steps out.
#pragma once

#include <stddef.h>
#include <stdint.h>
#include <string>
#include <vector>

namespace cista {

constexpr uint32_t kPlanFormatVersion = 6;

// sizeof(struct sock_filter) and BPF_MAXINSNS: bounds of the seccomp program in a plan.
constexpr size_t kSockFilterSize = 8;
constexpr size_t kMaxSeccompInstructions = 4096;

struct JoinNamespace {
  uint32_t type;  // CLONE_NEW*
  std::string path;
};

enum class MountKind : uint32_t { Filesystem = 1, Bind = 2, Symlink = 3 };
enum class DestinationKind : uint32_t { Directory = 0, File = 1 };

struct MountStep {
  MountKind kind;
  std::string source;
  std::string destination;  // absolute, inside the container root
  std::string fstype;
  uint32_t flags;
  uint32_t remount_flags;  // 0: no MS_REMOUNT|MS_BIND pass after a bind
  std::vector<uint32_t> propagation;
  std::string data;
  DestinationKind destination_kind;
  bool copy_up = false;  // a tmpfs starts with a copy of the directory it covers (tmpcopyup)
};

struct DeviceNode {
  std::string path;
  uint32_t file_type;  // S_IFCHR, S_IFBLK, S_IFIFO
  uint32_t major;
  uint32_t minor;
  uint32_t mode;
  uint32_t uid;
  uint32_t gid;
};

struct Symlink {
  std::string target;
  std::string path;
};

struct Rlimit {
  uint32_t resource;
  uint64_t soft;
  uint64_t hard;
};

struct Sysctl {
  std::string path;  // below /proc/sys
  std::string value;
};

struct CapabilitySets {
  uint64_t bounding;
  uint64_t effective;
  uint64_t permitted;
  uint64_t inheritable;
  uint64_t ambient;
};

// A hook the init runs itself (createContainer, startContainer).
struct Hook {
  std::string path;
  std::vector<std::string> args;  // argv, argv[0] included
  std::vector<std::string> env;
  uint32_t timeout_seconds;  // 0: no limit
};

struct RootfsPlan {
  std::string path;
  uint32_t propagation;
  bool readonly;
  bool pivot;
  // false: the host's mount namespace is shared: mounts go below a bind of path, then chroot().
  bool own_mount_namespace;
};

struct LaunchPlan {
  std::vector<JoinNamespace> join_namespaces;
  uint32_t unshare_flags;
  bool has_session_keyring;
  std::string session_keyring;
  bool has_hostname;
  std::string hostname;
  bool has_domainname;
  std::string domainname;
  bool has_rootfs;
  RootfsPlan rootfs;
  std::vector<MountStep> mounts;
  std::vector<DeviceNode> devices;
  std::vector<Symlink> symlinks;
  std::vector<std::string> masked_paths;
  std::vector<std::string> readonly_paths;
  std::vector<Sysctl> sysctls;
  std::vector<Rlimit> rlimits;
  uint32_t uid;
  uint32_t gid;
  std::vector<uint32_t> additional_gids;
  bool has_umask;
  int32_t umask;
  CapabilitySets capabilities;
  bool no_new_privileges;
  // A struct sock_filter array compiled by libseccomp in the runtime; empty: no seccomp.
  bool has_seccomp;
  std::vector<uint8_t> seccomp_program;
  uint32_t seccomp_flags;
  std::string cwd;
  std::vector<std::string> args;
  std::vector<std::string> env;
  bool terminal;
  bool has_console_size;
  uint32_t console_rows;
  uint32_t console_columns;
  // Before pivot_root: 'H' to the runtime (which runs prestart/createRuntime), then wait for
  // 'G' + the container's state JSON, which the hooks below get on stdin.
  bool await_hooks;
  std::vector<Hook> create_container_hooks;
  std::vector<Hook> start_container_hooks;
  // create: wait on the exec fifo until `start`; exec: run the process at once.
  bool wait_for_start;
};

// Decodes the bytes written by src/engine/plan/encode.ts. Every length is bounded by the buffer;
// returns false (with a reason) on any truncation, overrun or version mismatch.
bool decode_plan(const uint8_t* data, size_t size, LaunchPlan* plan, std::string* error);

}  // namespace cista
