#include "keras/layers/custom_scale_layer.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"

namespace keras::layers {

CustomScaleLayerImpl::CustomScaleLayerImpl(double scale, CustomScaleLayerOptions options)
    : Layer(options.name, "custom_scale_layer", std::nullopt), scale_(scale) {}

Tensors CustomScaleLayerImpl::call(const Tensors& inputs, bool) {
  KERAS_CHECK(inputs.size() == 2, ValueError, "Layer ", name(),
              " (CustomScaleLayer) expects 2 inputs, got ", inputs.size());
  return {ops::add(inputs[0], ops::multiply(inputs[1], scale_))};
}

std::vector<Shape> CustomScaleLayerImpl::compute_output_shape(const std::vector<Shape>& in) const {
  KERAS_CHECK(in.size() == 2, ValueError, "Layer ", name(),
              " (CustomScaleLayer) expects 2 inputs, got ", in.size());
  return {in[0]};
}

Json CustomScaleLayerImpl::get_config() const {
  Json config = Layer::get_config();
  config["scale"] = scale_;
  return config;
}

std::shared_ptr<Layer> CustomScaleLayerImpl::from_config(const Json& c) {
  const char* w = "CustomScaleLayer";
  auto layer = std::make_shared<CustomScaleLayerImpl>(
      config::require<double>(c, "scale", w),
      CustomScaleLayerOptions{.name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
