// The systemd addon: calls on org.freedesktop.systemd1's Manager over the D-Bus system bus with
// libsystemd's sd-bus. A separate addon so that only the systemd cgroup driver loads libsystemd.
// TypeScript decides every unit property (name, D-Bus type, value); this file only marshals them,
// makes the call and, for calls that queue a job, waits for the job's JobRemoved signal.
#include <errno.h>
#include <string.h>
#include <time.h>

#include <napi.h>
#include <systemd/sd-bus.h>

#include <string>
#include <utility>
#include <vector>

#include "error_text.h"

namespace {

constexpr const char* kService = "org.freedesktop.systemd1";
constexpr const char* kObject = "/org/freedesktop/systemd1";
constexpr const char* kManager = "org.freedesktop.systemd1.Manager";

struct Bus {
  sd_bus* bus = nullptr;
  ~Bus() { sd_bus_flush_close_unref(bus); }
};
struct Message {
  sd_bus_message* message = nullptr;
  ~Message() { sd_bus_message_unref(message); }
};
struct BusError {
  sd_bus_error error = SD_BUS_ERROR_NULL;
  ~BusError() { sd_bus_error_free(&error); }
};
struct Slot {
  sd_bus_slot* slot = nullptr;
  ~Slot() { sd_bus_slot_unref(slot); }
};

// Throws "<what>: <systemd's message or the errno text>", with `dbusName` set for a D-Bus error
// (e.g. org.freedesktop.systemd1.NoSuchUnit) so that the caller can tell the expected ones apart.
Napi::Value Throw(Napi::Env env, const std::string& what, int r, const sd_bus_error* error) {
  bool isBusError = error != nullptr && sd_bus_error_is_set(error);
  std::string text = isBusError ? (error->message != nullptr ? error->message : error->name) : cista::error_text(-r);
  Napi::Error e = Napi::Error::New(env, what + ": " + text);
  if (isBusError) e.Set("dbusName", Napi::String::New(env, error->name));
  e.ThrowAsJavaScriptException();
  return env.Undefined();
}

uint64_t NowUsec() {
  struct timespec now;
  clock_gettime(CLOCK_MONOTONIC, &now);
  return uint64_t(now.tv_sec) * 1000000 + uint64_t(now.tv_nsec) / 1000;
}

// One "(sv)" entry of a property array; -EINVAL when the value does not have the declared type.
int AppendProperty(sd_bus_message* m, const Napi::Object& property) {
  Napi::Value nameValue = property.Get("name");
  Napi::Value typeValue = property.Get("type");
  if (!nameValue.IsString() || !typeValue.IsString()) return -EINVAL;
  std::string name = nameValue.As<Napi::String>();
  std::string type = typeValue.As<Napi::String>();
  Napi::Value value = property.Get("value");
  int r = sd_bus_message_open_container(m, 'r', "sv");
  if (r < 0) return r;
  r = sd_bus_message_append_basic(m, 's', name.c_str());
  if (r < 0) return r;
  r = sd_bus_message_open_container(m, 'v', type.c_str());
  if (r < 0) return r;
  if (type == "s" && value.IsString()) {
    std::string text = value.As<Napi::String>();
    r = sd_bus_message_append_basic(m, 's', text.c_str());
  } else if (type == "b" && value.IsBoolean()) {
    int flag = value.As<Napi::Boolean>().Value() ? 1 : 0;
    r = sd_bus_message_append_basic(m, 'b', &flag);
  } else if (type == "t" && value.IsBigInt()) {
    bool lossless = false;
    uint64_t number = value.As<Napi::BigInt>().Uint64Value(&lossless);
    r = lossless ? sd_bus_message_append_basic(m, 't', &number) : -ERANGE;
  } else if (type == "ay" && value.IsBuffer()) {
    Napi::Buffer<uint8_t> bytes = value.As<Napi::Buffer<uint8_t>>();
    r = sd_bus_message_append_array(m, 'y', bytes.Data(), bytes.Length());
  } else if ((type == "au" || type == "a(ss)" || type == "a(st)") && value.IsArray()) {
    Napi::Array items = value.As<Napi::Array>();
    r = sd_bus_message_open_container(m, 'a', type.c_str() + 1);
    for (uint32_t i = 0; r >= 0 && i < items.Length(); i++) {
      Napi::Value item = items.Get(i);
      if (type == "au") {
        if (!item.IsNumber()) return -EINVAL;
        uint32_t number = item.As<Napi::Number>().Uint32Value();
        r = sd_bus_message_append_basic(m, 'u', &number);
        continue;
      }
      if (!item.IsArray() || item.As<Napi::Array>().Length() != 2) return -EINVAL;
      Napi::Value first = item.As<Napi::Array>().Get(uint32_t(0));
      Napi::Value second = item.As<Napi::Array>().Get(uint32_t(1));
      if (!first.IsString()) return -EINVAL;
      std::string key = first.As<Napi::String>();
      if (type == "a(ss)") {
        if (!second.IsString()) return -EINVAL;
        std::string text = second.As<Napi::String>();
        r = sd_bus_message_append(m, "(ss)", key.c_str(), text.c_str());
      } else {
        if (!second.IsBigInt()) return -EINVAL;
        bool lossless = false;
        uint64_t number = second.As<Napi::BigInt>().Uint64Value(&lossless);
        r = lossless ? sd_bus_message_append(m, "(st)", key.c_str(), number) : -ERANGE;
      }
    }
    if (r >= 0) r = sd_bus_message_close_container(m);
  } else {
    return -EINVAL;
  }
  if (r < 0) return r;
  r = sd_bus_message_close_container(m);
  if (r < 0) return r;
  return sd_bus_message_close_container(m);
}

int AppendProperties(sd_bus_message* m, const Napi::Value& value) {
  if (!value.IsArray()) return -EINVAL;
  Napi::Array properties = value.As<Napi::Array>();
  int r = sd_bus_message_open_container(m, 'a', "(sv)");
  for (uint32_t i = 0; r >= 0 && i < properties.Length(); i++) {
    Napi::Value property = properties.Get(i);
    r = property.IsObject() ? AppendProperty(m, property.As<Napi::Object>()) : -EINVAL;
  }
  if (r < 0) return r;
  return sd_bus_message_close_container(m);
}

// The JobRemoved signals seen so far: (job object path, result).
struct JobsRemoved {
  std::vector<std::pair<std::string, std::string>> jobs;
};

int OnJobRemoved(sd_bus_message* m, void* userdata, sd_bus_error*) {
  uint32_t id = 0;
  const char* job = nullptr;
  const char* unit = nullptr;
  const char* result = nullptr;
  if (sd_bus_message_read(m, "uoss", &id, &job, &unit, &result) >= 0) {
    static_cast<JobsRemoved*>(userdata)->jobs.emplace_back(job, result);
  }
  return 0;
}

// The arguments every exported function starts with: the unit name and a timeout in milliseconds.
struct Call {
  explicit Call(Napi::Env callEnv) : env(callEnv) {}
  Napi::Env env;
  std::string unit;
  uint64_t timeoutUsec = 0;
  Bus bus;
  Message message;
  BusError error;
};

// Connects and prepares a call of `method` with the unit name as its first argument.
bool Prepare(const Napi::CallbackInfo& info, const char* method, Call& call) {
  if (info.Length() < 2 || !info[0].IsString() || !info[1].IsNumber()) {
    Napi::TypeError::New(call.env, std::string(method) + ": expected (unit, timeoutMs, ...)").ThrowAsJavaScriptException();
    return false;
  }
  call.unit = info[0].As<Napi::String>();
  call.timeoutUsec = uint64_t(info[1].As<Napi::Number>().Int64Value()) * 1000;
  int r = sd_bus_open_system(&call.bus.bus);
  if (r < 0) {
    Throw(call.env, "connecting to the D-Bus system bus", r, nullptr);
    return false;
  }
  r = sd_bus_message_new_method_call(call.bus.bus, &call.message.message, kService, kObject, kManager, method);
  if (r >= 0) r = sd_bus_message_append_basic(call.message.message, 's', call.unit.c_str());
  if (r < 0) {
    Throw(call.env, std::string(method) + " " + call.unit, r, nullptr);
    return false;
  }
  return true;
}

// Sends a prepared call that queues a job and waits until systemd reports the job removed;
// returns the job's result ("done", "failed", "timeout", ...) or undefined after throwing.
Napi::Value RunJob(Call& call, const char* method) {
  JobsRemoved removed;
  Slot slot;
  // Subscribed before the call, so that a job that finishes at once is not missed.
  int r = sd_bus_match_signal(call.bus.bus, &slot.slot, kService, kObject, kManager, "JobRemoved", OnJobRemoved, &removed);
  if (r < 0) return Throw(call.env, std::string("subscribing to JobRemoved for ") + call.unit, r, nullptr);
  uint64_t deadline = NowUsec() + call.timeoutUsec;
  Message reply;
  r = sd_bus_call(call.bus.bus, call.message.message, call.timeoutUsec, &call.error.error, &reply.message);
  if (r < 0) return Throw(call.env, std::string(method) + " " + call.unit, r, &call.error.error);
  const char* job = nullptr;
  r = sd_bus_message_read(reply.message, "o", &job);
  if (r < 0) return Throw(call.env, std::string(method) + " " + call.unit + ": reading the job", r, nullptr);
  std::string jobPath = job;
  for (;;) {
    for (const auto& [path, result] : removed.jobs) {
      if (path == jobPath) return Napi::String::New(call.env, result);
    }
    r = sd_bus_process(call.bus.bus, nullptr);
    if (r < 0) return Throw(call.env, std::string("waiting for the job of ") + call.unit, r, nullptr);
    if (r > 0) continue;
    uint64_t now = NowUsec();
    if (now >= deadline) return Napi::String::New(call.env, "timeout waiting for systemd");
    r = sd_bus_wait(call.bus.bus, deadline - now);
    if (r < 0 && r != -EINTR) return Throw(call.env, std::string("waiting for the job of ") + call.unit, r, nullptr);
  }
}

// startTransientUnit(unit, timeoutMs, properties): StartTransientUnit(unit, "replace", properties,
// no auxiliary units); returns the job's result.
Napi::Value StartTransientUnit(const Napi::CallbackInfo& info) {
  Call call(info.Env());
  if (!Prepare(info, "StartTransientUnit", call)) return info.Env().Undefined();
  sd_bus_message* m = call.message.message;
  int r = sd_bus_message_append_basic(m, 's', "replace");
  if (r >= 0) r = AppendProperties(m, info[2]);
  if (r >= 0) r = sd_bus_message_append(m, "a(sa(sv))", 0);
  if (r < 0) return Throw(call.env, "StartTransientUnit " + call.unit + ": marshalling the properties", r, nullptr);
  return RunJob(call, "StartTransientUnit");
}

// stopUnit(unit, timeoutMs): StopUnit(unit, "replace"); returns the job's result (throws with
// dbusName org.freedesktop.systemd1.NoSuchUnit when there is no such unit).
Napi::Value StopUnit(const Napi::CallbackInfo& info) {
  Call call(info.Env());
  if (!Prepare(info, "StopUnit", call)) return info.Env().Undefined();
  int r = sd_bus_message_append_basic(call.message.message, 's', "replace");
  if (r < 0) return Throw(call.env, "StopUnit " + call.unit, r, nullptr);
  return RunJob(call, "StopUnit");
}

// Sends a prepared call that returns nothing of interest.
Napi::Value RunCall(Call& call, const char* method) {
  Message reply;
  int r = sd_bus_call(call.bus.bus, call.message.message, call.timeoutUsec, &call.error.error, &reply.message);
  if (r < 0) return Throw(call.env, std::string(method) + " " + call.unit, r, &call.error.error);
  return call.env.Undefined();
}

// resetFailedUnit(unit, timeoutMs).
Napi::Value ResetFailedUnit(const Napi::CallbackInfo& info) {
  Call call(info.Env());
  if (!Prepare(info, "ResetFailedUnit", call)) return info.Env().Undefined();
  return RunCall(call, "ResetFailedUnit");
}

// setUnitProperties(unit, timeoutMs, properties): SetUnitProperties(unit, runtime, properties),
// runtime-only (under /run) as runc does.
Napi::Value SetUnitProperties(const Napi::CallbackInfo& info) {
  Call call(info.Env());
  if (!Prepare(info, "SetUnitProperties", call)) return info.Env().Undefined();
  int runtime = 1;
  int r = sd_bus_message_append_basic(call.message.message, 'b', &runtime);
  if (r >= 0) r = AppendProperties(call.message.message, info[2]);
  if (r < 0) return Throw(call.env, "SetUnitProperties " + call.unit + ": marshalling the properties", r, nullptr);
  return RunCall(call, "SetUnitProperties");
}

}  // namespace

static Napi::Object Init(Napi::Env env, Napi::Object exports) {
  exports.Set("startTransientUnit", Napi::Function::New(env, StartTransientUnit, "startTransientUnit"));
  exports.Set("stopUnit", Napi::Function::New(env, StopUnit, "stopUnit"));
  exports.Set("resetFailedUnit", Napi::Function::New(env, ResetFailedUnit, "resetFailedUnit"));
  exports.Set("setUnitProperties", Napi::Function::New(env, SetUnitProperties, "setUnitProperties"));
  return exports;
}

NODE_API_MODULE(cista_systemd, Init)
