{
  "targets": [
    {
      # The N-API addon loaded by the CLI: spawns the init helper, locks, fifos, fd passing.
      "target_name": "cista",
      "sources": [
        "native/addon/addon.cc",
        "native/addon/spawn.cc",
        "native/addon/files.cc",
        "native/addon/event_loop.cc",
        "native/addon/cgroup_events.cc",
        "native/addon/mounts.cc",
        "native/addon/process.cc",
        "native/addon/fd_passing.cc",
        "native/addon/bpf.cc",
        "native/addon/console.cc",
        "native/addon/seccomp.cc",
        "native/addon/net_devices.cc",
        "native/addon/probes.cc",
        "native/generated/protocol_decode.cc"
      ],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fno-exceptions", "<!@(pkg-config --cflags libseccomp)"],
      "cflags_cc!": ["-fno-rtti"],
      # Only the runtime compiles seccomp filters; the static init helper loads the bytes.
      "libraries": ["<!@(pkg-config --libs libseccomp)"]
    },
    {
      # The systemd addon, loaded only by the systemd cgroup driver: D-Bus calls to systemd with sd-bus.
      "target_name": "cista_systemd",
      "sources": ["native/systemd/systemd.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "native"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fno-exceptions", "<!@(pkg-config --cflags libsystemd)"],
      "cflags_cc!": ["-fno-rtti"],
      "libraries": ["<!@(pkg-config --libs libsystemd)"]
    },
    {
      # The static init helper: the child of clone() fexecve()s a sealed memfd copy of it.
      # It reads the launch plan from its sync socket and sets the container up, then execve()s.
      # native/generated/ is written by protocol/generate.js (npm's install script runs it first).
      "target_name": "cista-init",
      "type": "executable",
      "sources": [
        "native/init/main.cc",
        "native/generated/protocol_decode.cc",
        "native/init/channel.cc",
        "native/init/namespaces.cc",
        "native/init/rootfs.cc",
        "native/init/mounts.cc",
        "native/init/devices.cc",
        "native/init/console.cc",
        "native/init/keyring.cc",
        "native/init/lsm.cc",
        "native/init/process.cc",
        "native/init/capabilities.cc",
        "native/init/scheduling.cc",
        "native/init/memory_policy.cc",
        "native/init/seccomp.cc",
        "native/init/hooks.cc"
      ],
      "include_dirs": ["native"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fno-exceptions", "-fno-rtti", "-Os"],
      "ldflags": ["-static", "-s"]
    }
  ]
}
