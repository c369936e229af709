// bpf(2) for cgroup v2 device filters. The program itself is generated in TypeScript
// (src/engine/cgroups/device-filter.ts); this file only hands it to the kernel.
#include "addon/addon.h"
#include "addon/bpf.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <string>
#include <vector>

namespace cista {
namespace {

int Bpf(int command, union bpf_attr* attr) {
  return static_cast<int>(syscall(__NR_bpf, command, attr, sizeof(*attr)));
}


// Returns the program fd, or -1 with errno set and the verifier's complaint in `log`.
int LoadProgram(const uint8_t* instructions, size_t count, std::string* log) {
  static const char kLicense[] = "Apache";
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_CGROUP_DEVICE;
  attr.insns = reinterpret_cast<uint64_t>(instructions);
  attr.insn_cnt = static_cast<uint32_t>(count);
  attr.license = reinterpret_cast<uint64_t>(kLicense);
  int fd = Bpf(BPF_PROG_LOAD, &attr);
  if (fd >= 0 || (errno != EINVAL && errno != EACCES)) return fd;
  // Rejected by the verifier: load again with logging only now, as the log costs time.
  int saved = errno;
  std::vector<char> buffer(64 * 1024);
  attr.log_level = 1;
  attr.log_buf = reinterpret_cast<uint64_t>(buffer.data());
  attr.log_size = static_cast<uint32_t>(buffer.size());
  if (Bpf(BPF_PROG_LOAD, &attr) < 0) log->assign(buffer.data());
  errno = saved;
  return -1;
}

}  // namespace

Napi::Value LoadDeviceFilter(const Napi::CallbackInfo& info) {
  Napi::Env env = info.Env();
  if (info.Length() != 2 || !info[0].IsBuffer() || !info[1].IsString()) {
    Napi::TypeError::New(env, "loadDeviceFilter(instructions: Buffer, cgroupDir: string)").ThrowAsJavaScriptException();
    return env.Undefined();
  }
  Napi::Buffer<uint8_t> instructions = info[0].As<Napi::Buffer<uint8_t>>();
  if (instructions.Length() == 0 || instructions.Length() % sizeof(struct bpf_insn) != 0) {
    Napi::TypeError::New(env, "loadDeviceFilter: instructions must be a non-empty struct bpf_insn[]")
        .ThrowAsJavaScriptException();
    return env.Undefined();
  }
  std::string cgroup_dir = info[1].As<Napi::String>().Utf8Value();

  int cgroup_fd = open(cgroup_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (cgroup_fd < 0) return ThrowErrno(env, errno, "open " + cgroup_dir);

  std::string log;
  int program_fd = LoadProgram(instructions.Data(), instructions.Length() / sizeof(struct bpf_insn), &log);
  if (program_fd < 0) {
    int error = errno;
    close(cgroup_fd);
    return ThrowErrno(env, error, "bpf(BPF_PROG_LOAD)", log);
  }

  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.target_fd = static_cast<uint32_t>(cgroup_fd);
  attr.attach_bpf_fd = static_cast<uint32_t>(program_fd);
  attr.attach_type = BPF_CGROUP_DEVICE;
  attr.attach_flags = BPF_F_ALLOW_MULTI;
  int attached = Bpf(BPF_PROG_ATTACH, &attr);
  int error = errno;
  // The attachment holds its own reference to the program.
  close(program_fd);
  close(cgroup_fd);
  if (attached < 0) return ThrowErrno(env, error, "bpf(BPF_PROG_ATTACH) " + cgroup_dir);
  return env.Undefined();
}

}  // namespace cista
