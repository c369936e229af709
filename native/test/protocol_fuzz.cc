// Mutation fuzzer of the generated C++ decoder (not part of the release build; built with
// -fsanitize=address,undefined and run by test/unit/protocol/fuzz.test.ts).
//
//   protocol-fuzz <message> <iterations> <seed> <valid encoded message files...>
//
// Mutates the valid messages (bit flips, interesting bytes, truncations, forged lengths and counts,
// insertions, deletions, splices of two messages) and decodes each result from an allocation of
// exactly its size, so the sanitizers catch any read beyond it. A message the decoder accepts must
// encode back to the very same bytes (the encoding is canonical); anything else aborts. Prints
// "<iterations> inputs: <accepted> accepted, <rejected> rejected".
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <memory>
#include <string>
#include <vector>

#include "generated/protocol.h"

namespace {

using Bytes = std::vector<uint8_t>;

uint64_t g_state;

uint64_t next() {
  // splitmix64: deterministic for a given seed, so a failure can be replayed.
  uint64_t z = (g_state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

size_t below(size_t n) { return n == 0 ? 0 : size_t(next() % n); }

bool read_file(const char* path, Bytes* out) {
  FILE* f = fopen(path, "rb");
  if (f == nullptr) return false;
  uint8_t buffer[4096];
  size_t n;
  while ((n = fread(buffer, 1, sizeof(buffer), f)) > 0) out->insert(out->end(), buffer, buffer + n);
  fclose(f);
  return true;
}

void put_u32(Bytes* b, size_t at, uint32_t v) {
  for (size_t i = 0; i < 4 && at + i < b->size(); i++) (*b)[at + i] = uint8_t(v >> (8 * i));
}

void mutate(Bytes* b, const std::vector<Bytes>& corpus) {
  switch (below(8)) {
    case 0:  // bit flips
      for (size_t i = 0, n = 1 + below(8); i < n && !b->empty(); i++) (*b)[below(b->size())] ^= uint8_t(1u << below(8));
      break;
    case 1: {  // an interesting byte
      static const uint8_t values[] = {0, 1, 2, 0x7f, 0x80, 0xfe, 0xff};
      if (!b->empty()) (*b)[below(b->size())] = values[below(sizeof(values))];
      break;
    }
    case 2:  // truncation
      b->resize(below(b->size() + 1));
      break;
    case 3: {  // a forged length or count at any offset
      if (b->size() < 4) break;
      size_t at = below(b->size() - 3);
      size_t rest = b->size() - at - 4;
      const uint32_t values[] = {0xffffffffu, 0x7fffffffu, 0x80000000u, uint32_t(b->size()), uint32_t(rest),
                                 uint32_t(rest + 1), uint32_t(rest / 4 + 1), uint32_t(rest / 8), uint32_t(next()), 0};
      put_u32(b, at, values[below(sizeof(values) / sizeof(values[0]))]);
      break;
    }
    case 4: {  // inserted bytes
      size_t at = below(b->size() + 1);
      Bytes extra(1 + below(16));
      for (uint8_t& x : extra) x = uint8_t(next());
      b->insert(b->begin() + long(at), extra.begin(), extra.end());
      break;
    }
    case 5: {  // a deleted range
      if (b->empty()) break;
      size_t at = below(b->size());
      size_t n = 1 + below(b->size() - at);
      b->erase(b->begin() + long(at), b->begin() + long(at + n));
      break;
    }
    case 6: {  // splice: a prefix of this one and a suffix of another
      const Bytes& other = corpus[below(corpus.size())];
      size_t cut = below(b->size() + 1);
      size_t from = below(other.size() + 1);
      b->resize(cut);
      b->insert(b->end(), other.begin() + long(from), other.end());
      break;
    }
    default: {  // a duplicated range
      if (b->empty()) break;
      size_t at = below(b->size());
      size_t n = 1 + below(b->size() - at);
      Bytes copy(b->begin() + long(at), b->begin() + long(at + n));
      b->insert(b->begin() + long(below(b->size() + 1)), copy.begin(), copy.end());
      break;
    }
  }
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 5) {
    fprintf(stderr, "usage: protocol-fuzz <message> <iterations> <seed> <files...>\n");
    return 2;
  }
  std::string message = argv[1];
  long iterations = atol(argv[2]);
  g_state = strtoull(argv[3], nullptr, 10);
  std::vector<Bytes> corpus;
  for (int i = 4; i < argc; i++) {
    Bytes b;
    if (!read_file(argv[i], &b)) {
      fprintf(stderr, "protocol-fuzz: cannot read %s\n", argv[i]);
      return 2;
    }
    corpus.push_back(b);
  }
  long accepted = 0, rejected = 0;
  for (long i = 0; i < iterations; i++) {
    Bytes input = corpus[below(corpus.size())];
    for (size_t n = 1 + below(4), j = 0; j < n; j++) mutate(&input, corpus);
    // An allocation of exactly the input's size: one byte read past it is a sanitizer error.
    std::unique_ptr<uint8_t[]> exact(new uint8_t[input.size()]);
    if (!input.empty()) memcpy(exact.get(), input.data(), input.size());
    Bytes out;
    std::string error;
    if (cista::reencode(message, exact.get(), input.size(), &out, &error)) {
      accepted++;
      if (out != input) {
        fprintf(stderr, "protocol-fuzz: iteration %ld: an accepted message encodes to different bytes\n", i);
        abort();
      }
    } else {
      rejected++;
      if (error.empty() || error.find("no message") == 0) {
        fprintf(stderr, "protocol-fuzz: iteration %ld: rejected without a reason: %s\n", i, error.c_str());
        abort();
      }
    }
  }
  printf("%ld inputs: %ld accepted, %ld rejected\n", iterations, accepted, rejected);
  return 0;
}
