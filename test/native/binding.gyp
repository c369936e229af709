{
  # Test-only addon exposing native/addon/bpf.cc until the real addon's init registers it.
  # Build: node-gyp rebuild -C test/native  (output: test/native/build/Release/cista_bpf_test.node)
  "targets": [
    {
      "target_name": "cista_bpf_test",
      "sources": ["../../native/addon/bpf.cc", "bpf_test_addon.cc"],
      "include_dirs": ["<!(node -p \"require('node-addon-api').include_dir\")", "../../native"],
      "defines": ["NAPI_VERSION=8", "NAPI_DISABLE_CPP_EXCEPTIONS"],
      "cflags_cc": ["-std=c++17", "-Wall", "-Wextra", "-fno-exceptions"],
      "cflags_cc!": ["-fno-rtti"]
    }
  ]
}
