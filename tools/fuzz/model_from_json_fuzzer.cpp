// libFuzzer driver for keras::models::model_from_json (Model::to_json text, Keras's
// model.to_json()): any input must give a model or throw keras::Error, and a model must run: one
// call on zeros (unknown dimensions 2) must give outputs or throw keras::Error. Seeds and the
// dictionary keras_config.dict: tools/fuzz/README.md.
#include <cstdint>
#include <keras/keras.hpp>
#include <string>

#include "keras/models/functional.h"
#include "layers/weight_budget.h"

namespace {

// Elements of every layer's outputs at every node, nested models' layers included, with
// unknown dimensions 2; saturates at `limit`.
double activation_elements(const keras::models::FunctionalImpl& model, double limit, int depth) {
  double total = 0;
  for (const auto& layer : model.layers()) {
    if (const auto* inner = dynamic_cast<const keras::models::FunctionalImpl*>(layer.get())) {
      if (depth > 8) return limit;
      total += activation_elements(*inner, limit, depth + 1);
    }
    for (size_t n = 0; n < layer->inbound_nodes().size() && total < limit; ++n) {
      for (const keras::KerasTensor& t : layer->get_outputs_at(static_cast<int>(n))) {
        double elements = 1;
        for (int64_t d : t.shape()) elements *= d < 0 ? 2 : static_cast<double>(d);
        total += elements;
      }
    }
    if (total >= limit) return limit;
  }
  return total;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // model_from_json initializes every weight the config asks for, as Keras does: a config with
  // Dense(10^6) on 10^6 inputs is a legal request for 4 TB. Cap the weights as load_model caps
  // them by the file's size, so the fuzzer looks for crashes, not for large models.
  keras::layers::internal::WeightBudget budget(int64_t{64} << 20);
  try {
    keras::Model model =
        keras::models::model_from_json(std::string(reinterpret_cast<const char*>(data), size));
    // Likewise only models whose activations are small (16 MiB of float32 in all) are called.
    constexpr double kMaxActivations = 1 << 22;
    if (activation_elements(model.impl(), kMaxActivations, 0) >= kMaxActivations) return 0;
    keras::Tensors inputs;
    for (const keras::KerasTensor& input : model.inputs()) {
      keras::Shape shape = input.shape();
      for (int64_t& d : shape) d = d < 0 ? 2 : d;
      inputs.push_back(keras::zeros(shape, input.dtype()));
    }
    model.call(inputs);
  } catch (const keras::Error&) {
  }
  return 0;
}
