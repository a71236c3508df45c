// LayerScale (ConvNeXt's, keras.src.applications.convnext.LayerScale): x * gamma with a learned
// per-channel gamma initialized to init_values.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct LayerScaleOptions {
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Weight gamma (projection_dim,), trainable, Constant(init_values) initially; y = x * gamma,
// broadcast along the last axis (whose size must be projection_dim). Saved as Keras 3 saves
// ConvNeXt's layer (module keras.src.applications.convnext).
class LayerScaleImpl final : public Layer {
 public:
  LayerScaleImpl(double init_values, int64_t projection_dim, LayerScaleOptions options);
  std::string class_name() const override { return "LayerScale"; }
  std::string module() const override { return "keras.src.applications.convnext"; }
  bool batch_independent() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  const Variable& gamma() const { return gamma_; }

 private:
  double init_values_;
  int64_t projection_dim_;
  Variable gamma_;
};

class LayerScale : public LayerHandle<LayerScaleImpl> {
 public:
  LayerScale(double init_values, int64_t projection_dim, LayerScaleOptions options = {})
      : LayerHandle(
            std::make_shared<LayerScaleImpl>(init_values, projection_dim, std::move(options))) {}
};

}  // namespace keras::layers
