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
    : ImageLayerImpl(
          options.name, prefix, options.input_shape, what, options.data_format, options.seed),
      factor_(augmentation::factor_range(factor, lo, hi, what)),
      range_(augmentation::value_range(options.value_range, what)) {}

Tensor FactorAugmentationImpl::draw(const Tensor& x, double minval, double maxval) {
  return augmentation::per_image_uniform(x, minval, maxval, generator());
}

Tensor FactorAugmentationImpl::clip(const Tensor& y) const {
  return ops::clip(y, range_.first, range_.second);
}

Json FactorAugmentationImpl::get_config() const {
  Json config = image_config();
  config["factor"] = Json::array({factor_.first, factor_.second});
  config["value_range"] = Json::array({range_.first, range_.second});
  config["seed"] = seed_json();
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
