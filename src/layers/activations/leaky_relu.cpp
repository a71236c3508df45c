#include "keras/layers/activations/leaky_relu.h"

#include "keras/config/json.h"
#include "keras/ops/nn.h"

namespace keras::layers {

LeakyReLUImpl::LeakyReLUImpl(LeakyReLUOptions options)
    : Layer(options.name,
            "leaky_re_lu",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  KERAS_CHECK(options_.negative_slope >= 0, ValueError,
              "The negative_slope value of a Leaky ReLU layer cannot be None or negative value. "
              "Expected a float. Received: negative_slope=",
              options_.negative_slope);
}

Tensors LeakyReLUImpl::call(const Tensors& inputs, bool) {
  return {ops::leaky_relu(inputs[0], options_.negative_slope)};
}

std::vector<Shape> LeakyReLUImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json LeakyReLUImpl::get_config() const {
  Json config = Layer::get_config();
  config["negative_slope"] = options_.negative_slope;
  return config;
}

std::shared_ptr<Layer> LeakyReLUImpl::from_config(const Json& c) {
  const char* w = "LeakyReLU";
  // Keras 2 wrote the slope as `alpha`.
  const double slope = config::find(c, "negative_slope")
                           ? config::require<double>(c, "negative_slope", w)
                           : config::get<double>(c, "alpha", 0.3, w);
  auto layer = std::make_shared<LeakyReLUImpl>(LeakyReLUOptions{
      .negative_slope = slope, .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
