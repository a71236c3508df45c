// libFuzzer driver for keras::io::load_idx (raw or gzipped IDX files): any input must give a
// tensor or throw keras::Error. Seeds: tests/data/io/corpus (tools/fuzz/README.md).
#include <cstdint>
#include <keras/keras.hpp>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = keras::fuzz::write_input(data, size, ".idx");
  try {
    keras::io::load_idx(path);
  } catch (const keras::Error&) {
  }
  return 0;
}
