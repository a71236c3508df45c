// libFuzzer driver for keras::models::load_model (.keras archives and legacy .h5 files).
//
// With a clang that compiles the whole project (clang 14 does not yet: structured bindings in
// lambda captures), build everything instrumented:
//   CXX=clang++ cmake -S . -B build-fuzz -G Ninja -DKERAS_BUILD_FUZZERS=ON -DKERAS_SANITIZE=ON \
//       -DKERAS_BUILD_TESTS=OFF -DKERAS_BUILD_EXAMPLES=OFF -DKERAS_BUILD_BENCH=OFF
//   cmake --build build-fuzz --target keras_fuzz_load_model
// Otherwise link the driver alone against the GCC-built library (no coverage feedback from the
// library, so a blind mutator; 220k runs on the .keras fixtures found nothing):
//   clang++ -std=c++20 -O1 -g -fsanitize=fuzzer -Iinclude tools/fuzz/load_model_fuzzer.cpp \
//       build/libkeras.a $(pkg-config --libs hdf5 openblas) -lz -lpthread -o keras_fuzz
//   ./keras_fuzz CORPUS_DIR -max_total_time=600   (CORPUS_DIR: copies of tests/data/saving/*.keras)
//
// Any input must load or throw keras::Error. Inputs that once failed belong in
// tests/data/saving/corpus/, which SavingRobustness.MutatedFilesNeverCrash replays.
#include <unistd.h>

#include <cstdint>
#include <cstdio>
#include <fstream>
#include <keras/keras.hpp>
#include <string>

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  static const std::string path = "/tmp/keras_fuzz_" + std::to_string(::getpid()) + ".keras";
  {
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    out.write(reinterpret_cast<const char*>(data), static_cast<std::streamsize>(size));
  }
  try {
    keras::models::load_model(path);
  } catch (const keras::Error&) {
  }
  return 0;
}
