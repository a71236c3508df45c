// libFuzzer driver for keras::models::model_from_json (Model::to_json text, Keras's
// model.to_json()): any input must give a model or throw keras::Error. Seeds and the dictionary
// keras_config.dict: tools/fuzz/README.md.
#include <cstdint>
#include <keras/keras.hpp>
#include <string>

#include "layers/weight_budget.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // model_from_json initializes every weight the config asks for, as Keras does: a config with
  // Dense(10^6) on 10^6 inputs is a legal request for 4 TB. Cap the weights as load_model caps
  // them by the file's size, so the fuzzer looks for crashes, not for large models.
  keras::layers::internal::WeightBudget budget(int64_t{64} << 20);
  try {
    keras::models::model_from_json(std::string(reinterpret_cast<const char*>(data), size));
  } catch (const keras::Error&) {
  }
  return 0;
}
