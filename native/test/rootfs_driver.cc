// Test driver for native/init/rootfs.cc, mounts.cc and devices.cc (not part of the release build;
// built and run by test/native/rootfs.sh). It builds a launch plan by hand for one scenario, then in
// a new mount and pid namespace runs prepare_rootfs/enter_rootfs/finish_rootfs and execs the rootfs's busybox sh
// with the given check script.
//
//   rootfs-driver <scenario> <rootfs> <host-dir> <script>
//
// Scenarios: default (runc's default config.json), nopivot (the same with --no-pivot), evil (mount
// destinations through symlinks that point out of the rootfs, no /proc in the container),
// proc-symlink, sysfs-file, proc-inside, proc-over and bad-option (must be refused), dev-symlink (devices under
// a /dev symlink), userns (mknod refused and locked mount flags).
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>

#include "init/init.h"

namespace cista {

void fail(int err, const std::string& what) {
  if (err != 0) {
    fprintf(stderr, "cista-init: %s: %s\n", what.c_str(), strerror(err));
  } else {
    fprintf(stderr, "cista-init: %s\n", what.c_str());
  }
  _exit(1);
}

// Idmapped binds need the runtime (test/integration/idmapped-mounts.test.ts covers them).
void request_idmap(int, size_t) { fail(0, "the rootfs driver has no runtime to idmap a mount"); }

}  // namespace cista

namespace {

using cista::DestinationKind;
using cista::LaunchPlan;
using cista::MountKind;
using cista::MountStep;

MountStep fs(const std::string& source, const std::string& dest, const std::string& type, uint32_t flags,
             const std::string& data) {
  MountStep m;
  m.kind = MountKind::Filesystem;
  m.source = source;
  m.destination = dest;
  m.fstype = type;
  m.flags = flags;
  m.remount_flags = 0;
  m.data = data;
  m.destination_kind = DestinationKind::Directory;
  return m;
}

MountStep bind(const std::string& source, const std::string& dest, uint32_t remount, DestinationKind kind) {
  MountStep m = fs(source, dest, "", MS_BIND | MS_REC, "");
  m.kind = MountKind::Bind;
  m.remount_flags = remount;
  m.destination_kind = kind;
  return m;
}

void add_dev(LaunchPlan* plan) {
  const uint32_t common = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  plan->mounts.push_back(fs("tmpfs", "/dev", "tmpfs", MS_NOSUID | MS_STRICTATIME, "mode=755,size=65536k"));
  plan->mounts.push_back(fs("devpts", "/dev/pts", "devpts", MS_NOSUID | MS_NOEXEC,
                            "newinstance,ptmxmode=0666,mode=0620,gid=5"));
  plan->mounts.push_back(fs("shm", "/dev/shm", "tmpfs", common, "mode=1777,size=65536k"));
  plan->mounts.push_back(fs("mqueue", "/dev/mqueue", "mqueue", common, ""));
}

void add_devices(LaunchPlan* plan) {
  const struct {
    const char* path;
    uint32_t major, minor;
  } nodes[] = {{"/dev/null", 1, 3},   {"/dev/zero", 1, 5},    {"/dev/full", 1, 7},
               {"/dev/random", 1, 8}, {"/dev/urandom", 1, 9}, {"/dev/tty", 5, 0}};
  for (const auto& n : nodes) plan->devices.push_back({n.path, S_IFCHR, n.major, n.minor, 0666, 0, 0});
  const char* links[][2] = {{"/proc/self/fd", "/dev/fd"},     {"/proc/self/fd/0", "/dev/stdin"},
                            {"/proc/self/fd/1", "/dev/stdout"}, {"/proc/self/fd/2", "/dev/stderr"},
                            {"pts/ptmx", "/dev/ptmx"},          {"/proc/kcore", "/dev/core"}};
  for (const auto& l : links) plan->symlinks.push_back({l[0], l[1]});
}

void default_plan(LaunchPlan* plan, const std::string& host_dir) {
  const uint32_t common = MS_NOSUID | MS_NOEXEC | MS_NODEV;
  plan->mounts.push_back(fs("proc", "/proc", "proc", 0, ""));
  add_dev(plan);
  plan->mounts.push_back(fs("sysfs", "/sys", "sysfs", common | MS_RDONLY, ""));
  plan->mounts.push_back(fs("cgroup", "/sys/fs/cgroup", "cgroup2", common | MS_RELATIME | MS_RDONLY, ""));
  plan->mounts.push_back(bind(host_dir + "/hostfile", "/etc/test-bind", MS_RDONLY | MS_NOSUID, DestinationKind::File));
  // lxcfs-style: binding over /proc/uptime is allowed.
  plan->mounts.push_back(bind(host_dir + "/uptime", "/proc/uptime", 0, DestinationKind::File));
  MountStep data = bind(host_dir + "/data", "/mnt/data", 0, DestinationKind::Directory);
  data.propagation.push_back(MS_PRIVATE | MS_REC);
  plan->mounts.push_back(data);
  // A read-only tmpfs: its MS_RDONLY waits for finish_rootfs.
  plan->mounts.push_back(fs("tmpfs", "/ro-tmp", "tmpfs", MS_RDONLY | MS_NOSUID, "size=1m"));
  MountStep link = fs("test-bind", "/etc/link", "", 0, "");
  link.kind = MountKind::Symlink;
  plan->mounts.push_back(link);
  add_devices(plan);
  plan->masked_paths = {"/proc/acpi",         "/proc/asound",   "/proc/kcore",     "/proc/keys",
                        "/proc/latency_stats", "/proc/timer_list", "/proc/timer_stats", "/proc/sched_debug",
                        "/sys/firmware",       "/proc/scsi",     "/sys/devices/virtual/powercap"};
  plan->readonly_paths = {"/proc/bus", "/proc/fs", "/proc/irq", "/proc/sys", "/proc/sysrq-trigger"};
  plan->rootfs.readonly = true;
}

// The image has /evil -> / and /evil2 -> ../../../.. : followed on the host they would reach the
// host's /tmp; resolved in the root they must stay in the rootfs. No /proc is mounted, so the
// final passes must work without one.
void evil_plan(LaunchPlan* plan, const std::string& host_dir, const std::string& name) {
  plan->mounts.push_back(fs("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=755"));
  plan->mounts.push_back(fs("tmpfs", "/evil/tmp/" + name, "tmpfs", 0, ""));
  plan->mounts.push_back(fs("tmpfs", "/evil2/tmp/" + name + "-2", "tmpfs", 0, ""));
  plan->mounts.push_back(bind(host_dir + "/hostfile", "/evil/tmp/" + name + "-file", 0, DestinationKind::File));
  plan->devices.push_back({"/dev/null", S_IFCHR, 1, 3, 0666, 0, 0});
  plan->readonly_paths = {"/evil/etc"};
  plan->masked_paths = {"/secret.txt", "/evil2/secretdir", "/missing"};
}

// Runs the plan in a fresh pid namespace (already unshared by the caller) and returns the exit code.
int run_container(const LaunchPlan& plan, char* script) {
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  if (pid == 0) {
    cista::enter_rootfs(plan, cista::prepare_rootfs(plan));
    cista::finish_rootfs(plan);
    char* const args[] = {const_cast<char*>("sh"), const_cast<char*>("-c"), script, nullptr};
    char* const env[] = {const_cast<char*>("PATH=/bin"), nullptr};
    execve("/bin/busybox", args, env);
    cista::fail(errno, "exec /bin/busybox");
  }
  int status;
  if (waitpid(pid, &status, 0) < 0) {
    perror("waitpid");
    return 2;
  }
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

bool write_file(const std::string& path, const std::string& text) {
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  bool ok = fd >= 0 && write(fd, text.data(), text.size()) == ssize_t(text.size());
  if (fd >= 0) close(fd);
  return ok;
}

// The userns scenario: a nosuid,nodev tmpfs is mounted in a private mount namespace, then a child
// makes a user namespace (uid 0 -> 0) with its own mount and pid namespaces. There mknod is refused
// and the copied tmpfs has nosuid/nodev locked, so both EPERM fallbacks run.
int run_in_userns(const LaunchPlan& plan, const std::string& host_dir, char* script) {
  std::string locked = host_dir + "/locked";
  if (unshare(CLONE_NEWNS) < 0 || mount(nullptr, "/", nullptr, MS_SLAVE | MS_REC, nullptr) < 0 ||
      mkdir(locked.c_str(), 0755) < 0 ||
      mount("tmpfs", locked.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, "size=1m") < 0) {
    perror("preparing the locked mount");
    return 2;
  }
  int to_child[2], to_parent[2];
  if (pipe2(to_child, O_CLOEXEC) < 0 || pipe2(to_parent, O_CLOEXEC) < 0) {
    perror("pipe");
    return 2;
  }
  pid_t pid = fork();
  if (pid < 0) {
    perror("fork");
    return 2;
  }
  char byte = 0;
  if (pid == 0) {
    if (unshare(CLONE_NEWUSER | CLONE_NEWNS | CLONE_NEWPID) < 0) {
      perror("unshare");
      _exit(2);
    }
    if (write(to_parent[1], &byte, 1) != 1 || read(to_child[0], &byte, 1) != 1 || byte != 1) _exit(2);
    _exit(run_container(plan, script));
  }
  std::string proc = "/proc/" + std::to_string(pid);
  if (read(to_parent[0], &byte, 1) != 1) return 2;
  byte = write_file(proc + "/uid_map", "0 0 1") && write_file(proc + "/gid_map", "0 0 1");
  if (!byte) perror("writing the id maps");
  if (write(to_child[1], &byte, 1) != 1) return 2;
  int status;
  if (waitpid(pid, &status, 0) < 0) return 2;
  return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
}

}  // namespace

int main(int argc, char** argv) {
  if (argc != 5) {
    fprintf(stderr, "usage: %s <scenario> <rootfs> <host-dir> <script>\n", argv[0]);
    return 2;
  }
  std::string scenario = argv[1], host_dir = argv[3];
  LaunchPlan plan = {};
  plan.has_rootfs = true;
  plan.rootfs.path = argv[2];
  plan.rootfs.propagation = MS_SLAVE | MS_REC;
  plan.rootfs.pivot = true;
  if (scenario == "default" || scenario == "nopivot") {
    default_plan(&plan, host_dir);
    plan.rootfs.pivot = scenario == "default";
  } else if (scenario == "evil") {
    evil_plan(&plan, host_dir, "cista-rootfs-test-evil");
  } else if (scenario == "proc-symlink") {
    plan.mounts.push_back(fs("proc", "/proc", "proc", 0, ""));
  } else if (scenario == "sysfs-file") {
    plan.mounts.push_back(fs("sysfs", "/sys", "sysfs", MS_RDONLY, ""));
  } else if (scenario == "proc-inside") {
    // /sneaky -> /proc/sys/kernel in the image: the bind would cover a procfs file.
    plan.mounts.push_back(fs("proc", "/proc", "proc", 0, ""));
    plan.mounts.push_back(bind(host_dir + "/hostfile", "/sneaky/core_pattern", 0, DestinationKind::File));
  } else if (scenario == "proc-over") {
    plan.mounts.push_back(fs("tmpfs", "/proc", "tmpfs", 0, ""));
  } else if (scenario == "bad-option") {
    plan.mounts.push_back(fs("tmpfs", "/dev", "tmpfs", 0, "mode=zzz"));
  } else if (scenario == "dev-symlink") {
    add_devices(&plan);
  } else if (scenario == "userns") {
    plan.mounts.push_back(fs("proc", "/proc", "proc", 0, ""));
    plan.mounts.push_back(fs("tmpfs", "/dev", "tmpfs", MS_NOSUID, "mode=755"));
    plan.mounts.push_back(bind(host_dir + "/locked", "/mnt/locked", MS_RDONLY, DestinationKind::Directory));
    add_devices(&plan);
    plan.readonly_paths = {"/etc"};
    plan.masked_paths = {"/etc/hostname"};
    plan.rootfs.readonly = true;
  } else {
    fprintf(stderr, "unknown scenario %s\n", scenario.c_str());
    return 2;
  }
  if (scenario == "userns") return run_in_userns(plan, host_dir, argv[4]);

  // Everything happens in namespaces of our own, so nothing reaches the host even on failure.
  if (unshare(CLONE_NEWNS | CLONE_NEWPID) < 0) {
    perror("unshare");
    return 2;
  }
  return run_container(plan, argv[4]);
}
