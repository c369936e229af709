// Bounds-checked decoder of the launch plan (see plan.h). A short or oversized field fails the whole
// plan: a length can never run past the received buffer (the lesson of CVE-2021-43784).
#include "plan.h"

#include <string.h>

namespace cista {
namespace {

class Reader {
 public:
  Reader(const uint8_t* data, size_t size) : data_(data), size_(size) {}

  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == size_; }

  uint8_t u8() {
    uint8_t v = 0;
    take(&v, 1);
    return v;
  }
  uint32_t u32() {
    uint8_t b[4] = {0, 0, 0, 0};
    take(b, 4);
    return uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  }
  int32_t i32() { return int32_t(u32()); }
  uint64_t u64() {
    uint64_t lo = u32();
    uint64_t hi = u32();
    return lo | hi << 32;
  }
  std::string str() {
    uint32_t len = u32();
    if (!ok_ || len > size_ - pos_) {
      ok_ = false;
      return std::string();
    }
    std::string s(reinterpret_cast<const char*>(data_ + pos_), len);
    pos_ += len;
    if (memchr(s.data(), 0, s.size()) != nullptr) ok_ = false;
    return s;
  }
  // u32 length + raw bytes, at most `max` of them.
  std::vector<uint8_t> bytes(size_t max) {
    uint32_t len = u32();
    if (!ok_ || len > max || len > size_ - pos_) {
      ok_ = false;
      return std::vector<uint8_t>();
    }
    std::vector<uint8_t> v(data_ + pos_, data_ + pos_ + len);
    pos_ += len;
    return v;
  }
  void fail() { ok_ = false; }
  // Reads a count and checks that at least `min_item_size` bytes per item remain, so a forged count
  // cannot make us allocate more than the buffer could describe.
  uint32_t count(size_t min_item_size) {
    uint32_t n = u32();
    if (!ok_ || (min_item_size > 0 && n > (size_ - pos_) / min_item_size)) {
      ok_ = false;
      return 0;
    }
    return n;
  }

 private:
  void take(void* out, size_t n) {
    if (!ok_ || n > size_ - pos_) {
      ok_ = false;
      return;
    }
    memcpy(out, data_ + pos_, n);
    pos_ += n;
  }

  const uint8_t* data_;
  size_t size_;
  size_t pos_ = 0;
  bool ok_ = true;
};

void read_mount(Reader& r, MountStep* m) {
  m->kind = MountKind(r.u32());
  m->source = r.str();
  m->destination = r.str();
  m->fstype = r.str();
  m->flags = r.u32();
  m->remount_flags = r.u32();
  uint32_t n = r.count(4);
  for (uint32_t i = 0; i < n && r.ok(); i++) m->propagation.push_back(r.u32());
  m->data = r.str();
  m->destination_kind = DestinationKind(r.u32());
  m->copy_up = r.u32() != 0;
}

void read_hooks(Reader& r, std::vector<Hook>* hooks) {
  for (uint32_t i = 0, n = r.count(16); i < n && r.ok(); i++) {
    Hook h;
    h.path = r.str();
    for (uint32_t j = 0, m = r.count(4); j < m && r.ok(); j++) h.args.push_back(r.str());
    for (uint32_t j = 0, m = r.count(4); j < m && r.ok(); j++) h.env.push_back(r.str());
    h.timeout_seconds = r.u32();
    hooks->push_back(h);
  }
}

}  // namespace

bool decode_plan(const uint8_t* data, size_t size, LaunchPlan* plan, std::string* error) {
  Reader r(data, size);
  uint32_t version = r.u32();
  if (!r.ok() || version != kPlanFormatVersion) {
    *error = "launch plan has an unknown format version";
    return false;
  }
  for (uint32_t i = 0, n = r.count(8); i < n && r.ok(); i++) {
    JoinNamespace ns;
    ns.type = r.u32();
    ns.path = r.str();
    plan->join_namespaces.push_back(ns);
  }
  plan->unshare_flags = r.u32();
  plan->has_session_keyring = r.u8() != 0;
  if (plan->has_session_keyring) plan->session_keyring = r.str();
  plan->has_hostname = r.u8() != 0;
  if (plan->has_hostname) plan->hostname = r.str();
  plan->has_domainname = r.u8() != 0;
  if (plan->has_domainname) plan->domainname = r.str();
  plan->has_rootfs = r.u8() != 0;
  if (plan->has_rootfs) {
    plan->rootfs.path = r.str();
    plan->rootfs.propagation = r.u32();
    plan->rootfs.readonly = r.u8() != 0;
    plan->rootfs.pivot = r.u8() != 0;
    plan->rootfs.own_mount_namespace = r.u8() != 0;
  }
  for (uint32_t i = 0, n = r.count(36); i < n && r.ok(); i++) {
    MountStep m;
    read_mount(r, &m);
    plan->mounts.push_back(m);
  }
  for (uint32_t i = 0, n = r.count(28); i < n && r.ok(); i++) {
    DeviceNode d;
    d.path = r.str();
    d.file_type = r.u32();
    d.major = r.u32();
    d.minor = r.u32();
    d.mode = r.u32();
    d.uid = r.u32();
    d.gid = r.u32();
    plan->devices.push_back(d);
  }
  for (uint32_t i = 0, n = r.count(8); i < n && r.ok(); i++) {
    Symlink s;
    s.target = r.str();
    s.path = r.str();
    plan->symlinks.push_back(s);
  }
  for (uint32_t i = 0, n = r.count(4); i < n && r.ok(); i++) plan->masked_paths.push_back(r.str());
  for (uint32_t i = 0, n = r.count(4); i < n && r.ok(); i++) plan->readonly_paths.push_back(r.str());
  for (uint32_t i = 0, n = r.count(8); i < n && r.ok(); i++) {
    Sysctl s;
    s.path = r.str();
    s.value = r.str();
    plan->sysctls.push_back(s);
  }
  for (uint32_t i = 0, n = r.count(20); i < n && r.ok(); i++) {
    Rlimit l;
    l.resource = r.u32();
    l.soft = r.u64();
    l.hard = r.u64();
    plan->rlimits.push_back(l);
  }
  plan->uid = r.u32();
  plan->gid = r.u32();
  for (uint32_t i = 0, n = r.count(4); i < n && r.ok(); i++) plan->additional_gids.push_back(r.u32());
  plan->has_umask = r.u8() != 0;
  if (plan->has_umask) plan->umask = r.i32();
  plan->capabilities.bounding = r.u64();
  plan->capabilities.effective = r.u64();
  plan->capabilities.permitted = r.u64();
  plan->capabilities.inheritable = r.u64();
  plan->capabilities.ambient = r.u64();
  plan->no_new_privileges = r.u8() != 0;
  plan->has_seccomp = r.u8() != 0;
  if (plan->has_seccomp) {
    plan->seccomp_program = r.bytes(kMaxSeccompInstructions * kSockFilterSize);
    if (plan->seccomp_program.empty() || plan->seccomp_program.size() % kSockFilterSize != 0) r.fail();
    plan->seccomp_flags = r.u32();
  }
  plan->cwd = r.str();
  for (uint32_t i = 0, n = r.count(4); i < n && r.ok(); i++) plan->args.push_back(r.str());
  for (uint32_t i = 0, n = r.count(4); i < n && r.ok(); i++) plan->env.push_back(r.str());
  plan->terminal = r.u8() != 0;
  plan->has_console_size = r.u8() != 0;
  if (plan->has_console_size) {
    plan->console_rows = r.u32();
    plan->console_columns = r.u32();
  }
  plan->await_hooks = r.u8() != 0;
  read_hooks(r, &plan->create_container_hooks);
  read_hooks(r, &plan->start_container_hooks);
  plan->wait_for_start = r.u8() != 0;
  if (!r.ok() || !r.at_end()) {
    *error = "launch plan is truncated or malformed";
    return false;
  }
  return true;
}

}  // namespace cista
