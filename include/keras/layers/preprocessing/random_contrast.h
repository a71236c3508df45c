// RandomContrast (keras.layers.RandomContrast): in training, each image's contrast scaled by a
// random factor.
#pragma once

#include <vector>

#include "keras/layers/preprocessing/factor_augmentation.h"

namespace keras::layers {

using RandomContrastOptions = FactorAugmentationOptions;

// In training, per image: y = clip((x - m) * f + m, value_range) with m the mean over height
// and width (per channel) and f uniform in [1 - lower, 1 + upper], where factor gives (lower,
// upper) as Keras 3 keeps it: a number f gives (0, f) (Keras clips the lower bound at 0, so the
// contrast only grows), two numbers give themselves sorted.
// Shapes, config and errors as FactorAugmentationImpl, with factor in [0, 1]. At inference the
// identity.
class RandomContrastImpl final : public FactorAugmentationImpl {
 public:
  RandomContrastImpl(std::vector<double> factor, RandomContrastOptions options);
  std::string class_name() const override { return "RandomContrast"; }
  Tensors call(const Tensors& inputs, bool training) override;
  static std::shared_ptr<Layer> from_config(const Json& config);
};

class RandomContrast : public LayerHandle<RandomContrastImpl> {
 public:
  explicit RandomContrast(double factor, RandomContrastOptions options = {})
      : LayerHandle(std::make_shared<RandomContrastImpl>(std::vector<double>{factor},
                                                         std::move(options))) {}
  RandomContrast(std::vector<double> factor, RandomContrastOptions options)
      : LayerHandle(std::make_shared<RandomContrastImpl>(std::move(factor), std::move(options))) {}
};

}  // namespace keras::layers
