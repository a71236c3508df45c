// LeakyReLU (keras.layers.LeakyReLU): x for x > 0, negative_slope * x below.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct LeakyReLUOptions {
  double negative_slope = 0.3;  // Keras 3's default (keras.activations.leaky_relu's is 0.2)
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Any input shape; output the same; passes masks on. ValueError for a negative slope. Reads
// Keras 2's `alpha` key as negative_slope.
class LeakyReLUImpl final : public Layer {
 public:
  explicit LeakyReLUImpl(LeakyReLUOptions options);
  std::string class_name() const override { return "LeakyReLU"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  double negative_slope() const { return options_.negative_slope; }

 private:
  LeakyReLUOptions options_;
};

class LeakyReLU : public LayerHandle<LeakyReLUImpl> {
 public:
  explicit LeakyReLU(LeakyReLUOptions options = {})
      : LayerHandle(std::make_shared<LeakyReLUImpl>(std::move(options))) {}
};

}  // namespace keras::layers
