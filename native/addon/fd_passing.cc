// Messages that carry file descriptors (SCM_RIGHTS): the sync socket's messages, the pty master
// handed to a client's --console-socket, and the seccomp notify fd handed to a listener.
#include <errno.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <unistd.h>

#include "addon/addon.h"
#include "fd_message.h"

namespace cista {

// receiveMessage(fd, maxBytes, dontWait) -> { data: Buffer, fd: number (-1: none) }, or null with
// dontWait when no message is there yet. Blocks otherwise.
Napi::Value ReceiveMessage(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int sock = info[0].As<Napi::Number>().Int32Value();
  size_t max = info[1].As<Napi::Number>().Uint32Value();
  bool dont_wait = info.Length() > 2 && info[2].As<Napi::Boolean>();
  std::string data(max, '\0');
  FdMessage message(&data[0], max);
  ssize_t n;
  do {
    n = recvmsg(sock, message.header(), MSG_CMSG_CLOEXEC | (dont_wait ? MSG_DONTWAIT : 0));
  } while (n < 0 && errno == EINTR);
  if (n < 0 && dont_wait && errno == EAGAIN) return env.Null();
  if (n < 0) return ThrowErrno(env, errno, "receiving from the container init");
  int fd = message.received_fd();
  Napi::Object result = Napi::Object::New(env);
  result.Set("data", Napi::Buffer<char>::Copy(env, data.data(), size_t(n)));
  result.Set("fd", Napi::Number::New(env, fd));
  return result;
}

// sendFdToSocket(socketPath, fd, payload, what): connects to an AF_UNIX stream socket and sends
// `payload` with the fd attached to its first byte, as runc does for --console-socket (the name
// "/dev/ptmx") and for a seccomp listener (the container process state). `what` names the socket
// in errors.
Napi::Value SendFdToSocket(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string path = info[0].As<Napi::String>();
  int fd = info[1].As<Napi::Number>().Int32Value();
  std::string payload = info[2].As<Napi::String>();
  std::string what = info[3].As<Napi::String>();
  struct sockaddr_un addr = {};
  addr.sun_family = AF_UNIX;
  if (path.size() >= sizeof(addr.sun_path)) return ThrowErrno(env, ENAMETOOLONG, what + " " + path);
  if (payload.empty()) return ThrowErrno(env, EINVAL, "sending an empty message to " + what + " " + path);
  memcpy(addr.sun_path, path.c_str(), path.size() + 1);
  int sock = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (sock < 0) return ThrowErrno(env, errno, "creating a socket");
  if (connect(sock, reinterpret_cast<struct sockaddr*>(&addr), sizeof(addr)) != 0) {
    int err = errno;
    close(sock);
    return ThrowErrno(env, err, "connecting to " + what + " " + path);
  }
  FdMessage message(&payload[0], payload.size());
  message.attach(fd);
  ssize_t n;
  do {
    n = sendmsg(sock, message.header(), MSG_NOSIGNAL);
  } while (n < 0 && errno == EINTR);
  // A stream socket may take a long payload in parts; the fd went with the first.
  size_t sent = n > 0 ? size_t(n) : 0;
  while (n >= 0 && sent < payload.size()) {
    n = send(sock, payload.data() + sent, payload.size() - sent, MSG_NOSIGNAL);
    if (n > 0) sent += size_t(n);
    if (n < 0 && errno == EINTR) n = 0;
  }
  int err = errno;
  close(sock);
  if (n < 0) return ThrowErrno(env, err, "sending to " + what + " " + path);
  return env.Undefined();
}

}  // namespace cista
