// CustomScaleLayer (InceptionResNetV2's, keras.src.applications.inception_resnet_v2): the
// residual sum of its two inputs, y = inputs[0] + inputs[1] * scale.
#pragma once

#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct CustomScaleLayerOptions {
  std::string name = {};
};

// Two inputs of one shape (the shortcut x and the residual r); y = x + r * scale, no weights.
// Saved as Keras 3 saves InceptionResNetV2's layer (config key "scale").
class CustomScaleLayerImpl final : public Layer {
 public:
  CustomScaleLayerImpl(double scale, CustomScaleLayerOptions options);
  std::string class_name() const override { return "CustomScaleLayer"; }
  std::string module() const override { return "keras.src.applications.inception_resnet_v2"; }
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  double scale() const { return scale_; }

 private:
  double scale_;
};

class CustomScaleLayer : public LayerHandle<CustomScaleLayerImpl> {
 public:
  explicit CustomScaleLayer(double scale, CustomScaleLayerOptions options = {})
      : LayerHandle(std::make_shared<CustomScaleLayerImpl>(scale, std::move(options))) {}
};

}  // namespace keras::layers
