#include "keras/layers/preprocessing/random_contrast.h"

#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "layers/preprocessing/image_augmentation.h"

namespace keras::layers {

RandomContrastImpl::RandomContrastImpl(std::vector<double> factor, RandomContrastOptions options)
    : FactorAugmentationImpl(
          std::move(factor), std::move(options), "RandomContrast", "random_contrast", 0.0, 1.0) {}

Tensors RandomContrastImpl::call(const Tensors& inputs, bool training) {
  std::pair<int, int> axes;
  const Tensor x = images(inputs[0], &axes);
  if (!training) return {x};
  const Tensor f = draw(x, 1.0 - factor().first, 1.0 + factor().second);
  const Tensor mean = ops::mean(x, {axes.first, axes.second}, /*keepdims=*/true);
  return {clip(ops::add(ops::multiply(ops::subtract(x, mean), f), mean))};
}

std::shared_ptr<Layer> RandomContrastImpl::from_config(const Json& c) {
  const char* w = "RandomContrast";
  auto layer = std::make_shared<RandomContrastImpl>(augmentation::factor_from_json(c, w),
                                                    options_from_config(c, w));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
