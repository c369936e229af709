// Notifications from a container's cgroup as fds that Node's event loop watches (watchReadable in
// event_loop.cc), never a thread or a poll per container. Which files mean what is TypeScript's
// business (src/engine/cgroups/oom-watch.ts); this file only makes and empties the fds.
#include <errno.h>
#include <fcntl.h>
#include <sys/eventfd.h>
#include <sys/inotify.h>
#include <unistd.h>

#include <string>

#include "addon/addon.h"
#include "addon/owned_fd.h"

namespace cista {
namespace {

bool write_all(int fd, const std::string& text) {
  ssize_t n;
  do n = write(fd, text.data(), text.size());
  while (n < 0 && errno == EINTR);
  return n == ssize_t(text.size());
}

}  // namespace

// registerCgroupEvent(dir, file) -> an eventfd (non-blocking, close-on-exec) that cgroup v1 signals
// when the event of `dir/file` happens (memory.oom_control: an OOM): "<eventfd> <fd of file>" written
// to dir/cgroup.event_control. The kernel also signals it when the cgroup is removed.
Napi::Value RegisterCgroupEvent(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string dir = info[0].As<Napi::String>();
  std::string file = dir + "/" + info[1].As<Napi::String>().Utf8Value();
  OwnedFd target(open(file.c_str(), O_RDONLY | O_CLOEXEC));
  if (target.fd < 0) return ThrowErrno(env, errno, "open " + file);
  OwnedFd event(eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK));
  if (event.fd < 0) return ThrowErrno(env, errno, "eventfd");
  std::string control_path = dir + "/cgroup.event_control";
  OwnedFd control(open(control_path.c_str(), O_WRONLY | O_CLOEXEC));
  if (control.fd < 0) return ThrowErrno(env, errno, "open " + control_path);
  std::string line = std::to_string(event.fd) + " " + std::to_string(target.fd);
  if (!write_all(control.fd, line)) return ThrowErrno(env, errno, "write " + control_path);
  // The kernel holds what it needs of the target file; only the eventfd stays open.
  return Napi::Number::New(env, event.release());
}

// watchFileChanges(paths) -> an inotify fd (non-blocking, close-on-exec) that becomes readable when
// one of the files is modified (cgroup v2 files change so, e.g. memory.events) or deleted (rmdir of
// a cgroup directory).
Napi::Value WatchFileChanges(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  Napi::Array paths = info[0].As<Napi::Array>();
  OwnedFd fd(inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (fd.fd < 0) return ThrowErrno(env, errno, "inotify_init1");
  for (uint32_t i = 0; i < paths.Length(); i++) {
    std::string path = paths.Get(i).As<Napi::String>();
    if (inotify_add_watch(fd.fd, path.c_str(), IN_MODIFY | IN_DELETE_SELF) < 0) return ThrowErrno(env, errno, "inotify_add_watch " + path);
  }
  return Napi::Number::New(env, fd.release());
}

// drainFd(fd) -> how many bytes a non-blocking fd had to read (an eventfd's counter, inotify's
// events), so that it is not readable again until something new happens.
Napi::Value DrainFd(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  int fd = info[0].As<Napi::Number>().Int32Value();
  // Large enough for an eventfd's 8 bytes and for any one inotify event with its name.
  alignas(inotify_event) char buffer[4096];
  double total = 0;
  for (;;) {
    ssize_t n = read(fd, buffer, sizeof buffer);
    if (n > 0) {
      total += double(n);
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n == 0 || errno == EAGAIN) break;
    return ThrowErrno(env, errno, "read");
  }
  return Napi::Number::New(env, total);
}

}  // namespace cista
