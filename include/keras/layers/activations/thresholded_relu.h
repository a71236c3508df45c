// ThresholdedReLU (Keras 2's keras.layers.ThresholdedReLU; Keras 3 dropped it): x where
// x > theta, else 0, computed as Keras 2 does, x * cast(x > theta), so that -inf gives NaN
// (-inf * 0) and NaN stays NaN. For tf_keras files that use it (Keras 3 cannot load a file
// keras.cpp saves with it).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct ThresholdedReLUOptions {
  double theta = 1.0;  // >= 0, else ValueError (Keras 2's wording); compared in the input's dtype
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Any input shape; output the same; passes masks on. The gradient is 1 where x > theta, else 0.
class ThresholdedReLUImpl final : public Layer {
 public:
  explicit ThresholdedReLUImpl(ThresholdedReLUOptions options);
  std::string class_name() const override { return "ThresholdedReLU"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  double theta() const { return options_.theta; }

 private:
  ThresholdedReLUOptions options_;
};

class ThresholdedReLU : public LayerHandle<ThresholdedReLUImpl> {
 public:
  explicit ThresholdedReLU(ThresholdedReLUOptions options = {})
      : LayerHandle(std::make_shared<ThresholdedReLUImpl>(std::move(options))) {}
};

}  // namespace keras::layers
