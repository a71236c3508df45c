#include "keras/core/error.h"

#include <algorithm>
#include <cstdio>
#include <iomanip>

namespace keras {

std::string excerpt(std::string_view text, size_t max_bytes) {
  size_t n = std::min(text.size(), max_bytes);
  // Never end inside a UTF-8 sequence: back up over continuation bytes to the lead byte.
  if (n < text.size()) {
    while (n > 0 && (static_cast<unsigned char>(text[n]) & 0xC0) == 0x80) --n;
  }
  std::string out;
  out.reserve(n + 8);
  for (size_t i = 0; i < n; ++i) {
    const auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      out += "\\n";
    } else if (c < 0x20 || c == 0x7f) {
      char buf[8];
      std::snprintf(buf, sizeof buf, "\\x%02x", c);
      out += buf;
    } else {
      out += static_cast<char>(c);
    }
  }
  if (n < text.size()) out += "...";
  return out;
}

std::string byte_size_str(size_t nbytes) {
  const char* units[] = {"B", "KiB", "MiB", "GiB", "TiB", "PiB", "EiB"};
  double v = static_cast<double>(nbytes);
  int u = 0;
  while (v >= 1024 && u < 6) {
    v /= 1024;
    ++u;
  }
  std::ostringstream out;
  out << std::fixed << std::setprecision(u == 0 ? 0 : 2) << v << " " << units[u];
  return out.str();
}

}  // namespace keras
