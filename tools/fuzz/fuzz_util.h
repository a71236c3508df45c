// Shared by the libFuzzer drivers: inputs reach the loaders that take a path through a file.
#pragma once

#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <fstream>
#include <string>

namespace keras::fuzz {

// Writes the input to /tmp/keras_fuzz_<pid><suffix> (one file per process, rewritten each run)
// and returns its path.
inline std::string write_input(const uint8_t* data, size_t size, const std::string& suffix) {
  const std::string path = "/tmp/keras_fuzz_" + std::to_string(::getpid()) + suffix;
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  return path;
}

}  // namespace keras::fuzz
