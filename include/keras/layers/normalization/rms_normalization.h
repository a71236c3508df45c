// RMSNormalization (keras.layers.RMSNormalization): x / sqrt(mean(x², axis) + epsilon) * scale.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct RMSNormalizationOptions {
  std::vector<int> axis = {-1};  // one axis or several, normalized together
  double epsilon = 1e-6;
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// y = x * (1 / sqrt(mean(x², axis) + epsilon)) * scale, where the trainable weight `scale`
// (initialized to ones) has the sizes of the `axis` dimensions in increasing axis order, and
// multiplies by NumPy broadcasting from the right, as in Keras 3 (so the axes must be the last
// ones, or a broadcast error follows, as in Keras). Any input shape with the axes defined;
// output the same.
class RMSNormalizationImpl final : public Layer {
 public:
  explicit RMSNormalizationImpl(RMSNormalizationOptions options);
  std::string class_name() const override { return "RMSNormalization"; }
  bool batch_independent() const override { return axes_miss_batch(options_.axis); }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  const Variable& scale() const { return scale_; }

 private:
  RMSNormalizationOptions options_;
  std::vector<int> axes_;  // normalized and sorted at build
  Variable scale_;
};

class RMSNormalization : public LayerHandle<RMSNormalizationImpl> {
 public:
  explicit RMSNormalization(RMSNormalizationOptions options = {})
      : LayerHandle(std::make_shared<RMSNormalizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
