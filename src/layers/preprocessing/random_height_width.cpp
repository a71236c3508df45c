#include "keras/layers/preprocessing/random_height_width.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/image.h"
#include "keras/ops/random_noise.h"

namespace keras::layers {
namespace {

std::string factor_text(std::pair<double, double> f, bool pair) {
  return pair ? str("(", f.first, ", ", f.second, ")") : str(f.second);
}

}  // namespace

RandomResizeAxisImpl::RandomResizeAxisImpl(Axis axis,
                                           std::pair<double, double> factor,
                                           bool factor_is_pair,
                                           RandomHeightOptions options)
    : Layer(options.name,
            axis == Axis::height ? "random_height" : "random_width",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      axis_(axis),
      lower_(factor.first),
      upper_(factor.second),
      factor_is_pair_(factor_is_pair),
      options_(std::move(options)) {
  KERAS_CHECK(upper_ >= lower_, ValueError,
              "`factor` argument cannot have an upper bound lesser than the lower bound. "
              "Received: factor=",
              factor_text(factor, factor_is_pair));
  KERAS_CHECK(lower_ >= -1.0 && upper_ >= -1.0, ValueError,
              "`factor` argument must have values larger than -1. Received: factor=",
              factor_text(factor, factor_is_pair));
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensors RandomResizeAxisImpl::call(const Tensors& inputs, bool training) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  KERAS_CHECK(x.rank() == 3 || x.rank() == 4, ValueError, "Layer '", name(), "' (", class_name(),
              ") expects images (batch, height, width, channels) or (height, width, channels); "
              "received an input of shape ",
              shape_str(x.shape()));
  if (!training) return {x};
  // One factor for the batch; the size as tf_keras computes it, in float32, truncated.
  const Tensor draw = random::uniform_noise({1}, float32, Device::cpu(), 1.0 + lower_, 1.0 + upper_,
                                            generator_ ? &*generator_ : nullptr);
  const int axis = x.rank() - (axis_ == Axis::height ? 3 : 2);
  const int64_t size = x.shape()[static_cast<size_t>(axis)];
  const auto scaled = static_cast<int64_t>(draw.data<float>()[0] * static_cast<float>(size));
  const int64_t h = x.shape()[static_cast<size_t>(x.rank() - 3)];
  const int64_t w = x.shape()[static_cast<size_t>(x.rank() - 2)];
  const int64_t target = std::max<int64_t>(1, scaled);
  const Tensor y =
      ops::image::resize(x, axis_ == Axis::height ? std::pair{target, w} : std::pair{h, target},
                         {.interpolation = options_.interpolation});
  return {y.dtype() == dtype() ? y : ops::cast(y, dtype())};
}

std::vector<Shape> RandomResizeAxisImpl::compute_output_shape(const std::vector<Shape>& in) const {
  Shape s = in[0];
  KERAS_CHECK(s.size() == 3 || s.size() == 4, ValueError, "Layer '", name(), "' (", class_name(),
              ") expects images (batch, height, width, channels) or (height, width, channels); "
              "received an input of shape ",
              shape_str(s));
  s[s.size() - (axis_ == Axis::height ? 3 : 2)] = kNone;
  return {s};
}

std::vector<DType> RandomResizeAxisImpl::compute_output_dtype(const std::vector<DType>&,
                                                              size_t) const {
  return {dtype()};
}

Json RandomResizeAxisImpl::get_config() const {
  Json config = Layer::get_config();
  config["factor"] = factor_is_pair_ ? Json::array({lower_, upper_}) : Json(upper_);
  config["interpolation"] = options_.interpolation;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

template <RandomResizeAxisImpl::Axis A>
std::shared_ptr<Layer> RandomResizeAxisImpl::from_config(const Json& c) {
  const char* w = A == Axis::height ? "RandomHeight" : "RandomWidth";
  RandomHeightOptions o{
      .interpolation = config::get<std::string>(c, "interpolation", "bilinear", w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  const Json factor = config::value(c, "factor", nullptr);
  std::pair<double, double> f;
  bool pair = false;
  if (factor.is_array()) {
    KERAS_CHECK(factor.size() == 2, ValueError, w, ": 'factor' must be a number or a pair, got ",
                config::json_excerpt(factor));
    f = {config::convert<double>(factor[0], "factor", w),
         config::convert<double>(factor[1], "factor", w)};
    pair = true;
  } else {
    const double v = config::require<double>(c, "factor", w);
    f = {-v, v};
  }
  auto layer = std::make_shared<RandomResizeAxisImpl>(A, f, pair, std::move(o));
  layer->apply_base_config(c);
  return layer;
}

template std::shared_ptr<Layer>
RandomResizeAxisImpl::from_config<RandomResizeAxisImpl::Axis::height>(const Json&);
template std::shared_ptr<Layer>
RandomResizeAxisImpl::from_config<RandomResizeAxisImpl::Axis::width>(const Json&);

}  // namespace keras::layers
