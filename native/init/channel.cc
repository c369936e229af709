// The sync socket (SOCK_SEQPACKET, one message per datagram) between the runtime and the init; the
// messages and their tags are SyncTag in protocol/definition.js.
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <vector>

#include "error_text.h"
#include "fd_message.h"
#include "init/init.h"

namespace cista {
namespace {

int g_sync_fd = -1;
bool g_ready_sent = false;

void write_all(int fd, const char* data, size_t size) {
  while (size > 0) {
    ssize_t n = write(fd, data, size);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return;
    data += n;
    size -= size_t(n);
  }
}

}  // namespace

void channel_init(int sync_fd) { g_sync_fd = sync_fd; }

namespace {

// Reads one whole datagram: peeks at its real length first, so the buffer is exactly as large as needed.
std::vector<uint8_t> receive_datagram(const char* what) {
  ssize_t len;
  do {
    len = recv(g_sync_fd, nullptr, 0, MSG_PEEK | MSG_TRUNC);
  } while (len < 0 && errno == EINTR);
  if (len < 0) fail(errno, std::string("reading ") + what);
  if (len == 0) fail(0, std::string("the runtime closed the sync socket before sending ") + what);
  if (size_t(len) > kMaxMessageBytes) fail(0, std::string(what) + " is larger than " + std::to_string(kMaxMessageBytes) + " bytes");
  std::vector<uint8_t> buffer(static_cast<size_t>(len));
  ssize_t got;
  do {
    got = recv(g_sync_fd, buffer.data(), buffer.size(), 0);
  } while (got < 0 && errno == EINTR);
  if (got != len) fail(got < 0 ? errno : 0, std::string("reading ") + what);
  return buffer;
}

}  // namespace

void receive_plan(LaunchPlan* plan) {
  std::vector<uint8_t> buffer = receive_datagram("the launch plan");
  std::string error;
  if (!decode_launch_plan(buffer.data(), buffer.size(), plan, &error)) fail(0, error);
}

std::string await_runtime_hooks() {
  if (send(g_sync_fd, &SyncTag::kRunHooks, 1, MSG_NOSIGNAL) != 1) fail(errno, "asking the runtime to run its hooks");
  std::vector<uint8_t> reply = receive_datagram("the container state");
  if (reply[0] != SyncTag::kHooksDone) fail(0, "the runtime sent an unknown message instead of the container state");
  return std::string(reply.begin() + 1, reply.end());
}

namespace {

void send_with_fd(const std::string& datagram, int fd, const char* what) {
  FdMessage message(const_cast<char*>(datagram.data()), datagram.size());
  message.attach(fd);
  if (sendmsg(g_sync_fd, message.header(), MSG_NOSIGNAL) != ssize_t(datagram.size())) fail(errno, what);
}

}  // namespace

void send_console(int master_fd) {
  send_with_fd(std::string(1, SyncTag::kConsole), master_fd, "sending the pty master to the runtime");
}

void request_idmap(int mnt, size_t step_index) {
  send_with_fd(SyncTag::kIdmapMount + std::to_string(step_index), mnt, "sending a bind mount to the runtime to idmap");
  std::vector<uint8_t> reply = receive_datagram("the answer to an idmap request");
  if (reply[0] != SyncTag::kMountIdmapped) fail(0, "the runtime sent an unknown message instead of the idmapped mount");
}

void send_seccomp_listener(int notify_fd) {
  send_with_fd(std::string(1, SyncTag::kSeccompListener), notify_fd, "sending the seccomp notify fd to the runtime");
}

void report_forked(int pidfd) {
  send_with_fd(std::string(1, SyncTag::kForked), pidfd, "reporting the new init to the runtime");
}

void report_ready() {
  if (send(g_sync_fd, &SyncTag::kReady, 1, MSG_NOSIGNAL) != 1) fail(errno, "reporting readiness to the runtime");
  g_ready_sent = true;
}

void fail(int err, const std::string& what) {
  std::string message = what;
  if (err != 0) {
    message += ": ";
    message += error_text(err);
  }
  if (!g_ready_sent && g_sync_fd >= 0) {
    std::string datagram = SyncTag::kError + message;
    send(g_sync_fd, datagram.data(), datagram.size(), MSG_NOSIGNAL);
  } else {
    std::string line = "cista: " + message + "\n";
    write_all(STDERR_FILENO, line.data(), line.size());
  }
  _exit(1);
}

}  // namespace cista
