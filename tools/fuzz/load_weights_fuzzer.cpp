// libFuzzer driver for Model::load_weights: the input is a weights file (Keras 3 .weights.h5,
// Keras 2's layout, or a .keras archive) loaded into one fixed model (load_weights_target.h),
// which must take it or throw keras::Error. Run once with KERAS_FUZZ_WRITE_SEEDS=DIR to write
// that model's own files as seeds (tools/fuzz/README.md).
#include <cstdint>
#include <cstdlib>
#include <iostream>
#include <keras/keras.hpp>

#include "fuzz_util.h"
#include "load_weights_target.h"

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  ::setenv("KERAS_HDF5_PROBE_TIMEOUT", "3", /*overwrite=*/0);
  if (const char* dir = std::getenv("KERAS_FUZZ_WRITE_SEEDS")) {
    const std::string d = dir;
    keras::Model& model = keras::fuzz::load_weights_target();
    model.save_weights(d + "/seed.weights.h5");
    model.save_weights(d + "/seed_legacy.h5");
    model.save(d + "/seed.keras");
    std::cerr << "wrote seeds to " << d << "\n";
    std::exit(0);
  }
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string path = keras::fuzz::write_input(data, size, ".weights.h5");
  try {
    keras::fuzz::load_weights_target().load_weights(path, keras::fuzz::load_weights_options(size));
  } catch (const keras::Error&) {
  }
  return 0;
}
