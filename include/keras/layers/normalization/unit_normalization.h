// UnitNormalization (keras.layers.UnitNormalization): each sample scaled to unit L2 norm over
// `axis`.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct UnitNormalizationOptions {
  std::vector<int> axis = {-1};  // one axis or several, normed together
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// y = x * min(1 / sqrt(sum(x², axis)), 1e12) (keras.ops.normalize with order 2 and Keras 3's
// epsilon 1e-12). Any input shape; output the same; passes masks on. ValueError (Keras's words)
// for an axis out of bounds.
class UnitNormalizationImpl final : public Layer {
 public:
  explicit UnitNormalizationImpl(UnitNormalizationOptions options);
  std::string class_name() const override { return "UnitNormalization"; }
  bool batch_independent() const override { return axes_miss_batch(options_.axis); }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  UnitNormalizationOptions options_;
};

class UnitNormalization : public LayerHandle<UnitNormalizationImpl> {
 public:
  explicit UnitNormalization(UnitNormalizationOptions options = {})
      : LayerHandle(std::make_shared<UnitNormalizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
