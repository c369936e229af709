// Kernel features the init helper relies on, probed with calls that change nothing: `cista check`
// reports them. Each answer is 0 (available) or the errno the kernel gave (ENOSYS: not in this kernel,
// EPERM: refused, e.g. by a seccomp filter around us).
#include <errno.h>
#include <fcntl.h>
#include <linux/openat2.h>
#include <linux/seccomp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "addon/addon.h"

namespace cista {

namespace {

// A probe's call is made to fail harmlessly (a bad fd, an unknown name): any error but these
// means the kernel has the call and let cista make it.
int Availability(long result) {
  if (result >= 0) return 0;
  return errno == ENOSYS || errno == EPERM || errno == EACCES ? errno : 0;
}

int ProbeOpenat2() {
  struct open_how how = {};
  how.resolve = RESOLVE_IN_ROOT;
  long fd = syscall(SYS_openat2, AT_FDCWD, "/", &how, sizeof how);
  if (fd >= 0) close((int)fd);
  return Availability(fd);
}

// fsopen of a filesystem type that does not exist (ENODEV).
int ProbeNewMountApi() { return Availability(syscall(SYS_fsopen, "cista-probe-no-such-fs", 0)); }

// mount_setattr with no attributes (EINVAL): the read-only and propagation steps use it.
int ProbeMountSetattr() { return Availability(syscall(SYS_mount_setattr, -1, "", 0, nullptr, 0)); }

// close_range with a range that holds no fd.
int ProbeCloseRange() { return Availability(syscall(SYS_close_range, ~0U, ~0U, 0)); }

int ProbePidfd() {
  long fd = syscall(SYS_pidfd_open, getpid(), 0);
  if (fd >= 0) close((int)fd);
  return Availability(fd);
}

// Whether seccomp filters can be loaded: asks for an action the kernel must know.
int ProbeSeccomp() {
  unsigned int action = SECCOMP_RET_ERRNO;
  return Availability(syscall(SYS_seccomp, SECCOMP_GET_ACTION_AVAIL, 0, &action));
}

}  // namespace

// probeKernel() -> { openat2, newMountApi, mountSetattr, closeRange, pidfd, seccomp }: errno or 0
Napi::Value ProbeKernel(const Napi::CallbackInfo& info) {
  Napi::Object result = Napi::Object::New(info.Env());
  result.Set("openat2", ProbeOpenat2());
  result.Set("newMountApi", ProbeNewMountApi());
  result.Set("mountSetattr", ProbeMountSetattr());
  result.Set("closeRange", ProbeCloseRange());
  result.Set("pidfd", ProbePidfd());
  result.Set("seccomp", ProbeSeccomp());
  return result;
}

}  // namespace cista
