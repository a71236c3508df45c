// Keras 3's colour augmentation layers: RandomGrayscale, RandomInvert, RandomPosterization,
// RandomColorDegeneration, RandomSaturation, RandomHue, RandomSharpness and Solarization. In
// training each draws its own numbers per image (Keras's exact random numbers are not reproduced);
// at inference each is the identity. Images (batch, H, W, C) or unbatched (H, W, C)
// (channels_first: C first), in `value_range` (default [0, 255]); output the same shape, in the
// layer's dtype. Configs are Keras 3's, so that files load both ways.
#pragma once

#include <vector>

#include "keras/layers/preprocessing/factor_augmentation.h"

namespace keras::layers {

using ColorAugmentationOptions = FactorAugmentationOptions;

// The class name and default-name prefix of each layer below, and a constructor taking the
// factor as Keras keeps it; the optional second argument declares more members (a get_config of
// its own where Keras's config differs from FactorAugmentationImpl's).
#define KERAS_COLOR_AUGMENTATION(NAME, ...)                                                   \
  class NAME##Impl final : public FactorAugmentationImpl {                                    \
   public:                                                                                    \
    NAME##Impl(std::vector<double> factor, ColorAugmentationOptions options);                 \
    std::string class_name() const override { return #NAME; }                                 \
    Tensors call(const Tensors& inputs, bool training) override;                              \
    static std::shared_ptr<Layer> from_config(const Json& config);                            \
    __VA_ARGS__                                                                               \
  };                                                                                          \
  class NAME : public LayerHandle<NAME##Impl> {                                               \
   public:                                                                                    \
    NAME(std::vector<double> factor, ColorAugmentationOptions options = {})                   \
        : LayerHandle(std::make_shared<NAME##Impl>(std::move(factor), std::move(options))) {} \
    explicit NAME(double factor, ColorAugmentationOptions options = {})                       \
        : NAME(std::vector<double>{factor}, std::move(options)) {}                            \
  };

// RandomGrayscale(factor = 0.5): each image, with probability `factor` (in [0, 1]), replaced in
// every channel by its grayscale (ops::image::rgb_to_grayscale; 1 or 3 channels). Config: factor
// (a number) and data_format, as Keras (no value_range, no seed).
KERAS_COLOR_AUGMENTATION(RandomGrayscale, Json get_config() const override;)
// RandomInvert(factor = 1): each image inverted (value_range's upper bound minus x) when a uniform
// draw falls under a probability drawn from factor's range (a number f: [0, f]; within [0, 1]).
KERAS_COLOR_AUGMENTATION(RandomInvert)
// RandomPosterization(factor): each image mapped to [0, 255], truncated to integers and kept to
// its top b bits, b an integer drawn from [lower, upper) of factor (a number f: [1, f); within
// [1, 8]; b = lower when the two are equal), then mapped back.
KERAS_COLOR_AUGMENTATION(RandomPosterization, Json get_config() const override;)
// RandomColorDegeneration(factor): x + f (gray(x) - x) clipped to value_range, f uniform in
// factor's range (a number f in [-1, 1]: [-|f|, |f|], as Keras 3 keeps it).
KERAS_COLOR_AUGMENTATION(RandomColorDegeneration)
// RandomSaturation(factor): in HSV, the saturation multiplied by f / (1 - f + 1e-7) and clipped to
// value_range (Keras 3's formula), f uniform in factor's range (a number f in [-1, 1]:
// [-|f|, |f|]). 3 channels.
KERAS_COLOR_AUGMENTATION(RandomSaturation)
// RandomHue(factor): images mapped to [0, 1], the hue shifted by +-f/2 (sign and f drawn per
// image, f from factor's range: a number f in [0, 1] gives [0, f]) and wrapped into [0, 1], clipped
// to [0, 1] and mapped back. 3 channels.
KERAS_COLOR_AUGMENTATION(RandomHue)
// RandomSharpness(factor): x + (1 - 2f) (blur(x) - x) clipped to value_range, blur the 3x3 kernel
// [1 1 1; 1 5 1; 1 1 1] / 13 with zero padding ("same"), f uniform in factor's range (a number f in
// [0, 1]: [0, f]).
KERAS_COLOR_AUGMENTATION(RandomSharpness)

#undef KERAS_COLOR_AUGMENTATION

struct SolarizationOptions {
  std::vector<double> value_range = {0.0, 255.0};
  std::optional<uint64_t> seed = std::nullopt;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Solarization(addition_factor = 0, threshold_factor = 0): each image mapped to [0, 255], an
// addition a added and clipped to [0, 255], values at or above a threshold t replaced by 255 minus
// them, then mapped back. a and t uniform per image in [lower, 255 upper) of their factors (a
// number f in [0, 1] gives (0, f); Keras 3 scales only the upper bound). Config: value_range,
// addition_factor, threshold_factor, seed.
class SolarizationImpl final : public FactorAugmentationImpl {
 public:
  SolarizationImpl(std::vector<double> addition_factor,
                   std::vector<double> threshold_factor,
                   SolarizationOptions options);
  std::string class_name() const override { return "Solarization"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::pair<double, double> threshold_;
};

class Solarization : public LayerHandle<SolarizationImpl> {
 public:
  explicit Solarization(std::vector<double> addition_factor = {0.0},
                        std::vector<double> threshold_factor = {0.0},
                        SolarizationOptions options = {})
      : LayerHandle(std::make_shared<SolarizationImpl>(
            std::move(addition_factor), std::move(threshold_factor), std::move(options))) {}
  Solarization(double addition_factor, double threshold_factor, SolarizationOptions options = {})
      : Solarization(std::vector<double>{addition_factor},
                     std::vector<double>{threshold_factor},
                     std::move(options)) {}
};

}  // namespace keras::layers
