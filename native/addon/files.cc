// File primitives Node lacks: fifos, pipes, O_PATH fds, flock().
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "addon/addon.h"
#include "error_text.h"

namespace cista {

// makeFifo(path, mode)
Napi::Value MakeFifo(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  mode_t mode = info[1].As<Napi::Number>().Uint32Value();
  // mkfifo applies the umask; the exact mode matters (0622: the container user must open it).
  if (mkfifo(path.c_str(), mode) != 0 || chmod(path.c_str(), mode) != 0)
    return ThrowErrno(info.Env(), errno, "creating fifo " + path);
  return info.Env().Undefined();
}

// makePipe() -> [readFd, writeFd], both close-on-exec: a container process's stdio, the other end
// wrapped in a Node stream.
Napi::Value MakePipe(const Napi::CallbackInfo& info) {
  int fds[2];
  if (pipe2(fds, O_CLOEXEC) != 0) return ThrowErrno(info.Env(), errno, "creating a pipe");
  Napi::Array result = Napi::Array::New(info.Env(), 2);
  result.Set(uint32_t(0), Napi::Number::New(info.Env(), fds[0]));
  result.Set(uint32_t(1), Napi::Number::New(info.Env(), fds[1]));
  return result;
}

// openPath(path) -> fd opened O_PATH|O_CLOEXEC
Napi::Value OpenPath(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(info.Env(), errno, "opening " + path);
  return Napi::Number::New(info.Env(), fd);
}

// lockFile(path, exclusive, tryOnly) -> fd holding flock(); closing the fd releases it. Blocks until
// the lock is free, or with tryOnly returns -1 when it is held (the API retries on a timer: flock has
// no fd to watch).
Napi::Value LockFile(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  bool exclusive = info[1].As<Napi::Boolean>();
  bool try_only = info.Length() > 2 && info[2].As<Napi::Boolean>();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(info.Env(), errno, "opening " + path);
  int rc;
  do {
    rc = flock(fd, (exclusive ? LOCK_EX : LOCK_SH) | (try_only ? LOCK_NB : 0));
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    close(fd);
    if (try_only && err == EWOULDBLOCK) return Napi::Number::New(info.Env(), -1);
    return ThrowErrno(info.Env(), err, "locking " + path);
  }
  return Napi::Number::New(info.Env(), fd);
}

// reapChild(pid) -> true if `pid` was our child and had exited; never blocks. A failed create is
// the parent of the init it tears down: reaping it leaves no zombie behind.
Napi::Value ReapChild(const Napi::CallbackInfo& info) {
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  int status;
  return Napi::Boolean::New(info.Env(), waitpid(pid, &status, WNOHANG) == pid);
}

}  // namespace cista
