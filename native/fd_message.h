// A message that carries one file descriptor (SCM_RIGHTS), for the addon and the init helper alike.
#pragma once

#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>

namespace cista {

class FdMessage {
 public:
  FdMessage(void* data, size_t size) {
    iov_.iov_base = data;
    iov_.iov_len = size;
    memset(control_, 0, sizeof(control_));
    memset(&msg_, 0, sizeof(msg_));
    msg_.msg_iov = &iov_;
    msg_.msg_iovlen = 1;
    msg_.msg_control = control_;
    msg_.msg_controllen = sizeof(control_);
  }
  FdMessage(const FdMessage&) = delete;
  FdMessage& operator=(const FdMessage&) = delete;

  // Before sendmsg(): the fd travels with the data.
  void attach(int fd) {
    struct cmsghdr* c = CMSG_FIRSTHDR(&msg_);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    memcpy(CMSG_DATA(c), &fd, sizeof(int));
  }

  // After recvmsg(): the fd that came with the data, or -1.
  int received_fd() {
    int fd = -1;
    for (struct cmsghdr* c = CMSG_FIRSTHDR(&msg_); c != nullptr; c = CMSG_NXTHDR(&msg_, c)) {
      if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SCM_RIGHTS) memcpy(&fd, CMSG_DATA(c), sizeof(int));
    }
    return fd;
  }

  struct msghdr* header() { return &msg_; }

 private:
  struct iovec iov_;
  alignas(struct cmsghdr) char control_[CMSG_SPACE(sizeof(int))];
  struct msghdr msg_;
};

}  // namespace cista
