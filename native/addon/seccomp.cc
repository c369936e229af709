// compileSeccompFilter(): libseccomp turns a filter that TypeScript has fully resolved into numbers
// (src/engine/plan/seccomp.ts) into a classic BPF program, which goes into the launch plan. Only
// the runtime links libseccomp; the static init helper just loads the bytes with seccomp(2).
#include <errno.h>
#include <linux/audit.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <stddef.h>
#include <seccomp.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>
#include <vector>

#include "addon/addon.h"
#include "generated/protocol.h"

namespace cista {
namespace {

struct Context {
  scmp_filter_ctx ctx = nullptr;
  ~Context() {
    if (ctx != nullptr) seccomp_release(ctx);
  }
};

struct Fd {
  int fd = -1;
  ~Fd() {
    if (fd >= 0) close(fd);
  }
};

Napi::Value Fail(Napi::Env env, const std::string& message) {
  Napi::Error::New(env, message).ThrowAsJavaScriptException();
  return env.Undefined();
}

// libseccomp returns -errno.
Napi::Value FailCode(Napi::Env env, int negative_errno, const std::string& what) {
  return ThrowErrno(env, -negative_errno, what);
}

bool GetUint32(Napi::Object object, const char* key, uint32_t* out) {
  Napi::Value v = object.Get(key);
  if (!v.IsNumber()) return false;
  double d = v.As<Napi::Number>().DoubleValue();
  if (!(d >= 0 && d <= 4294967295.0) || d != static_cast<double>(static_cast<uint32_t>(d))) return false;
  *out = static_cast<uint32_t>(d);
  return true;
}

bool GetUint64(Napi::Object object, const char* key, uint64_t* out) {
  Napi::Value v = object.Get(key);
  if (!v.IsBigInt()) return false;
  bool lossless = false;
  *out = v.As<Napi::BigInt>().Uint64Value(&lossless);
  return lossless;
}

// runc's answer to syscalls newer than a profile: a profile written before a syscall existed cannot
// allow it, and its default action (EPERM, or a kill) makes programs that would fall back from a new
// syscall to an old one on ENOSYS (as glibc does for clone3, faccessat2, ...) fail instead. So, per
// architecture, a syscall number above the highest one the profile names gets ENOSYS, as from a
// kernel that lacks it. The stub goes in front of libseccomp's program; everything else falls through.
class EnosysStub {
 public:
  // Each architecture token of the filter with the highest number of `names` on it (none: skipped).
  void add_architecture(uint32_t token, const std::vector<std::string>& names) {
    int highest = -1;
    for (const std::string& name : names) {
      // Negative: unknown, or a pseudo-syscall this architecture does not have.
      int number = seccomp_syscall_resolve_name_arch(token, name.c_str());
      if (number > highest) highest = number;
    }
    if (highest < 0) return;
    // x32 shares x86_64's AUDIT_ARCH; its syscall numbers have bit 30 set (libseccomp's include it).
    bool x32 = token == SCMP_ARCH_X32;
    uint32_t audit = x32 ? AUDIT_ARCH_X86_64 : token;
    Section* section = find(audit);
    if (section == nullptr) {
      sections_.push_back(Section{audit});
      section = &sections_.back();
    }
    (x32 ? section->highest_x32 : section->highest) = highest;
  }

  // The stub followed by `program`.
  std::vector<sock_filter> prepend_to(const std::vector<sock_filter>& program) {
    if (sections_.empty()) return program;
    emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, arch));
    for (const Section& s : sections_) {
      size_t jeq = code_.size();
      emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 0, s.audit);
      emit(BPF_LD | BPF_W | BPF_ABS, 0, 0, offsetof(struct seccomp_data, nr));
      if (s.audit == AUDIT_ARCH_X86_64) {
        size_t jset = code_.size();
        emit(BPF_JMP | BPF_JSET | BPF_K, 0, 0, kX32SyscallBit);
        compare(s.highest);
        code_[jset].jt = uint8_t(code_.size() - jset - 1);
        compare(s.highest_x32);
      } else {
        // s390's syscall 0 multiplexes large syscall numbers: the kernel leaves an unknown one at 0.
        if (s.audit == AUDIT_ARCH_S390 || s.audit == AUDIT_ARCH_S390X) {
          emit(BPF_JMP | BPF_JEQ | BPF_K, 0, 1, 0);
          emit(BPF_RET | BPF_K, 0, 0, kEnosys);
        }
        compare(s.highest);
      }
      code_[jeq].jf = uint8_t(code_.size() - jeq - 1);
    }
    jump_to_filter();
    // Every "ja" lands on the first instruction of libseccomp's program.
    for (size_t at : jumps_) code_[at].k = uint32_t(code_.size() - at - 1);
    code_.insert(code_.end(), program.begin(), program.end());
    return code_;
  }

 private:
  static constexpr uint32_t kX32SyscallBit = 0x40000000;
  static constexpr uint32_t kEnosys = SECCOMP_RET_ERRNO | (ENOSYS & SECCOMP_RET_DATA);

  struct Section {
    uint32_t audit;
    int highest = -1;
    int highest_x32 = -1;
  };

  Section* find(uint32_t audit) {
    for (Section& s : sections_)
      if (s.audit == audit) return &s;
    return nullptr;
  }
  void emit(uint16_t code, uint8_t jt, uint8_t jf, uint32_t k) { code_.push_back(sock_filter{code, jt, jf, k}); }
  void jump_to_filter() {
    jumps_.push_back(code_.size());
    emit(BPF_JMP | BPF_JA, 0, 0, 0);
  }
  // nr > highest: ENOSYS; otherwise (or with no highest for this mode) on to the filter.
  void compare(int highest) {
    if (highest >= 0) {
      emit(BPF_JMP | BPF_JGT | BPF_K, 0, 1, uint32_t(highest));
      emit(BPF_RET | BPF_K, 0, 0, kEnosys);
    }
    jump_to_filter();
  }

  std::vector<Section> sections_;
  std::vector<sock_filter> code_;
  std::vector<size_t> jumps_;
};

Napi::Value Usage(Napi::Env env, const std::string& detail) {
  Napi::TypeError::New(env, "compileSeccompFilter: " + detail).ThrowAsJavaScriptException();
  return env.Undefined();
}

}  // namespace

Napi::Value CompileSeccompFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 1 || !info[0].IsObject()) return Usage(env, "expects one filter object");
  Napi::Object filter = info[0].As<Napi::Object>();
  uint32_t default_action = 0;
  if (!GetUint32(filter, "defaultAction", &default_action)) return Usage(env, "defaultAction must be a u32");
  Napi::Value architectures = filter.Get("architectures");
  Napi::Value rules = filter.Get("rules");
  Napi::Value profile_syscalls = filter.Get("profileSyscalls");
  if (!architectures.IsArray() || !rules.IsArray() || !profile_syscalls.IsArray()) {
    return Usage(env, "architectures, rules and profileSyscalls must be arrays");
  }
  std::vector<std::string> names;
  Napi::Array names_array = profile_syscalls.As<Napi::Array>();
  for (uint32_t i = 0; i < names_array.Length(); i++) {
    Napi::Value v = names_array.Get(i);
    if (!v.IsString()) return Usage(env, "profileSyscalls must be strings");
    names.push_back(v.As<Napi::String>().Utf8Value());
  }
  std::vector<uint32_t> tokens = {seccomp_arch_native()};

  Context context;
  context.ctx = seccomp_init(default_action);
  if (context.ctx == nullptr) return Fail(env, "libseccomp refuses the default action");
  // The init sets no_new_privs itself when the config asks for it; libseccomp must not.
  int rc = seccomp_attr_set(context.ctx, SCMP_FLTATR_CTL_NNP, 0);
  if (rc < 0) return FailCode(env, rc, "seccomp_attr_set(SCMP_FLTATR_CTL_NNP)");

  Napi::Array arches = architectures.As<Napi::Array>();
  for (uint32_t i = 0; i < arches.Length(); i++) {
    Napi::Value v = arches.Get(i);
    if (!v.IsNumber()) return Usage(env, "architectures must be numbers");
    uint32_t arch = v.As<Napi::Number>().Uint32Value();
    rc = seccomp_arch_add(context.ctx, arch);
    // EEXIST: the native architecture, which the filter has from seccomp_init(), or a duplicate.
    if (rc == -EEXIST) continue;
    if (rc < 0) {
      char hex[16];
      snprintf(hex, sizeof(hex), "0x%08x", arch);
      return FailCode(env, rc, std::string("adding architecture ") + hex + " (unknown to this libseccomp?)");
    }
    tokens.push_back(arch);
  }

  Napi::Array list = rules.As<Napi::Array>();
  for (uint32_t i = 0; i < list.Length(); i++) {
    Napi::Value item = list.Get(i);
    if (!item.IsObject()) return Usage(env, "rules must be objects");
    Napi::Object rule = item.As<Napi::Object>();
    Napi::Value name = rule.Get("syscall");
    uint32_t action = 0;
    Napi::Value args = rule.Get("args");
    if (!name.IsString() || !GetUint32(rule, "action", &action) || !args.IsArray()) {
      return Usage(env, "a rule is { syscall: string, action: number, args: [] }");
    }
    std::string syscall = name.As<Napi::String>().Utf8Value();
    int number = seccomp_syscall_resolve_name(syscall.c_str());
    // Like runc: a syscall this libseccomp does not know is left out (profiles list future ones).
    if (number == __NR_SCMP_ERROR) continue;

    Napi::Array conditions = args.As<Napi::Array>();
    if (conditions.Length() > 6) return Usage(env, "a rule has at most 6 argument conditions");
    std::vector<scmp_arg_cmp> cmps;
    for (uint32_t j = 0; j < conditions.Length(); j++) {
      Napi::Value c = conditions.Get(j);
      if (!c.IsObject()) return Usage(env, "args must be objects");
      Napi::Object arg = c.As<Napi::Object>();
      uint32_t index = 0, op = 0;
      uint64_t value = 0, value_two = 0;
      if (!GetUint32(arg, "index", &index) || !GetUint32(arg, "op", &op) || !GetUint64(arg, "value", &value) ||
          !GetUint64(arg, "valueTwo", &value_two)) {
        return Usage(env, "an arg is { index: number, op: number, value: bigint, valueTwo: bigint }");
      }
      if (index > 5 || op <= _SCMP_CMP_MIN || op >= _SCMP_CMP_MAX) return Usage(env, "arg index or op out of range");
      cmps.push_back(scmp_arg_cmp{index, static_cast<scmp_compare>(op), value, value_two});
    }
    rc = seccomp_rule_add_array(context.ctx, action, number, static_cast<unsigned>(cmps.size()), cmps.data());
    if (rc < 0) return FailCode(env, rc, "adding a rule for " + syscall);
  }

  Fd memfd;
  memfd.fd = memfd_create("cista-seccomp", MFD_CLOEXEC);
  if (memfd.fd < 0) return ThrowErrno(env, errno, "memfd_create");
  rc = seccomp_export_bpf(context.ctx, memfd.fd);
  if (rc < 0) return FailCode(env, rc, "seccomp_export_bpf");
  struct stat st;
  if (fstat(memfd.fd, &st) != 0) return ThrowErrno(env, errno, "fstat seccomp program");
  size_t size = static_cast<size_t>(st.st_size);
  static_assert(sizeof(struct sock_filter) == kSockFilterSize, "the plan's seccomp program is struct sock_filter");
  if (size == 0 || size % sizeof(struct sock_filter) != 0) return Fail(env, "libseccomp exported a malformed program");
  std::vector<sock_filter> exported(size / sizeof(struct sock_filter));
  size_t done = 0;
  while (done < size) {
    ssize_t n = pread(memfd.fd, reinterpret_cast<uint8_t*>(exported.data()) + done, size - done, static_cast<off_t>(done));
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return ThrowErrno(env, errno, "reading the seccomp program");
    if (n == 0) return Fail(env, "the seccomp program was cut short");
    done += static_cast<size_t>(n);
  }
  EnosysStub stub;
  for (uint32_t token : tokens) stub.add_architecture(token, names);
  std::vector<sock_filter> full = stub.prepend_to(exported);
  if (full.size() > kMaxBpfInstructions) {
    return Fail(env, "the filter compiles to " + std::to_string(full.size()) + " BPF instructions, more than the kernel's limit of " +
                         std::to_string(kMaxBpfInstructions));
  }
  return Napi::Buffer<uint8_t>::Copy(env, reinterpret_cast<const uint8_t*>(full.data()), full.size() * sizeof(sock_filter));
}

}  // namespace cista

namespace cista {

// seccompVersion() -> "2.5.4": the libseccomp the addon is linked with (runc's --version prints it).
Napi::Value SeccompVersion(const Napi::CallbackInfo& info) {
  const struct scmp_version* version = seccomp_version();
  return Napi::String::New(info.Env(), std::to_string(version->major) + "." + std::to_string(version->minor) + "." + std::to_string(version->micro));
}

}  // namespace cista
