// File primitives Node lacks: fifos, O_PATH fds, flock(), and a waitpid() off the main thread.
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

// openPath(path) -> fd opened O_PATH|O_CLOEXEC
Napi::Value OpenPath(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  int fd = open(path.c_str(), O_PATH | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(info.Env(), errno, "opening " + path);
  return Napi::Number::New(info.Env(), fd);
}

// lockFile(path, exclusive) -> fd holding a blocking flock(); closing the fd releases it.
Napi::Value LockFile(const Napi::CallbackInfo& info) {
  std::string path = info[0].As<Napi::String>();
  bool exclusive = info[1].As<Napi::Boolean>();
  int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ThrowErrno(info.Env(), errno, "opening " + path);
  int rc;
  do {
    rc = flock(fd, exclusive ? LOCK_EX : LOCK_SH);
  } while (rc != 0 && errno == EINTR);
  if (rc != 0) {
    int err = errno;
    close(fd);
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

namespace {

class WaitWorker : public Napi::AsyncWorker {
 public:
  WaitWorker(Napi::Env env, pid_t pid) : Napi::AsyncWorker(env), pid_(pid), deferred_(Napi::Promise::Deferred::New(env)) {}
  Napi::Promise Promise() { return deferred_.Promise(); }

  void Execute() override {
    int rc;
    do {
      rc = waitpid(pid_, &status_, 0);
    } while (rc < 0 && errno == EINTR);
    if (rc < 0) err_ = errno;
  }

  void OnOK() override {
    Napi::Env env = Env();
    if (err_ != 0) {
      Napi::Error e = Napi::Error::New(env, "waitpid: " + error_text(err_));
      deferred_.Reject(e.Value());
      return;
    }
    Napi::Object result = Napi::Object::New(env);
    if (WIFSIGNALED(status_)) {
      result.Set("code", env.Null());
      result.Set("signal", Napi::Number::New(env, WTERMSIG(status_)));
    } else {
      result.Set("code", Napi::Number::New(env, WEXITSTATUS(status_)));
      result.Set("signal", env.Null());
    }
    deferred_.Resolve(result);
  }

 private:
  pid_t pid_;
  int status_ = 0;
  int err_ = 0;
  Napi::Promise::Deferred deferred_;
};

}  // namespace

// waitPid(pid) -> Promise<{ code: number | null, signal: number | null }>
Napi::Value WaitPid(const Napi::CallbackInfo& info) {
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  WaitWorker* worker = new WaitWorker(info.Env(), pid);
  Napi::Promise promise = worker->Promise();
  worker->Queue();
  return promise;
}

}  // namespace cista
