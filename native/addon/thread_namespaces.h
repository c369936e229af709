// Entering namespaces on the calling thread only, and going back: what a thread of a multithreaded
// process (Node) may do for the namespace types that allow it (not mount, not user).
#pragma once

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "generated/protocol.h"

namespace cista {

// Namespaces the calling thread enters, restored by restore() or the destructor. spawn.cc enters
// them around clone() so that the child is born in them (a pid namespace only ever applies to
// children, and a child made in a new user namespace could no longer join namespaces owned by the
// host's); net_devices.cc, to open a netlink socket in a container's network namespace.
class ThreadNamespaces {
 public:
  ~ThreadNamespaces() { restore(); }

  bool enter(const std::vector<JoinNamespace>& joins, int* err, std::string* failed_path) {
    for (const JoinNamespace& join : joins) {
      const char* name = proc_name(join.type);
      int own = name ? open((std::string("/proc/thread-self/ns/") + name).c_str(), O_RDONLY | O_CLOEXEC) : -1;
      int target = name ? open(join.path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
      if (own < 0 || target < 0 || setns(target, int(join.type)) != 0) {
        *err = name ? errno : EINVAL;
        *failed_path = join.path;
        if (own >= 0) close(own);
        if (target >= 0) close(target);
        restore();
        return false;
      }
      close(target);
      saved_.push_back({own, join.type});
    }
    return true;
  }

  // Back to the runtime's own namespaces, last entered first.
  void restore() {
    while (!saved_.empty()) {
      // Going on in a container's namespace would be worse than stopping here.
      if (setns(saved_.back().fd, int(saved_.back().type)) != 0) abort();
      close(saved_.back().fd);
      saved_.pop_back();
    }
  }

 private:
  static const char* proc_name(uint32_t type) {
    for (const NamespaceInfo& ns : kNamespaces)
      if (ns.flag == type && ns.thread_joinable) return ns.proc_file;
    return nullptr;
  }

  struct Saved {
    int fd;
    uint32_t type;
  };
  std::vector<Saved> saved_;
};

}  // namespace cista
