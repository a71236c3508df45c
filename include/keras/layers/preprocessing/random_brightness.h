// RandomBrightness (keras.layers.RandomBrightness): in training, a random offset added to each
// image.
#pragma once

#include <vector>

#include "keras/layers/preprocessing/factor_augmentation.h"

namespace keras::layers {

using RandomBrightnessOptions = FactorAugmentationOptions;

// In training, per image: y = clip(x + d * (value_range[1] - value_range[0]), value_range) with
// d uniform in [lower, upper]: a number f gives (-f, f), two numbers themselves sorted.
// Shapes, config and errors as FactorAugmentationImpl, with factor in [-1, 1]. At inference the
// identity.
class RandomBrightnessImpl final : public FactorAugmentationImpl {
 public:
  RandomBrightnessImpl(std::vector<double> factor, RandomBrightnessOptions options);
  std::string class_name() const override { return "RandomBrightness"; }
  Tensors call(const Tensors& inputs, bool training) override;
  static std::shared_ptr<Layer> from_config(const Json& config);
};

class RandomBrightness : public LayerHandle<RandomBrightnessImpl> {
 public:
  explicit RandomBrightness(double factor, RandomBrightnessOptions options = {})
      : LayerHandle(std::make_shared<RandomBrightnessImpl>(std::vector<double>{factor},
                                                           std::move(options))) {}
  RandomBrightness(std::vector<double> factor, RandomBrightnessOptions options)
      : LayerHandle(std::make_shared<RandomBrightnessImpl>(std::move(factor), std::move(options))) {
  }
};

}  // namespace keras::layers
