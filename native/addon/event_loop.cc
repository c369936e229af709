// Waiting without blocking: an fd watched by Node's own event loop (libuv's epoll), so that no call
// blocks the loop and no thread is parked per process. A pidfd becomes readable when its process
// exits, the sync socket when the init has sent a message.
#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <sys/ioctl.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>
#include <uv.h>

#include <unordered_map>

#include "addon/addon.h"

#ifndef P_PIDFD
#define P_PIDFD 3
#endif

namespace cista {
namespace {

// PIDFD_GET_INFO (Linux 6.13+) with PIDFD_INFO_EXIT (6.15+): the exit status of a process that is not
// our child, kept by the kernel once its parent has reaped it. Debian 12's headers predate both.
struct PidfdInfo {
  uint64_t mask;
  uint64_t cgroupid;
  uint32_t ids[11];  // pid, tgid, ppid, ruid, rgid, euid, egid, suid, sgid, fsuid, fsgid
  int32_t exit_code;
};
static_assert(sizeof(PidfdInfo) == 64, "PIDFD_INFO_SIZE_VER0");
constexpr uint64_t PIDFD_INFO_EXIT_MASK = 1u << 3;
constexpr unsigned long PIDFD_GET_INFO_IOCTL = _IOWR(0xFF, 11, PidfdInfo);

Napi::Object ExitStatus(Napi::Env env, int code, int signal) {
  Napi::Object result = Napi::Object::New(env);
  result.Set("code", signal == 0 ? Napi::Number::New(env, code) : env.Null());
  result.Set("signal", signal == 0 ? env.Null() : Napi::Number::New(env, signal));
  return result;
}

// One armed watch: fires its callback once, then closes itself.
struct Watch {
  uv_poll_t handle;
  uint32_t id;
  Napi::FunctionReference callback;
  Napi::AsyncContext context;
  Watch(Napi::Env env, Napi::Function fn) : callback(Napi::Persistent(fn)), context(env, "cista.fdWatch") {}
};

// Per thread: each worker thread has its own event loop, and a watch's callback runs on its loop's thread.
thread_local std::unordered_map<uint32_t, Watch*> watches;
thread_local uint32_t next_watch_id = 1;

void close_watch(Watch* watch) {
  watches.erase(watch->id);
  uv_poll_stop(&watch->handle);
  uv_close(reinterpret_cast<uv_handle_t*>(&watch->handle), [](uv_handle_t* h) { delete static_cast<Watch*>(h->data); });
}

void on_readable(uv_poll_t* handle, int status, int) {
  Watch* watch = static_cast<Watch*>(handle->data);
  Napi::Env env = watch->callback.Env();
  Napi::HandleScope scope(env);
  Napi::Function fn = watch->callback.Value();
  Napi::Value error = status < 0 ? Napi::Error::New(env, std::string("watching an fd: ") + uv_strerror(status)).Value() : env.Null();
  close_watch(watch);
  // MakeCallback runs the promise jobs the callback queues, as any callback from the loop does.
  fn.MakeCallback(env.Global(), {error}, watch->context);
  if (env.IsExceptionPending()) napi_fatal_exception(env, env.GetAndClearPendingException().Value());
}

}  // namespace

// openPidfd(pid) -> a pidfd (close-on-exec), readable once the process has exited.
Napi::Value OpenPidfd(const Napi::CallbackInfo& info) {
  pid_t pid = info[0].As<Napi::Number>().Int32Value();
  long fd = syscall(SYS_pidfd_open, pid, 0);
  if (fd < 0) return ThrowErrno(info.Env(), errno, "pidfd_open " + std::to_string(pid));
  return Napi::Number::New(info.Env(), double(fd));
}

// exitStatusOf(pidfd) -> { code, signal } once exited (a child of ours is reaped here), 'running',
// or 'unknown': not our child, and the kernel keeps no status for it (before Linux 6.15, or before
// its parent has reaped it).
Napi::Value ExitStatusOf(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int pidfd = info[0].As<Napi::Number>().Int32Value();
  siginfo_t si = {};
  int rc;
  do rc = waitid(idtype_t(P_PIDFD), id_t(pidfd), &si, WEXITED | WNOHANG);
  while (rc < 0 && errno == EINTR);
  if (rc == 0) {
    if (si.si_pid == 0) return Napi::String::New(env, "running");
    return si.si_code == CLD_EXITED ? ExitStatus(env, si.si_status, 0) : ExitStatus(env, 0, si.si_status);
  }
  // EAGAIN: a non-blocking pidfd (libuv made it so) of a child still running.
  if (errno == EAGAIN) return Napi::String::New(env, "running");
  if (errno != ECHILD) return ThrowErrno(env, errno, "waitid");
  PidfdInfo pinfo = {};
  pinfo.mask = PIDFD_INFO_EXIT_MASK;
  if (ioctl(pidfd, PIDFD_GET_INFO_IOCTL, &pinfo) == 0 && (pinfo.mask & PIDFD_INFO_EXIT_MASK) != 0) {
    int status = pinfo.exit_code;
    return WIFSIGNALED(status) ? ExitStatus(env, 0, WTERMSIG(status)) : ExitStatus(env, WEXITSTATUS(status), 0);
  }
  return Napi::String::New(env, "unknown");
}

// watchReadable(fd, callback(error | null), keepAlive) -> watch id. The callback runs once, when the
// fd is readable (or the watch failed). keepAlive false: the watch alone does not keep Node running.
Napi::Value WatchReadable(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Function fn = info[1].As<Napi::Function>();
  bool keep_alive = info[2].As<Napi::Boolean>();
  uv_loop_t* loop = nullptr;
  if (napi_get_uv_event_loop(env, &loop) != napi_ok) return ThrowErrno(env, EINVAL, "getting the event loop");
  Watch* watch = new Watch(env, fn);
  int rc = uv_poll_init(loop, &watch->handle, fd);
  if (rc < 0) {
    delete watch;
    return ThrowErrno(env, -rc, "watching fd " + std::to_string(fd));
  }
  watch->handle.data = watch;
  watch->id = next_watch_id++;
  rc = uv_poll_start(&watch->handle, UV_READABLE, on_readable);
  if (rc < 0) {
    uv_close(reinterpret_cast<uv_handle_t*>(&watch->handle), [](uv_handle_t* h) { delete static_cast<Watch*>(h->data); });
    return ThrowErrno(env, -rc, "watching fd " + std::to_string(fd));
  }
  watches[watch->id] = watch;
  if (!keep_alive) uv_unref(reinterpret_cast<uv_handle_t*>(&watch->handle));
  return Napi::Number::New(env, watch->id);
}

// cancelWatch(id): the callback will not run. A watch that has fired or was cancelled is ignored.
Napi::Value CancelWatch(const Napi::CallbackInfo& info) {
  auto found = watches.find(info[0].As<Napi::Number>().Uint32Value());
  if (found != watches.end()) close_watch(found->second);
  return info.Env().Undefined();
}

// setWatchKeepsAlive(id, keepAlive): whether a pending watch keeps Node running.
Napi::Value SetWatchKeepsAlive(const Napi::CallbackInfo& info) {
  auto found = watches.find(info[0].As<Napi::Number>().Uint32Value());
  if (found == watches.end()) return info.Env().Undefined();
  uv_handle_t* handle = reinterpret_cast<uv_handle_t*>(&found->second->handle);
  if (info[1].As<Napi::Boolean>()) uv_ref(handle);
  else uv_unref(handle);
  return info.Env().Undefined();
}

}  // namespace cista
