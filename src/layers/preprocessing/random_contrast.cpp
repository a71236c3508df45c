#include "keras/layers/preprocessing/random_contrast.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

RandomContrastImpl::RandomContrastImpl(std::vector<double> factor, RandomContrastOptions options)
    : Layer(options.name,
            "random_contrast",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      factor_(augmentation::factor_range(factor, 0.0, 1.0, "RandomContrast")),
      range_(augmentation::value_range(options.value_range, "RandomContrast")),
      options_(std::move(options)) {
  augmentation::check_data_format(options_.data_format);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensors RandomContrastImpl::call(const Tensors& inputs, bool training) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const auto [ha, wa] = augmentation::image_axes(x.rank(), options_.data_format, "RandomContrast");
  if (!training) return {x};
  Generator* gen = generator_ ? &*generator_ : nullptr;
  const Tensor f =
      augmentation::per_image_uniform(x, 1.0 - factor_.first, 1.0 + factor_.second, gen);
  const Tensor mean = ops::mean(x, {ha, wa}, /*keepdims=*/true);
  const Tensor y = ops::add(ops::multiply(ops::subtract(x, mean), f), mean);
  return {ops::clip(y, range_.first, range_.second)};
}

std::vector<Shape> RandomContrastImpl::compute_output_shape(const std::vector<Shape>& in) const {
  (void)augmentation::image_axes(static_cast<int>(in[0].size()), options_.data_format,
                                 "RandomContrast");
  return {in[0]};
}

std::vector<DType> RandomContrastImpl::compute_output_dtype(const std::vector<DType>&,
                                                            size_t) const {
  return {dtype()};
}

Json RandomContrastImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = options_.data_format;
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["value_range"] = Json::array({range_.first, range_.second});
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

std::shared_ptr<Layer> RandomContrastImpl::from_config(const Json& c) {
  const char* w = "RandomContrast";
  RandomContrastOptions o{
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  if (const Json* r = config::find(c, "value_range")) {
    KERAS_CHECK(r->is_array() && r->size() == 2, ValueError, w,
                ": config key 'value_range' must be two numbers, got ", config::json_excerpt(*r));
    o.value_range = {config::convert<double>((*r)[0], "value_range", w),
                     config::convert<double>((*r)[1], "value_range", w)};
  }
  auto layer =
      std::make_shared<RandomContrastImpl>(augmentation::factor_from_json(c, w), std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
