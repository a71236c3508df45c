// libFuzzer driver for keras::models::load_model (.keras archives and legacy .h5 files): any input
// must load or throw keras::Error. How to build and run it: tools/fuzz/README.md. Inputs that
// once failed belong in tests/data/saving/corpus/, which SavingRobustness.MutatedFilesNeverCrash
// replays.
#include <cstdint>
#include <cstdlib>
#include <keras/keras.hpp>

#include "fuzz_util.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  // libhdf5 hangs on some inputs; its reading child must be killed well before libFuzzer's -timeout
  // (run with -timeout=10 or more) calls the whole process hung.
  ::setenv("KERAS_HDF5_PROBE_TIMEOUT", "3", /*overwrite=*/0);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = keras::fuzz::write_input(data, size, ".keras");
  try {
    keras::models::load_model(path);
  } catch (const keras::Error&) {
  }
  return 0;
}
