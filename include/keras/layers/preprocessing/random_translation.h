// RandomTranslation (keras.layers.RandomTranslation): in training, each image shifted by a random
// fraction of its height and width.
#pragma once

#include <utility>
#include <vector>

#include "keras/layers/preprocessing/affine_augmentation.h"

namespace keras::layers {

using RandomTranslationOptions = AffineAugmentationOptions;

// height_factor and width_factor: a number f in [-1, 1] gives (-|f|, |f|), two numbers
// themselves sorted. Each image moves down by uniform(lower, upper) * H rows and right by
// uniform(lower, upper) * W columns (negative: up, left), interpolated for fractions. The config
// keeps the factors as given. Everything else as AffineAugmentationImpl; ValueError (Keras's
// words) for a factor outside [-1, 1].
class RandomTranslationImpl final : public AffineAugmentationImpl {
 public:
  RandomTranslationImpl(std::vector<double> height_factor,
                        std::vector<double> width_factor,
                        RandomTranslationOptions options);
  std::string class_name() const override { return "RandomTranslation"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Transform transform(int64_t height, int64_t width) const override;
  int num_draws() const override { return 2; }

 private:
  std::vector<double> height_factor_, width_factor_;  // as given
  std::pair<double, double> height_, width_;
};

class RandomTranslation : public LayerHandle<RandomTranslationImpl> {
 public:
  RandomTranslation(double height_factor,
                    double width_factor,
                    RandomTranslationOptions options = {})
      : LayerHandle(std::make_shared<RandomTranslationImpl>(std::vector<double>{height_factor},
                                                            std::vector<double>{width_factor},
                                                            std::move(options))) {}
  RandomTranslation(std::vector<double> height_factor,
                    std::vector<double> width_factor,
                    RandomTranslationOptions options = {})
      : LayerHandle(std::make_shared<RandomTranslationImpl>(
            std::move(height_factor), std::move(width_factor), std::move(options))) {}
};

}  // namespace keras::layers
