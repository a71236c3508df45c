// libFuzzer driver for keras::io's NumPy readers: every input goes to parse_npy (from memory) and
// load_npy (from a file), and, when it starts like a zip archive, to load_npz. Each must give
// tensors or throw keras::Error. Seeds: tests/data/*.npy, *.npz and tests/data/io/corpus.
#include <cstdint>
#include <keras/keras.hpp>
#include <string_view>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  try {
    keras::io::parse_npy(bytes, "input");
  } catch (const keras::Error&) {
  }
  const std::string path = keras::fuzz::write_input(data, size, ".npy");
  try {
    keras::io::load_npy(path);
  } catch (const keras::Error&) {
  }
  if (bytes.starts_with("PK")) {
    try {
      keras::io::load_npz(path);
    } catch (const keras::Error&) {
    }
  }
  return 0;
}
