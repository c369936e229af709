// Round-trip driver for the generated C++ protocol code (not part of the release build; built and
// run by test/unit/protocol/round-trip.test.ts). Reads frames from stdin, each
//   u32 name length, the message name (e.g. "LaunchPlan"), u32 length, the encoded message,
// decodes each with the generated decoder, encodes it again, and writes one frame per input:
//   u8 1, u32 length, the re-encoded bytes      or      u8 0, u32 length, the decoder's error.
#include <stdint.h>
#include <stdio.h>

#include <string>
#include <vector>

#include "generated/protocol.h"

namespace {

bool read_exact(void* out, size_t size) { return fread(out, 1, size, stdin) == size; }

bool read_block(std::string* out) {
  uint8_t b[4];
  if (!read_exact(b, 4)) return false;
  uint32_t size = uint32_t(b[0]) | uint32_t(b[1]) << 8 | uint32_t(b[2]) << 16 | uint32_t(b[3]) << 24;
  out->resize(size);
  return size == 0 || read_exact(&(*out)[0], size);
}

void write_frame(uint8_t ok, const void* data, size_t size) {
  uint8_t header[5] = {ok, uint8_t(size), uint8_t(size >> 8), uint8_t(size >> 16), uint8_t(size >> 24)};
  fwrite(header, 1, sizeof(header), stdout);
  fwrite(data, 1, size, stdout);
}

}  // namespace

int main() {
  std::string name, message;
  while (read_block(&name)) {
    if (!read_block(&message)) {
      fprintf(stderr, "protocol-driver: a frame is cut short\n");
      return 2;
    }
    std::vector<uint8_t> out;
    std::string error;
    if (cista::reencode(name, reinterpret_cast<const uint8_t*>(message.data()), message.size(), &out, &error)) {
      write_frame(1, out.data(), out.size());
    } else {
      write_frame(0, error.data(), error.size());
    }
  }
  return fflush(stdout) == 0 ? 0 : 1;
}
