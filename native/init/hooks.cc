// The hooks the init runs itself, in the container's namespaces: createContainer (before pivot_root,
// so their paths still resolve as on the host) and startContainer (after `start`, as the container's
// user, paths inside the container). Same rules as the runtime's hooks (src/engine/hooks/run.ts):
// argv and env exactly as configured, the state JSON on stdin, SIGKILL on timeout.
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>

#include "error_text.h"
#include "init/init.h"

namespace cista {
namespace {

// A hook's output only goes into an error message: a little is enough.
constexpr size_t kMaxOutput = 16 * 1024;

int64_t now_ms() {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return int64_t(ts.tv_sec) * 1000 + ts.tv_nsec / 1000000;
}

// Trimmed, newlines folded into spaces: the output goes on the one line of an error message.
std::string one_line(const std::string& text) {
  std::string out;
  bool pending_space = false;
  for (char c : text) {
    if (c == '\n' || c == '\r' || c == ' ' || c == '\t') {
      pending_space = !out.empty();
      continue;
    }
    if (pending_space) out += ' ';
    pending_space = false;
    out += c;
  }
  return out;
}

// Appends what is readable now; false at end of file or on error.
bool drain(int fd, std::string* into) {
  char buf[4096];
  for (;;) {
    ssize_t n = read(fd, buf, sizeof(buf));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && errno == EAGAIN) return true;
    if (n <= 0) return false;
    if (into->size() < kMaxOutput) into->append(buf, std::min(size_t(n), kMaxOutput - into->size()));
  }
}

[[noreturn]] void exec_hook(const PlanHook& hook, int in, int out, int err) {
  if (dup2(in, STDIN_FILENO) < 0 || dup2(out, STDOUT_FILENO) < 0 || dup2(err, STDERR_FILENO) < 0) _exit(126);
  // Nothing of the init's (the sync socket, the state directory, the exec fifo) reaches the hook.
  syscall(SYS_close_range, 3U, ~0U, 0U);
  std::vector<char*> argv = c_strings(hook.args);
  std::vector<char*> envp = c_strings(hook.env);
  execve(hook.path.c_str(), argv.data(), envp.data());
  std::string message = "cannot execute " + hook.path + ": " + error_text(errno);
  ssize_t ignored = write(STDERR_FILENO, message.data(), message.size());
  (void)ignored;
  _exit(127);
}

// Runs one hook to completion; returns why it failed, or "" when it exited 0.
std::string run_hook(const PlanHook& hook, const std::string& state) {
  // stdin is a socket, not a pipe: a hook that exits without reading it makes send() fail with
  // EPIPE (MSG_NOSIGNAL) instead of killing the init with SIGPIPE.
  int in[2], out[2], err[2];
  if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, in) != 0) fail(errno, "making the hook's stdin");
  if (pipe2(out, O_CLOEXEC) != 0 || pipe2(err, O_CLOEXEC) != 0) fail(errno, "making the hook's output pipes");
  pid_t pid = fork();
  if (pid < 0) fail(errno, "forking a hook");
  if (pid == 0) exec_hook(hook, in[1], out[1], err[1]);
  close(in[1]);
  close(out[1]);
  close(err[1]);
  int exited = int(syscall(SYS_pidfd_open, pid, 0));
  if (exited < 0) fail(errno, "watching a hook");
  for (int fd : {in[0], out[0], err[0]}) fcntl(fd, F_SETFL, O_NONBLOCK);

  // The loop ends when the hook exits, not when its pipes close: a daemon it left behind may keep
  // them open forever.
  const int64_t deadline = hook.timeout_seconds > 0 ? now_ms() + int64_t(hook.timeout_seconds) * 1000 : -1;
  std::string stdout_text, stderr_text;
  size_t written = 0;
  int stdin_fd = in[0], stdout_fd = out[0], stderr_fd = err[0];
  bool timed_out = false;
  for (;;) {
    struct pollfd fds[4] = {{exited, POLLIN, 0}, {stdin_fd, POLLOUT, 0}, {stdout_fd, POLLIN, 0}, {stderr_fd, POLLIN, 0}};
    int wait_ms = -1;
    if (deadline >= 0) {
      int64_t left = deadline - now_ms();
      if (left <= 0) {
        timed_out = true;
        break;
      }
      wait_ms = int(left);
    }
    int ready = poll(fds, 4, wait_ms);
    if (ready < 0 && errno == EINTR) continue;
    if (ready < 0) fail(errno, "waiting for a hook");
    if (stdin_fd >= 0 && fds[1].revents != 0) {
      ssize_t n = send(stdin_fd, state.data() + written, state.size() - written, MSG_NOSIGNAL);
      if (n > 0) written += size_t(n);
      if ((n < 0 && errno != EAGAIN && errno != EINTR) || written == state.size()) {
        close(stdin_fd);
        stdin_fd = -1;
      }
    }
    if (stdout_fd >= 0 && fds[2].revents != 0 && !drain(stdout_fd, &stdout_text)) {
      close(stdout_fd);
      stdout_fd = -1;
    }
    if (stderr_fd >= 0 && fds[3].revents != 0 && !drain(stderr_fd, &stderr_text)) {
      close(stderr_fd);
      stderr_fd = -1;
    }
    if (fds[0].revents != 0) break;
  }
  if (timed_out) kill(pid, SIGKILL);
  int status = 0;
  while (waitpid(pid, &status, 0) < 0 && errno == EINTR) {
  }
  // What it wrote before it exited is in the pipes already.
  for (int fd : {stdout_fd, stderr_fd}) {
    if (fd >= 0) drain(fd, fd == stdout_fd ? &stdout_text : &stderr_text);
  }
  for (int fd : {stdin_fd, stdout_fd, stderr_fd, exited}) {
    if (fd >= 0) close(fd);
  }
  if (timed_out) return "timed out after " + std::to_string(hook.timeout_seconds) + "s, killed";
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return std::string();
  std::string reason = WIFEXITED(status) ? "exit status " + std::to_string(WEXITSTATUS(status))
                                         : std::string("killed by ") + strsignal(WTERMSIG(status));
  return reason + ", stdout: " + one_line(stdout_text) + ", stderr: " + one_line(stderr_text);
}

}  // namespace

std::string run_hooks(const char* kind, const std::vector<PlanHook>& hooks, const std::string& state) {
  for (size_t i = 0; i < hooks.size(); i++) {
    std::string reason = run_hook(hooks[i], state);
    if (!reason.empty()) return std::string("error running ") + kind + " hook #" + std::to_string(i) + ": " + reason;
  }
  return std::string();
}

}  // namespace cista
