// RandomRotation (keras.layers.RandomRotation): in training, each image rotated about its centre
// by a random angle.
#pragma once

#include <utility>
#include <vector>

#include "keras/layers/preprocessing/affine_augmentation.h"

namespace keras::layers {

using RandomRotationOptions = AffineAugmentationOptions;

// factor, in fractions of a full turn, as Keras 3 keeps it: a number f in [-1, 1] gives
// (-|f|, |f|), two numbers themselves sorted; each image turns by an angle uniform in
// [lower, upper] * 360 degrees (positive: counter-clockwise), about ((W - 1) / 2, (H - 1) / 2).
// Everything else as AffineAugmentationImpl; ValueError (Keras's words) for a factor outside
// [-1, 1].
class RandomRotationImpl final : public AffineAugmentationImpl {
 public:
  RandomRotationImpl(std::vector<double> factor, RandomRotationOptions options);
  std::string class_name() const override { return "RandomRotation"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::pair<double, double> factor() const { return factor_; }
  Transform transform(int64_t height, int64_t width) const override;
  int num_draws() const override { return 1; }

 private:
  std::pair<double, double> factor_;
};

class RandomRotation : public LayerHandle<RandomRotationImpl> {
 public:
  explicit RandomRotation(double factor, RandomRotationOptions options = {})
      : LayerHandle(std::make_shared<RandomRotationImpl>(std::vector<double>{factor},
                                                         std::move(options))) {}
  RandomRotation(std::vector<double> factor, RandomRotationOptions options = {})
      : LayerHandle(std::make_shared<RandomRotationImpl>(std::move(factor), std::move(options))) {}
};

}  // namespace keras::layers
