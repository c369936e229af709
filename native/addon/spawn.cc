// Starting the init helper: clone() with the plan's namespace flags, then, in the child, only
// async-signal-safe calls on memory prepared before the clone (the parent is a multithreaded Node
// process) until it fexecve()s a sealed memfd copy of cista-init.
#include <errno.h>
#include <fcntl.h>
#include <linux/sched.h>
#include <sched.h>
#include <pthread.h>
#include <signal.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <sys/sendfile.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon/addon.h"
#include "addon/thread_namespaces.h"
#include "generated/protocol.h"

namespace cista {
namespace {

constexpr int kMaxChildJoins = 8;

// Everything the child needs, computed before clone(): no allocation happens after it.
struct ChildSetup {
  // The fds that become the process's stdin, stdout and stderr (-1: keep the runtime's own).
  int stdio[3];
  int preserve_fds;
  // Helper fds in the order they must land at preserve_end, preserve_end+1, ...
  int sources[3];
  int count;
  char sync_fd_arg[16];
  char state_dir_fd_arg[16];
  char* argv[4];
  char* envp[1];
  // With a new user namespace: the ends of the pipe on which the parent says the id maps are written
  // (-1 otherwise).
  int maps_ready_read;
  int maps_ready_write;
  // Namespaces the child enters itself (SpawnRequest.childJoins), and the pipe on which it reports
  // the pid of the process that goes on when one is a pid namespace (-1 otherwise).
  int child_join_fds[kMaxChildJoins];
  int child_join_types[kMaxChildJoins];
  int child_join_count;
  bool child_joins_pid;
  int pid_report_read;
  int pid_report_write;
};

int seal_init_binary(const std::string& path, int* err) {
  int src = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (src < 0) {
    *err = errno;
    return -1;
  }
  struct stat st;
  // A memfd is mode 0777: the init of a new user namespace, to which its owner (host root) is
  // unmapped, execs it through the bits for others.
  int memfd = memfd_create("cista-init", MFD_CLOEXEC | MFD_ALLOW_SEALING);
  bool ok = memfd >= 0 && fstat(src, &st) == 0;
  off_t offset = 0;
  while (ok && offset < st.st_size) {
    ssize_t n = sendfile(memfd, src, &offset, size_t(st.st_size - offset));
    if (n <= 0) ok = false;
  }
  // Sealed, the copy can never be changed by a process in the container (CVE-2019-5736).
  ok = ok && fcntl(memfd, F_ADD_SEALS, F_SEAL_SEAL | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_WRITE) == 0;
  *err = errno;
  close(src);
  if (!ok) {
    if (memfd >= 0) close(memfd);
    return -1;
  }
  return memfd;
}

[[noreturn]] void child_fail(const char* msg, size_t len) {
  write(STDERR_FILENO, msg, len);
  _exit(125);
}

// In a new user namespace the child starts with the overflow uid: exec'd like that, the init would
// lose every capability. It waits until the parent has written its uid_map and gid_map, then becomes
// root of the namespace (id 0 is always mapped: validation requires it), so the exec keeps the full
// set. Raw syscalls: glibc's setresuid would try to signal the parent's other threads.
void become_namespace_root(ChildSetup* s) {
  close(s->maps_ready_write);
  char ready = 0;
  ssize_t n;
  do n = read(s->maps_ready_read, &ready, 1);
  while (n < 0 && errno == EINTR);
  // EOF: the parent failed to write the maps and is about to kill us.
  if (n != 1) _exit(125);
  close(s->maps_ready_read);
  if (syscall(SYS_setresgid, 0, 0, 0) != 0 || syscall(SYS_setresuid, 0, 0, 0) != 0) {
    static const char msg[] = "cista: cannot become root in the new user namespace\n";
    child_fail(msg, sizeof(msg) - 1);
  }
}

// An unprivileged runtime cannot enter a pid namespace owned by the container's user namespace
// (setns needs CAP_SYS_ADMIN in its own user namespace too), nor get back from one, and a thread of
// a multithreaded process cannot enter a user namespace at all: the single-threaded child enters
// the user namespace, then the others, and, since a pid namespace applies only to children, goes on
// as a child of its own born there with the runtime as its parent (CLONE_PARENT), as runc's nsexec.
void enter_child_namespaces(ChildSetup* s) {
  for (int i = 0; i < s->child_join_count; i++) {
    if (syscall(SYS_setns, s->child_join_fds[i], s->child_join_types[i]) != 0) {
      static const char msg[] = "cista: cannot join the container's namespaces\n";
      child_fail(msg, sizeof(msg) - 1);
    }
  }
  if (!s->child_joins_pid) return;
  close(s->pid_report_read);
  long pid = syscall(SYS_clone, (unsigned long)(CLONE_PARENT | SIGCHLD), 0, 0, 0, 0);
  if (pid < 0) {
    static const char msg[] = "cista: cannot start a process in the container's pid namespace\n";
    child_fail(msg, sizeof(msg) - 1);
  }
  if (pid > 0) _exit(write(s->pid_report_write, &pid, sizeof(pid)) == sizeof(pid) ? 0 : 125);
  close(s->pid_report_write);
}

[[noreturn]] void child_main(ChildSetup* s) {
  if (s->maps_ready_read >= 0) become_namespace_root(s);
  if (s->child_join_count > 0) enter_child_namespaces(s);
  sigset_t none;
  sigemptyset(&none);
  sigprocmask(SIG_SETMASK, &none, nullptr);
  // Ignored dispositions survive execve (Node ignores SIGPIPE): reset every one to the default.
  struct sigaction dfl = {};
  dfl.sa_handler = SIG_DFL;
  for (int sig = 1; sig < NSIG; sig++) sigaction(sig, &dfl, nullptr);

  int first = 3 + s->preserve_fds;
  // Move the helper's and the stdio fds above the range they are headed for, then into place; dup2
  // clears FD_CLOEXEC on the copies that must survive the exec.
  int moved[3];
  for (int i = 0; i < s->count; i++) {
    moved[i] = fcntl(s->sources[i], F_DUPFD_CLOEXEC, first + s->count);
    if (moved[i] < 0) _exit(125);
  }
  int moved_stdio[3];
  for (int i = 0; i < 3; i++) {
    moved_stdio[i] = s->stdio[i] < 0 ? -1 : fcntl(s->stdio[i], F_DUPFD_CLOEXEC, first + s->count);
    if (s->stdio[i] >= 0 && moved_stdio[i] < 0) _exit(125);
  }
  for (int i = 0; i < 3; i++)
    if (moved_stdio[i] >= 0 && dup2(moved_stdio[i], i) < 0) _exit(125);
  for (int i = 0; i < s->count; i++)
    if (dup2(moved[i], first + i) < 0) _exit(125);
  // The last one is the memfd: exec'd through, never inherited.
  fcntl(first + s->count - 1, F_SETFD, FD_CLOEXEC);
  // Every other fd the caller or Node had open is closed here (containerd's shim leaks its socket as fd 3).
  syscall(SYS_close_range, unsigned(first + s->count), ~0U, 0U);
  // Node opens stdio with O_CLOEXEC: stdio and the preserved fds must survive the exec.
  for (int fd = 0; fd < first; fd++) fcntl(fd, F_SETFD, 0);

  syscall(SYS_execveat, first + s->count - 1, "", s->argv, s->envp, AT_EMPTY_PATH);
  static const char msg[] = "cista: cannot exec the init helper\n";
  write(STDERR_FILENO, msg, sizeof(msg) - 1);
  _exit(127);
}

// The fds for the child's own joins (enter_child_namespaces), opened before the clone.
class ChildJoins {
 public:
  ~ChildJoins() {
    for (int fd : fds_) close(fd);
    for (int fd : report_)
      if (fd >= 0) close(fd);
  }

  bool open_into(const std::vector<JoinNamespace>& joins, ChildSetup* s, int* err, std::string* failed_path) {
    s->pid_report_read = s->pid_report_write = -1;
    if (joins.size() > size_t(kMaxChildJoins)) {
      *err = E2BIG;
      *failed_path = "(too many)";
      return false;
    }
    for (const JoinNamespace& join : joins) {
      int fd = open(join.path.c_str(), O_RDONLY | O_CLOEXEC);
      if (fd < 0) {
        *err = errno;
        *failed_path = join.path;
        return false;
      }
      fds_.push_back(fd);
      s->child_join_fds[s->child_join_count] = fd;
      s->child_join_types[s->child_join_count++] = int(join.type);
      if (join.type == CLONE_NEWPID) s->child_joins_pid = true;
    }
    if (s->child_joins_pid) {
      if (pipe2(report_, O_CLOEXEC) != 0) {
        *err = errno;
        *failed_path = "(pid report pipe)";
        return false;
      }
      s->pid_report_read = report_[0];
      s->pid_report_write = report_[1];
    }
    return true;
  }

  // With a pid namespace among the joins, `child` reports the pid of its own child (the runtime's
  // too, by CLONE_PARENT) and exits: that one goes on. -1 when it failed.
  long process_that_goes_on(long child) {
    if (report_[0] < 0) return child;
    close(report_[1]);
    report_[1] = -1;
    long pid = -1;
    ssize_t n;
    do n = read(report_[0], &pid, sizeof(pid));
    while (n < 0 && errno == EINTR);
    while (waitpid(pid_t(child), nullptr, 0) < 0 && errno == EINTR) {
    }
    return n == sizeof(pid) ? pid : -1;
  }

 private:
  std::vector<int> fds_;
  int report_[2] = {-1, -1};
};

// exec's `initial` CPU affinity: set on the calling thread around clone(), so that the child runs
// with it from its first instruction (as runc's thread does around its fork), then put back.
class ThreadAffinity {
 public:
  ~ThreadAffinity() { restore(); }

  bool set(const std::vector<uint8_t>& mask, int* err) {
    if (mask.empty()) return true;
    if (sched_getaffinity(0, sizeof(saved_), reinterpret_cast<cpu_set_t*>(saved_)) != 0 ||
        sched_setaffinity(0, mask.size(), reinterpret_cast<const cpu_set_t*>(mask.data())) != 0) {
      *err = errno;
      return false;
    }
    changed_ = true;
    return true;
  }

  void restore() {
    if (changed_) sched_setaffinity(0, sizeof(saved_), reinterpret_cast<const cpu_set_t*>(saved_));
    changed_ = false;
  }

 private:
  uint64_t saved_[kMaxBitmapWords];
  bool changed_ = false;
};

int write_proc_file(long pid, const char* name, const std::string& text) {
  std::string path = "/proc/" + std::to_string(pid) + "/" + name;
  int fd = open(path.c_str(), O_WRONLY | O_CLOEXEC);
  if (fd < 0) return -1;
  // The kernel takes a map in one write() only.
  ssize_t n = write(fd, text.data(), text.size());
  int err = errno;
  close(fd);
  if (n == ssize_t(text.size())) return 0;
  errno = n < 0 ? err : EIO;
  return -1;
}

// newuidmap/newgidmap PID ID HOSTID SIZE...: the setuid helpers that write maps of more than the
// caller's own id, after checking /etc/subuid or /etc/subgid. What they print becomes the error text.
int run_map_tool(const std::string& tool, long pid, const std::string& map, std::string* output) {
  std::vector<std::string> args = {tool, std::to_string(pid)};
  size_t start = 0;
  while (start < map.size()) {
    size_t end = map.find_first_of(" \n", start);
    if (end == std::string::npos) end = map.size();
    if (end > start) args.push_back(map.substr(start, end - start));
    start = end + 1;
  }
  std::vector<char*> argv;
  for (std::string& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  char* envp[] = {nullptr};
  int out[2];
  if (pipe2(out, O_CLOEXEC) != 0) return -1;
  posix_spawn_file_actions_t actions;
  posix_spawn_file_actions_init(&actions);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDERR_FILENO);
  posix_spawn_file_actions_adddup2(&actions, out[1], STDOUT_FILENO);
  pid_t child;
  int err = posix_spawn(&child, tool.c_str(), &actions, nullptr, argv.data(), envp);
  posix_spawn_file_actions_destroy(&actions);
  close(out[1]);
  if (err != 0) {
    close(out[0]);
    errno = err;
    return -1;
  }
  char buf[512];
  ssize_t n;
  while ((n = read(out[0], buf, sizeof(buf))) > 0 || (n < 0 && errno == EINTR))
    if (n > 0) output->append(buf, size_t(n));
  close(out[0]);
  int status = 0;
  while (waitpid(child, &status, 0) < 0 && errno == EINTR) {
  }
  while (!output->empty() && output->back() == '\n') output->pop_back();
  for (char& c : *output)
    if (c == '\n') c = ' ';
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return 0;
  errno = EPERM;
  return -1;
}

// Writes the maps as the runtime's IdMaps say; on failure returns what failed.
const char* write_id_maps(long pid, const IdMaps& maps, std::string* tool_output) {
  if (maps.deny_setgroups && write_proc_file(pid, "setgroups", "deny") != 0) return "denying setgroups in the new user namespace";
  if (maps.uid_map_tool.empty() ? write_proc_file(pid, "uid_map", maps.uid_map) != 0
                                : run_map_tool(maps.uid_map_tool, pid, maps.uid_map, tool_output) != 0)
    return "writing the uid_map of the new user namespace";
  if (maps.gid_map_tool.empty() ? write_proc_file(pid, "gid_map", maps.gid_map) != 0
                                : run_map_tool(maps.gid_map_tool, pid, maps.gid_map, tool_output) != 0)
    return "writing the gid_map of the new user namespace";
  return nullptr;
}

}  // namespace

namespace {

// What starting an init gave: its pid and our end of the sync socket, or the errno and what failed.
struct Spawned {
  long pid = -1;
  int sync_fd = -1;
  int err = 0;
  std::string what;
  static Spawned failed(int err, const std::string& what) { return {-1, -1, err, what}; }
};

// Everything of spawnInit after decoding: system calls only, no JS value, so that it may run on a
// thread of libuv's pool (spawnInitAsync). The calling thread's namespaces and CPU affinity are
// changed around clone() and restored.
Spawned spawn_init(const SpawnRequest& request) {
  bool new_user_ns = (request.clone_flags & CLONE_NEWUSER) != 0;
  const std::string& init_path = request.init_path;
  int preserve_fds = int(request.preserve_fds);
  int state_dir_fd = int(request.state_dir_fd);
  int plan_bytes = int(request.plan_bytes);

  int err = 0;
  int memfd = seal_init_binary(init_path, &err);
  if (memfd < 0) return Spawned::failed(err, "sealing a copy of " + init_path);

  int pair[2];
  if (socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, pair) != 0) {
    err = errno;
    close(memfd);
    return Spawned::failed(err, "creating the sync socket");
  }
  // The plan goes in one datagram, which must fit the sender's buffer (about 208 KiB by default):
  // SO_SNDBUFFORCE passes wmem_max (needs CAP_NET_ADMIN), SO_SNDBUF is the fallback within it.
  int send_buffer = plan_bytes + (64 << 10);
  if (setsockopt(pair[0], SOL_SOCKET, SO_SNDBUFFORCE, &send_buffer, sizeof send_buffer) != 0) {
    setsockopt(pair[0], SOL_SOCKET, SO_SNDBUF, &send_buffer, sizeof send_buffer);
  }

  int maps_ready[2] = {-1, -1};
  if (new_user_ns && pipe2(maps_ready, O_CLOEXEC) != 0) {
    err = errno;
    close(memfd);
    close(pair[0]);
    close(pair[1]);
    return Spawned::failed(err, "creating the id map pipe");
  }
  auto close_maps_ready = [&] {
    for (int& fd : maps_ready) {
      if (fd >= 0) close(fd);
      fd = -1;
    }
  };

  ChildSetup setup = {};
  const StdioFds& stdio = request.stdio;
  setup.stdio[0] = stdio.has_stdin_fd ? int(stdio.stdin_fd) : -1;
  setup.stdio[1] = stdio.has_stdout_fd ? int(stdio.stdout_fd) : -1;
  setup.stdio[2] = stdio.has_stderr_fd ? int(stdio.stderr_fd) : -1;
  setup.maps_ready_read = maps_ready[0];
  setup.maps_ready_write = maps_ready[1];
  setup.preserve_fds = preserve_fds;
  setup.sources[0] = pair[1];
  setup.sources[1] = state_dir_fd;
  setup.sources[2] = memfd;
  setup.count = 3;
  int first = 3 + preserve_fds;
  snprintf(setup.sync_fd_arg, sizeof(setup.sync_fd_arg), "%d", first);
  snprintf(setup.state_dir_fd_arg, sizeof(setup.state_dir_fd_arg), "%d", first + 1);
  setup.argv[0] = const_cast<char*>("cista-init");
  setup.argv[1] = setup.sync_fd_arg;
  setup.argv[2] = setup.state_dir_fd_arg;
  setup.argv[3] = nullptr;
  setup.envp[0] = nullptr;

  ThreadAffinity thread_affinity;
  if (request.has_initial_cpu_affinity && !thread_affinity.set(request.initial_cpu_affinity, &err)) {
    close(memfd);
    close(pair[0]);
    close(pair[1]);
    close_maps_ready();
    return Spawned::failed(err, "setting the initial CPU affinity");
  }
  ThreadNamespaces thread_namespaces;
  ChildJoins child_joins;
  std::string failed_path;
  if (!child_joins.open_into(request.child_joins, &setup, &err, &failed_path) ||
      !thread_namespaces.enter(request.clone_joins, &err, &failed_path)) {
    close(memfd);
    close(pair[0]);
    close(pair[1]);
    close_maps_ready();
    return Spawned::failed(err, "joining namespace " + failed_path);
  }

  long pid = syscall(SYS_clone, (unsigned long)request.clone_flags | SIGCHLD, 0, 0, 0, 0);
  if (pid == 0) child_main(&setup);
  err = errno;
  thread_namespaces.restore();
  thread_affinity.restore();

  close(memfd);
  close(pair[1]);
  if (pid < 0) {
    close(pair[0]);
    close_maps_ready();
    return Spawned::failed(err, "clone");
  }
  pid = child_joins.process_that_goes_on(pid);
  if (pid < 0) {
    close(pair[0]);
    close_maps_ready();
    return Spawned::failed(EPERM, "joining the container's namespaces");
  }
  if (new_user_ns) {
    std::string tool_output;
    const char* failed = write_id_maps(pid, request.id_maps, &tool_output);
    if (failed == nullptr && write(maps_ready[1], "", 1) != 1) failed = "releasing the init";
    if (failed != nullptr) {
      err = errno;
      kill(pid_t(pid), SIGKILL);
      waitpid(pid_t(pid), nullptr, 0);
      close(pair[0]);
      close_maps_ready();
      std::string what = failed;
      if (!tool_output.empty()) what += " (" + tool_output + ")";
      return Spawned::failed(err, what);
    }
    close_maps_ready();
  }
  return {pid, pair[0], 0, ""};
}

// The SpawnRequest of a call's one argument; false (a TypeError thrown) when it is not one.
bool decode_request(const Napi::CallbackInfo& info, SpawnRequest* request) {
  std::string error;
  if (info.Length() != 1 || !info[0].IsBuffer()) error = "spawnInit expects one encoded SpawnRequest";
  if (error.empty()) {
    Napi::Buffer<uint8_t> bytes = info[0].As<Napi::Buffer<uint8_t>>();
    decode_spawn_request(bytes.Data(), bytes.Length(), request, &error);
  }
  bool new_user_ns = (request->clone_flags & CLONE_NEWUSER) != 0;
  if (error.empty() && new_user_ns != request->has_id_maps) error = "idMaps must be given exactly when cloneFlags has CLONE_NEWUSER";
  // The child numbers its helper fds from 3 + preserve_fds up, as ints.
  if (error.empty() && request->preserve_fds > uint32_t(INT32_MAX - 8)) error = "preserveFds is out of range";
  if (error.empty()) return true;
  Napi::TypeError::New(info.Env(), error).ThrowAsJavaScriptException();
  return false;
}

Napi::Value SpawnResult(Napi::Env env, const Spawned& spawned) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("pid", Napi::Number::New(env, double(spawned.pid)));
  result.Set("syncFd", Napi::Number::New(env, spawned.sync_fd));
  return result;
}

// spawn_init on libuv's thread pool: clone() blocks its caller for milliseconds (the namespaces it
// makes, the copy of Node's page tables), which the event loop should not wait out.
class SpawnWorker : public Napi::AsyncWorker {
 public:
  SpawnWorker(Napi::Env env, SpawnRequest request)
      : Napi::AsyncWorker(env, "cista.spawnInit"), deferred_(Napi::Promise::Deferred::New(env)), request_(std::move(request)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

 protected:
  void Execute() override { spawned_ = spawn_init(request_); }
  void OnOK() override {
    Napi::Env env = Env();
    Napi::HandleScope scope(env);
    if (spawned_.err == 0) deferred_.Resolve(SpawnResult(env, spawned_));
    else deferred_.Reject(ErrnoError(env, spawned_.err, spawned_.what).Value());
  }

 private:
  Napi::Promise::Deferred deferred_;
  SpawnRequest request_;
  Spawned spawned_;
};

}  // namespace

// spawnInit(an encoded SpawnRequest) -> { pid, syncFd }
Napi::Value SpawnInit(const Napi::CallbackInfo& info) {
  SpawnRequest request;
  if (!decode_request(info, &request)) return info.Env().Undefined();
  Spawned spawned = spawn_init(request);
  if (spawned.err != 0) return ThrowErrno(info.Env(), spawned.err, spawned.what);
  return SpawnResult(info.Env(), spawned);
}

// spawnInitAsync(an encoded SpawnRequest) -> Promise<{ pid, syncFd }>: spawnInit from libuv's pool.
Napi::Value SpawnInitAsync(const Napi::CallbackInfo& info) {
  SpawnRequest request;
  if (!decode_request(info, &request)) return info.Env().Undefined();
  SpawnWorker* worker = new SpawnWorker(info.Env(), std::move(request));
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

// makeUserNamespace(uidMap, gidMap) -> fd of a new user namespace with those maps (the text of
// /proc/PID/uid_map and gid_map), which idmapped mounts take. It belongs to a child that only
// waits for its pipe to close, with every signal blocked (it must not run Node's handlers), and is
// reaped once the fd is open: the fd keeps the namespace.
Napi::Value MakeUserNamespace(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string uid_map = info[0].As<Napi::String>();
  std::string gid_map = info[1].As<Napi::String>();
  int hold[2];
  if (pipe2(hold, O_CLOEXEC) != 0) return ThrowErrno(env, errno, "creating a pipe");
  sigset_t all, saved;
  sigfillset(&all);
  pthread_sigmask(SIG_SETMASK, &all, &saved);
  long pid = syscall(SYS_clone, (unsigned long)(CLONE_NEWUSER | SIGCHLD), 0, 0, 0, 0);
  if (pid == 0) {
    close(hold[1]);
    char byte;
    while (read(hold[0], &byte, 1) < 0 && errno == EINTR) {
    }
    _exit(0);
  }
  int err = errno;
  pthread_sigmask(SIG_SETMASK, &saved, nullptr);
  close(hold[0]);
  if (pid < 0) {
    close(hold[1]);
    return ThrowErrno(env, err, "creating a user namespace for an idmapped mount");
  }
  const char* failed = nullptr;
  int fd = -1;
  if (write_proc_file(pid, "uid_map", uid_map) != 0) {
    failed = "writing the uid_map of an idmapped mount's user namespace";
  } else if (write_proc_file(pid, "gid_map", gid_map) != 0) {
    failed = "writing the gid_map of an idmapped mount's user namespace";
  } else if ((fd = open(("/proc/" + std::to_string(pid) + "/ns/user").c_str(), O_RDONLY | O_CLOEXEC)) < 0) {
    failed = "opening an idmapped mount's user namespace";
  }
  err = errno;
  close(hold[1]);
  waitpid(pid_t(pid), nullptr, 0);
  if (failed != nullptr) return ThrowErrno(env, err, failed);
  return Napi::Number::New(env, fd);
}

}  // namespace cista
