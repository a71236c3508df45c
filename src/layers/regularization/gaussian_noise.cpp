#include "keras/layers/regularization/gaussian_noise.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random_noise.h"

namespace keras::layers {

GaussianNoiseImpl::GaussianNoiseImpl(double stddev, GaussianNoiseOptions options)
    : Layer(options.name,
            "gaussian_noise",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      stddev_(stddev),
      options_(std::move(options)) {
  KERAS_CHECK(stddev_ >= 0 && stddev_ <= 1, ValueError,
              "Invalid value received for argument `stddev`. Expected a float value between 0 and "
              "1. Received: stddev=",
              stddev_);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensors GaussianNoiseImpl::call(const Tensors& inputs, bool training) {
  if (!training || stddev_ == 0) return {inputs[0]};
  Tensor x = inputs[0];
  if (!is_floating(x.dtype())) x = ops::cast(x, dtype());
  Generator* gen = generator_ ? &*generator_ : nullptr;
  return {ops::add(x, random::normal_noise(x, 0.0, stddev_, gen))};
}

std::vector<Shape> GaussianNoiseImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json GaussianNoiseImpl::get_config() const {
  Json config = Layer::get_config();
  config["stddev"] = stddev_;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

std::shared_ptr<Layer> GaussianNoiseImpl::from_config(const Json& c) {
  const char* w = "GaussianNoise";
  GaussianNoiseOptions o{.name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer =
      std::make_shared<GaussianNoiseImpl>(config::require<double>(c, "stddev", w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
