// The runtime's side of a foreground container's terminal: window size changes reach the pty, and
// the caller's terminal is put in raw mode (and restored) while it is connected to the pty.
#include <errno.h>
#include <sys/ioctl.h>
#include <string.h>
#include <termios.h>

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

// makeRawTerminal(fd) -> the previous settings, for restoreTerminal. cfmakeraw, as runc's console:
// output processing off too, so the container's pty alone turns \n into \r\n (libuv's raw mode,
// Node's setRawMode, keeps ONLCR and every line would end \r\r\n).
Napi::Value MakeRawTerminal(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  struct termios saved;
  if (tcgetattr(fd, &saved) != 0) return ThrowErrno(info.Env(), errno, "reading the terminal's settings");
  struct termios raw = saved;
  cfmakeraw(&raw);
  if (tcsetattr(fd, TCSANOW, &raw) != 0) return ThrowErrno(info.Env(), errno, "setting the terminal to raw mode");
  return Napi::Buffer<char>::Copy(info.Env(), reinterpret_cast<const char*>(&saved), sizeof saved);
}

// restoreTerminal(fd, saved)
Napi::Value RestoreTerminal(const Napi::CallbackInfo& info) {
  int fd = info[0].As<Napi::Number>().Int32Value();
  Napi::Buffer<char> saved = info[1].As<Napi::Buffer<char>>();
  if (saved.Length() != sizeof(struct termios)) return ThrowErrno(info.Env(), EINVAL, "restoring the terminal's settings");
  struct termios settings;
  memcpy(&settings, saved.Data(), sizeof settings);
  if (tcsetattr(fd, TCSADRAIN, &settings) != 0) return ThrowErrno(info.Env(), errno, "restoring the terminal's settings");
  return info.Env().Undefined();
}

}  // namespace cista
