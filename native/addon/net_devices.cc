// linux.netDevices: moving a network device from one network namespace to another over rtnetlink
// (no `ip`), as runc does: the permanent global addresses are read first (the kernel drops them on
// the move, and IPv6 ones already when the link goes down), the link is set down, moved and renamed
// in one RTM_NEWLINK, then the addresses are added back and the link set up on the other side.
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon/addon.h"
#include "addon/thread_namespaces.h"

namespace cista {
namespace {

// One rtnetlink request being built: header, family struct, attributes.
class Request {
 public:
  Request(uint16_t type, uint16_t flags) {
    struct nlmsghdr header = {};
    header.nlmsg_type = type;
    header.nlmsg_flags = uint16_t(NLM_F_REQUEST | flags);
    append(&header, sizeof header);
  }
  void append(const void* data, size_t size) {
    const char* bytes = static_cast<const char*>(data);
    buffer_.insert(buffer_.end(), bytes, bytes + size);
    buffer_.resize(NLMSG_ALIGN(buffer_.size()));
  }
  void attribute(uint16_t type, const void* data, size_t size) {
    struct rtattr attr;
    attr.rta_type = type;
    attr.rta_len = uint16_t(RTA_LENGTH(size));
    size_t start = buffer_.size();
    buffer_.resize(start + RTA_SPACE(size));
    memcpy(&buffer_[start], &attr, sizeof attr);
    memcpy(&buffer_[start + RTA_LENGTH(0)], data, size);
  }
  void attribute(uint16_t type, const std::string& text) { attribute(type, text.c_str(), text.size() + 1); }
  struct nlmsghdr* header() {
    struct nlmsghdr* h = reinterpret_cast<struct nlmsghdr*>(buffer_.data());
    h->nlmsg_len = uint32_t(buffer_.size());
    return h;
  }

 private:
  std::vector<char> buffer_;
};

struct Address {
  unsigned char family;
  unsigned char prefix_length;
  std::vector<char> local;
};

// A NETLINK_ROUTE socket bound to the network namespace it was made in.
class Netlink {
 public:
  ~Netlink() {
    if (fd_ >= 0) close(fd_);
  }

  // Makes the socket inside the network namespace at `netns` (the calling thread enters it briefly).
  bool open_in(const std::string& netns, int* err) {
    ThreadNamespaces thread;
    std::string failed;
    if (!thread.enter({JoinNamespace{uint32_t(CLONE_NEWNET), netns}}, err, &failed)) return false;
    fd_ = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    *err = errno;
    return fd_ >= 0;
  }

  // Sends `request` and reads the answers until its ACK (or the end of a dump), handing each other
  // message to `each`. Returns 0 or an errno.
  template <typename Each>
  int exchange(Request* request, Each each) {
    struct nlmsghdr* header = request->header();
    header->nlmsg_seq = ++seq_;
    if (send(fd_, header, header->nlmsg_len, 0) < 0) return errno;
    std::vector<char> buffer(1 << 16);
    for (;;) {
      ssize_t n = recv(fd_, buffer.data(), buffer.size(), 0);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) return errno;
      int len = int(n);
      for (struct nlmsghdr* h = reinterpret_cast<struct nlmsghdr*>(buffer.data()); NLMSG_OK(h, len); h = NLMSG_NEXT(h, len)) {
        if (h->nlmsg_seq != seq_) continue;
        if (h->nlmsg_type == NLMSG_DONE) return 0;
        if (h->nlmsg_type == NLMSG_ERROR) return -static_cast<struct nlmsgerr*>(NLMSG_DATA(h))->error;
        each(h);
      }
    }
  }

  // The index of the link named `name`, or -errno.
  int link_index(const std::string& name) {
    Request request(RTM_GETLINK, NLM_F_ACK);
    struct ifinfomsg info = {};
    request.append(&info, sizeof info);
    request.attribute(IFLA_IFNAME, name);
    int index = -ENODEV;
    int err = exchange(&request, [&](struct nlmsghdr* h) {
      if (h->nlmsg_type == RTM_NEWLINK) index = static_cast<struct ifinfomsg*>(NLMSG_DATA(h))->ifi_index;
    });
    return err != 0 ? -err : index;
  }

  // RTM_NEWLINK on link `index`: up or down, and with `rest` (attributes) appended by the caller.
  template <typename Rest>
  int change_link(int index, bool up, Rest rest) {
    Request request(RTM_NEWLINK, NLM_F_ACK);
    struct ifinfomsg info = {};
    info.ifi_index = index;
    info.ifi_change = IFF_UP;
    info.ifi_flags = up ? IFF_UP : 0;
    request.append(&info, sizeof info);
    rest(&request);
    return exchange(&request, [](struct nlmsghdr*) {});
  }

  // The permanent addresses of global scope on link `index` (runc moves those, not the
  // kernel's or DHCP's).
  int addresses(int index, std::vector<Address>* out) {
    Request request(RTM_GETADDR, NLM_F_DUMP);
    struct ifaddrmsg dump = {};
    request.append(&dump, sizeof dump);
    return exchange(&request, [&](struct nlmsghdr* h) {
      if (h->nlmsg_type != RTM_NEWADDR) return;
      struct ifaddrmsg* ifa = static_cast<struct ifaddrmsg*>(NLMSG_DATA(h));
      if (int(ifa->ifa_index) != index || ifa->ifa_scope != RT_SCOPE_UNIVERSE) return;
      uint32_t flags = ifa->ifa_flags;
      std::vector<char> local, address;
      int len = int(IFA_PAYLOAD(h));
      for (struct rtattr* a = IFA_RTA(ifa); RTA_OK(a, len); a = RTA_NEXT(a, len)) {
        const char* data = static_cast<const char*>(RTA_DATA(a));
        if (a->rta_type == IFA_FLAGS) memcpy(&flags, data, sizeof flags);
        if (a->rta_type == IFA_LOCAL) local.assign(data, data + RTA_PAYLOAD(a));
        if (a->rta_type == IFA_ADDRESS) address.assign(data, data + RTA_PAYLOAD(a));
      }
      if (!(flags & IFA_F_PERMANENT)) return;
      out->push_back({ifa->ifa_family, ifa->ifa_prefixlen, local.empty() ? address : local});
    });
  }

  int add_address(int index, const Address& address) {
    Request request(RTM_NEWADDR, NLM_F_ACK | NLM_F_CREATE | NLM_F_REPLACE);
    struct ifaddrmsg ifa = {};
    ifa.ifa_family = address.family;
    ifa.ifa_prefixlen = address.prefix_length;
    ifa.ifa_scope = RT_SCOPE_UNIVERSE;
    ifa.ifa_index = uint32_t(index);
    request.append(&ifa, sizeof ifa);
    request.attribute(IFA_LOCAL, address.local.data(), address.local.size());
    request.attribute(IFA_ADDRESS, address.local.data(), address.local.size());
    return exchange(&request, [](struct nlmsghdr*) {});
  }

 private:
  int fd_ = -1;
  uint32_t seq_ = 0;
};

}  // namespace

// moveNetDevice(fromNetns, name, toNetns, newName): moves the link `name` of the network namespace
// at path `fromNetns` into the one at `toNetns`, renamed `newName`, with its addresses, and up.
Napi::Value MoveNetDevice(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  std::string from_path = info[0].As<Napi::String>();
  std::string name = info[1].As<Napi::String>();
  std::string to_path = info[2].As<Napi::String>();
  std::string new_name = info[3].As<Napi::String>();
  Netlink from, to;
  int err = 0;
  if (!from.open_in(from_path, &err) || !to.open_in(to_path, &err)) return ThrowErrno(env, err, "opening rtnetlink");
  int index = from.link_index(name);
  if (index < 0) return ThrowErrno(env, -index, "finding network device " + name);
  std::vector<Address> addresses;
  if ((err = from.addresses(index, &addresses)) != 0) return ThrowErrno(env, err, "reading the addresses of " + name);
  if ((err = from.change_link(index, false, [](Request*) {})) != 0) return ThrowErrno(env, err, "setting " + name + " down");
  int target = open(to_path.c_str(), O_RDONLY | O_CLOEXEC);
  if (target < 0) return ThrowErrno(env, errno, "opening network namespace " + to_path);
  err = from.change_link(index, false, [&](Request* request) {
    uint32_t fd = uint32_t(target);
    request->attribute(IFLA_NET_NS_FD, &fd, sizeof fd);
    request->attribute(IFLA_IFNAME, new_name);
  });
  close(target);
  if (err != 0) return ThrowErrno(env, err, "moving " + name + " as " + new_name);
  int moved = to.link_index(new_name);
  if (moved < 0) return ThrowErrno(env, -moved, "finding " + new_name + " after the move");
  for (const Address& address : addresses) {
    if ((err = to.add_address(moved, address)) != 0) return ThrowErrno(env, err, "adding an address of " + name + " back");
  }
  if ((err = to.change_link(moved, true, [](Request*) {})) != 0) return ThrowErrno(env, err, "setting " + new_name + " up");
  return env.Undefined();
}

}  // namespace cista
