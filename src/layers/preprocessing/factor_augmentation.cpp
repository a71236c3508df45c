#include "keras/layers/preprocessing/factor_augmentation.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

FactorAugmentationImpl::FactorAugmentationImpl(std::vector<double> factor,
                                               FactorAugmentationOptions options,
                                               const char* what,
                                               std::string_view prefix,
                                               double lo,
                                               double hi)
    : Layer(options.name,
            prefix,
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      what_(what),
      factor_(augmentation::factor_range(factor, lo, hi, what)),
      range_(augmentation::value_range(options.value_range, what)),
      options_(std::move(options)) {
  augmentation::check_data_format(options_.data_format);
  if (options_.seed) generator_.emplace(*options_.seed);
}

Tensor FactorAugmentationImpl::images(const Tensor& x, std::pair<int, int>* axes) const {
  const auto a = augmentation::image_axes(x.rank(), options_.data_format, what_);
  if (axes != nullptr) *axes = a;
  return x.dtype() == dtype() ? x : ops::cast(x, dtype());
}

Tensor FactorAugmentationImpl::draw(const Tensor& x, double minval, double maxval) {
  return augmentation::per_image_uniform(x, minval, maxval, generator_ ? &*generator_ : nullptr);
}

Tensor FactorAugmentationImpl::clip(const Tensor& y) const {
  return ops::clip(y, range_.first, range_.second);
}

std::vector<Shape> FactorAugmentationImpl::compute_output_shape(
    const std::vector<Shape>& in) const {
  (void)augmentation::image_axes(static_cast<int>(in[0].size()), options_.data_format, what_);
  return {in[0]};
}

std::vector<DType> FactorAugmentationImpl::compute_output_dtype(const std::vector<DType>&,
                                                                size_t) const {
  return {dtype()};
}

Json FactorAugmentationImpl::get_config() const {
  Json config = Layer::get_config();
  config["data_format"] = options_.data_format;
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["value_range"] = Json::array({range_.first, range_.second});
  config["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return config;
}

FactorAugmentationOptions FactorAugmentationImpl::options_from_config(const Json& c,
                                                                      const char* w) {
  FactorAugmentationOptions o{
      .data_format = config::get<std::string>(c, "data_format", "channels_last", w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "seed")) o.seed = config::require<uint64_t>(c, "seed", w);
  if (const Json* r = config::find(c, "value_range")) {
    KERAS_CHECK(r->is_array() && r->size() == 2, ValueError, w,
                ": config key 'value_range' must be two numbers, got ", config::json_excerpt(*r));
    o.value_range = {config::convert<double>((*r)[0], "value_range", w),
                     config::convert<double>((*r)[1], "value_range", w)};
  }
  return o;
}

}  // namespace keras::layers
