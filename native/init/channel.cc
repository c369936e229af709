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

void send_console(int master_fd) {
  char kind = SyncTag::kConsole;
  FdMessage message(&kind, 1);
  message.attach(master_fd);
  if (sendmsg(g_sync_fd, message.header(), MSG_NOSIGNAL) != 1) fail(errno, "sending the pty master to the runtime");
}

void report_forked(int pidfd) {
  char kind = SyncTag::kForked;
  FdMessage message(&kind, 1);
  message.attach(pidfd);
  if (sendmsg(g_sync_fd, message.header(), MSG_NOSIGNAL) != 1) fail(errno, "reporting the new init to the runtime");
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
