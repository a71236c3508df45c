// ReLU (keras.layers.ReLU): keras::activations::relu with max_value, negative_slope and threshold.
//
//   auto y = layers::ReLU({.max_value = 6.0})(x);                  // relu6
//   auto z = layers::ReLU({.negative_slope = 0.1, .threshold = 0.5})(x);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct ReLUOptions {
  std::optional<double> max_value = std::nullopt;  // no upper bound when unset
  double negative_slope = 0.0;
  double threshold = 0.0;
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// y = x for x > threshold (else 0), clipped to max_value, minus negative_slope * relu(threshold -
// x). Any input shape; output the same; passes masks on. ValueError (Keras's words) for a
// negative max_value, negative_slope or threshold.
class ReLUImpl final : public Layer {
 public:
  explicit ReLUImpl(ReLUOptions options);
  std::string class_name() const override { return "ReLU"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  const ReLUOptions& options() const { return options_; }

 private:
  ReLUOptions options_;
};

class ReLU : public LayerHandle<ReLUImpl> {
 public:
  explicit ReLU(ReLUOptions options = {})
      : LayerHandle(std::make_shared<ReLUImpl>(std::move(options))) {}
};

}  // namespace keras::layers
