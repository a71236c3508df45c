#include "keras/layers/activations/thresholded_relu.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"

namespace keras::layers {

ThresholdedReLUImpl::ThresholdedReLUImpl(ThresholdedReLUOptions options)
    : Layer(options.name,
            "thresholded_re_lu",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  KERAS_CHECK(
      !(options_.theta < 0.0) && !std::isnan(options_.theta), ValueError,
      "The theta value of a Thresholded ReLU layer should be >=0. Received: ", options_.theta);
}

Tensors ThresholdedReLUImpl::call(const Tensors& inputs, bool) {
  const Tensor& x = inputs[0];
  const Tensor above = ops::greater(x, ops::scalar_like(options_.theta, x));
  return {ops::multiply(x, ops::cast(above, x.dtype()))};
}

std::vector<Shape> ThresholdedReLUImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json ThresholdedReLUImpl::get_config() const {
  Json config = Layer::get_config();
  config["theta"] = options_.theta;
  return config;
}

std::shared_ptr<Layer> ThresholdedReLUImpl::from_config(const Json& c) {
  const char* w = "ThresholdedReLU";
  KERAS_CHECK(!c.contains("theta") || !c.at("theta").is_null(), ValueError,
              "Theta of a Thresholded ReLU layer cannot be None, expecting a float. Received: "
              "None");
  auto layer = std::make_shared<ThresholdedReLUImpl>(
      ThresholdedReLUOptions{.theta = config::get<double>(c, "theta", 1.0, w),
                             .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
