// An fd closed when it goes out of scope, unless released to the caller.
#pragma once

#include <unistd.h>

namespace cista {

struct OwnedFd {
  int fd;
  explicit OwnedFd(int f) : fd(f) {}
  OwnedFd(const OwnedFd&) = delete;
  OwnedFd& operator=(const OwnedFd&) = delete;
  ~OwnedFd() {
    if (fd >= 0) close(fd);
  }
  // The fd, no longer closed here.
  int release() {
    int f = fd;
    fd = -1;
    return f;
  }
};

}  // namespace cista
