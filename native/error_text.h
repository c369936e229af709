// errno as clients expect to read it: Podman and containerd match runc's (Go's) lower-case texts,
// e.g. "no such file or directory" -> exit 127, "operation not permitted" -> 126.
#pragma once

#include <ctype.h>
#include <string.h>

#include <string>

namespace cista {

inline std::string error_text(int err) {
  std::string text = strerror(err);
  if (!text.empty()) text[0] = char(tolower(static_cast<unsigned char>(text[0])));
  return text;
}

}  // namespace cista
