#include "keras/layers/preprocessing/affine_augmentation.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random_noise.h"
#include "keras/ops/shape.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

AffineAugmentationImpl::AffineAugmentationImpl(AffineAugmentationOptions options,
                                               const char* what,
                                               std::string_view prefix)
    : Layer(options.name,
            prefix,
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      what_(what),
      options_(std::move(options)) {
  const std::string& f = options_.fill_mode;
  KERAS_CHECK(f == "reflect" || f == "wrap" || f == "constant" || f == "nearest",
              NotImplementedError, "Unknown `fill_mode` ", f,
              ". Expected of one ('reflect', 'wrap', 'constant', 'nearest').");
  const std::string& i = options_.interpolation;
  KERAS_CHECK(i == "nearest" || i == "bilinear", NotImplementedError, "Unknown `interpolation` ", i,
              ". Expected of one ('nearest', 'bilinear').");
  augmentation::check_data_format(options_.data_format);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensor AffineAugmentationImpl::transform_images(const Tensor& x, const Tensor& draws) const {
  const bool first = options_.data_format == "channels_first";
  Tensor t = x.rank() == 3 ? ops::expand_dims(x, 0) : x;
  if (first) t = ops::transpose(t, {0, 2, 3, 1});
  const Shape& s = t.shape();
  t = augmentation::affine_transform(t, draws, transform(s[1], s[2]), options_.interpolation,
                                     options_.fill_mode, options_.fill_value);
  if (first) t = ops::transpose(t, {0, 3, 1, 2});
  return x.rank() == 3 ? ops::squeeze(t, 0) : t;
}

Tensors AffineAugmentationImpl::call(const Tensors& inputs, bool training) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  (void)augmentation::image_axes(x.rank(), options_.data_format, what_);
  if (!training) return {x};
  const int64_t batch = x.rank() == 4 ? x.shape()[0] : 1;
  const Tensor draws = random::uniform_noise({batch, num_draws()}, float64, Device::cpu(), 0.0, 1.0,
                                             generator_ ? &*generator_ : nullptr);
  return {transform_images(x, draws)};
}

Tensor AffineAugmentationImpl::apply(const Tensor& images, const std::vector<double>& draws) const {
  Tensor x = images.dtype() == dtype() ? images : ops::cast(images, dtype());
  (void)augmentation::image_axes(x.rank(), options_.data_format, what_);
  const int64_t batch = x.rank() == 4 ? x.shape()[0] : 1;
  KERAS_CHECK(static_cast<int64_t>(draws.size()) == batch * num_draws(), ValueError, what_,
              ": apply() needs ", batch * num_draws(), " draws, got ", draws.size());
  return transform_images(x, Tensor::from_vector(draws, {batch, num_draws()}, Device::cpu()));
}

std::vector<Shape> AffineAugmentationImpl::compute_output_shape(
    const std::vector<Shape>& in) const {
  (void)augmentation::image_axes(static_cast<int>(in[0].size()), options_.data_format, what_);
  return {in[0]};
}

std::vector<DType> AffineAugmentationImpl::compute_output_dtype(const std::vector<DType>&,
                                                                size_t) const {
  return {dtype()};
}

Json AffineAugmentationImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = options_.data_format;
  config["fill_mode"] = options_.fill_mode;
  config["fill_value"] = options_.fill_value;
  config["interpolation"] = options_.interpolation;
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

AffineAugmentationOptions AffineAugmentationImpl::options_from_config(const Json& c,
                                                                      const char* w) {
  AffineAugmentationOptions o{
      .fill_mode = config::get<std::string>(c, "fill_mode", "reflect", w),
      .interpolation = config::get<std::string>(c, "interpolation", "bilinear", w),
      .fill_value = config::get<double>(c, "fill_value", 0.0, w),
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  return o;
}

}  // namespace keras::layers
