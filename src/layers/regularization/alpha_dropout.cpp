#include "keras/layers/regularization/alpha_dropout.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random_noise.h"
#include "keras/ops/shape.h"

namespace keras::layers {

AlphaDropoutImpl::AlphaDropoutImpl(double rate, AlphaDropoutOptions options)
    : Layer(options.name,
            "alpha_dropout",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      rate_(rate),
      options_(std::move(options)) {
  KERAS_CHECK(rate_ >= 0 && rate_ <= 1, ValueError,
              "Invalid value received for argument `rate`. Expected a float value between 0 and "
              "1. Received: rate=",
              rate_);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensors AlphaDropoutImpl::call(const Tensors& inputs, bool training) {
  if (!training || rate_ == 0) return {inputs[0]};
  Tensor x = inputs[0];
  if (!is_floating(x.dtype())) x = ops::cast(x, dtype());
  Generator* gen = generator_ ? &*generator_ : nullptr;
  Shape noise = x.shape();
  if (options_.noise_shape) {
    KERAS_CHECK(options_.noise_shape->size() == noise.size(), ValueError, "Layer ", name(),
                " (AlphaDropout): noise_shape has ", options_.noise_shape->size(),
                " entries for inputs of shape ", shape_str(x.shape()));
    for (size_t d = 0; d < noise.size(); ++d) {
      const Dim n = (*options_.noise_shape)[d];
      if (!n) continue;
      KERAS_CHECK(*n == 1 || *n == noise[d], ValueError, "Layer ", name(),
                  " (AlphaDropout): noise_shape does not broadcast to the input shape ",
                  shape_str(x.shape()));
      noise[d] = *n;
    }
  }
  constexpr double kAlphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
  const Tensor u = random::uniform_noise(noise, x.dtype(), x.device(), 0.0, 1.0, gen);
  const Tensor kept = ops::cast(ops::greater_equal(u, ops::full_like(u, rate_)), x.dtype());
  const double a = std::pow((1 - rate_) * (1 + rate_ * kAlphaP * kAlphaP), -0.5);
  const double b = -a * kAlphaP * rate_;
  // x * kept + alpha_p * (1 - kept), then a * . + b.
  const Tensor dropped =
      ops::add(ops::multiply(x, kept), ops::multiply(ops::subtract(1.0, kept), kAlphaP));
  return {ops::add(ops::multiply(dropped, a), b)};
}

std::vector<Shape> AlphaDropoutImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json AlphaDropoutImpl::get_config() const {
  Json config = Layer::get_config();
  config["rate"] = rate_;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  if (options_.noise_shape) {
    Json shape = Json::array();
    for (const Dim& d : *options_.noise_shape) shape.push_back(d ? Json(*d) : Json(nullptr));
    config["noise_shape"] = shape;
  } else {
    config["noise_shape"] = nullptr;
  }
  return config;
}

std::shared_ptr<Layer> AlphaDropoutImpl::from_config(const Json& c) {
  const char* w = "AlphaDropout";
  AlphaDropoutOptions o{.name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  if (const Json* n = config::find(c, "noise_shape")) {
    KERAS_CHECK(n->is_array() && n->size() <= 8, ValueError,
                "AlphaDropout: config key 'noise_shape' must be a list, got ",
                config::json_excerpt(*n));
    std::vector<Dim> shape;
    for (const Json& d : *n) {
      if (d.is_null()) {
        shape.push_back(std::nullopt);
      } else {
        shape.push_back(config::convert<int64_t>(d, "noise_shape", w));
      }
    }
    o.noise_shape = std::move(shape);
  }
  auto layer =
      std::make_shared<AlphaDropoutImpl>(config::require<double>(c, "rate", w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
