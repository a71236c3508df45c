#include "keras/layers/regularization/gaussian_dropout.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random_noise.h"

namespace keras::layers {

GaussianDropoutImpl::GaussianDropoutImpl(double rate, GaussianDropoutOptions options)
    : Layer(options.name,
            "gaussian_dropout",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      rate_(rate),
      options_(std::move(options)) {
  KERAS_CHECK(rate_ >= 0 && rate_ <= 1, ValueError,
              "Invalid value received for argument `rate`. Expected a float value between 0 and "
              "1. Received: rate=",
              rate_);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensors GaussianDropoutImpl::call(const Tensors& inputs, bool training) {
  if (!training || rate_ == 0) return {inputs[0]};
  Tensor x = inputs[0];
  if (!is_floating(x.dtype())) x = ops::cast(x, dtype());
  Generator* gen = generator_ ? &*generator_ : nullptr;
  return {ops::multiply(x, random::normal_noise(x, 1.0, std::sqrt(rate_ / (1.0 - rate_)), gen))};
}

std::vector<Shape> GaussianDropoutImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json GaussianDropoutImpl::get_config() const {
  Json config = Layer::get_config();
  config["rate"] = rate_;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

std::shared_ptr<Layer> GaussianDropoutImpl::from_config(const Json& c) {
  const char* w = "GaussianDropout";
  GaussianDropoutOptions o{.name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer =
      std::make_shared<GaussianDropoutImpl>(config::require<double>(c, "rate", w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
