#include "keras/layers/spatial_dropout.h"

#include "keras/config/json.h"
#include "keras/ops/random.h"

namespace keras::layers {
namespace {

std::optional<Shape> optional_shape(const std::optional<std::vector<Dim>>& s) {
  return s ? std::optional(to_shape(*s)) : std::nullopt;
}

std::string prefix(int n) {
  return "spatial_dropout" + std::to_string(n) + "d";
}

}  // namespace

template <int N>
SpatialDropoutImpl<N>::SpatialDropoutImpl(double rate, SpatialDropoutOptions options)
    : Layer(std::move(options.name), prefix(N), optional_shape(options.input_shape)),
      rate_(rate),
      data_format_(N == 1 ? "channels_last" : options.data_format) {
  KERAS_CHECK(rate >= 0.0 && rate < 1.0, ValueError,
              "Invalid value received for argument `rate`. "
              "Expected a float value between 0 and 1. Received: rate=",
              rate);
  KERAS_CHECK(data_format_ == "channels_last" || data_format_ == "channels_first", ValueError,
              "The `data_format` argument must be one of {'channels_first', 'channels_last'}. "
              "Received: data_format=",
              data_format_);
  seed_ = options.seed;
  if (options.seed) generator_.emplace(*options.seed);
  input_spec_ = {InputSpec{.ndim = N + 2}};
}

template <int N>
Tensors SpatialDropoutImpl<N>::call(const Tensors& inputs, bool training) {
  const Tensor& x = inputs[0];
  if (!training || rate_ == 0.0) return {x};
  // One mask element per (sample, channel), broadcast over the spatial axes.
  Shape noise(x.shape().size(), 1);
  const size_t channels = data_format_ == "channels_first" ? 1 : noise.size() - 1;
  noise[0] = x.shape()[0];
  noise[channels] = x.shape()[channels];
  return {random::dropout(x, rate_, noise, generator_ ? &*generator_ : nullptr)};
}

template <int N>
std::vector<Shape> SpatialDropoutImpl<N>::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

// ---- saving ----

template <int N>
Json SpatialDropoutImpl<N>::get_config() const {
  // Keras's SpatialDropout writes its own dict (no "trainable"), with the dtype by name.
  Json config{{"rate", rate_},
              {"seed", seed_ ? Json(*seed_) : Json(nullptr)},
              {"name", name()},
              {"dtype", std::string(dtype_name(dtype()))}};
  if (N > 1) config["data_format"] = data_format_;
  return config;
}

template <int N>
std::shared_ptr<Layer> SpatialDropoutImpl<N>::from_config(const Json& c) {
  const std::string cls = "SpatialDropout" + std::to_string(N) + "D";
  const char* w = cls.c_str();
  SpatialDropoutOptions o{
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w),
  };
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  auto layer = std::make_shared<SpatialDropoutImpl<N>>(config::require<double>(c, "rate", w), o);
  layer->apply_base_config(c);
  return layer;
}

template class SpatialDropoutImpl<1>;
template class SpatialDropoutImpl<2>;
template class SpatialDropoutImpl<3>;

}  // namespace keras::layers
