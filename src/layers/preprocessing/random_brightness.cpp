#include "keras/layers/preprocessing/random_brightness.h"

#include "keras/ops/elementwise.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

RandomBrightnessImpl::RandomBrightnessImpl(std::vector<double> factor,
                                           RandomBrightnessOptions options)
    : FactorAugmentationImpl(std::move(factor),
                             std::move(options),
                             "RandomBrightness",
                             "random_brightness",
                             -1.0,
                             1.0) {}

Tensors RandomBrightnessImpl::call(const Tensors& inputs, bool training) {
  const Tensor x = images(inputs[0]);
  if (!training) return {x};
  const Tensor d = draw(x, factor().first, factor().second);
  return {clip(ops::add(x, ops::multiply(d, value_range().second - value_range().first)))};
}

std::shared_ptr<Layer> RandomBrightnessImpl::from_config(const Json& c) {
  const char* w = "RandomBrightness";
  auto layer = std::make_shared<RandomBrightnessImpl>(augmentation::factor_from_json(c, w),
                                                      options_from_config(c, w));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
