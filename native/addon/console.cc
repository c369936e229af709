// The runtime's side of a foreground container's terminal: window size changes reach the pty.
#include <errno.h>
#include <sys/ioctl.h>

#include "addon/addon.h"

namespace cista {

// resizePty(masterFd, rows, columns)
Napi::Value ResizePty(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct winsize size = {};
  size.ws_row = (unsigned short)info[1].As<Napi::Number>().Uint32Value();
  size.ws_col = (unsigned short)info[2].As<Napi::Number>().Uint32Value();
  if (ioctl(fd, TIOCSWINSZ, &size) != 0) return ThrowErrno(info.Env(), errno, "resizing the container's terminal");
  return info.Env().Undefined();
}

}  // namespace cista
