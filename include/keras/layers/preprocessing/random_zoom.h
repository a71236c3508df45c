// RandomZoom (keras.layers.RandomZoom): in training, each image zoomed about its centre by a
// random amount.
#pragma once

#include <utility>
#include <vector>

#include "keras/layers/preprocessing/affine_augmentation.h"

namespace keras::layers {

using RandomZoomOptions = AffineAugmentationOptions;

// height_factor (and width_factor): a number f in (-1, 1] gives (-|f|, |f|), two numbers
// themselves sorted. Each image's input is sampled at scale 1 + uniform(lower, upper) per axis
// about ((W - 1) / 2, (H - 1) / 2): a positive factor zooms out, a negative one zooms in (Keras's
// convention). Without width_factor (empty) the width gets the height's draw, keeping the aspect.
// The config keeps the factors as given. Everything else as AffineAugmentationImpl; ValueError
// (Keras's words) for a factor outside (-1, 1].
class RandomZoomImpl final : public AffineAugmentationImpl {
 public:
  RandomZoomImpl(std::vector<double> height_factor,
                 std::vector<double> width_factor,
                 RandomZoomOptions options);
  std::string class_name() const override { return "RandomZoom"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Transform transform(int64_t height, int64_t width) const override;
  int num_draws() const override { return 2; }

 private:
  std::vector<double> height_factor_, width_factor_;  // as given
  std::pair<double, double> height_, width_;
};

class RandomZoom : public LayerHandle<RandomZoomImpl> {
 public:
  explicit RandomZoom(double height_factor, RandomZoomOptions options = {})
      : LayerHandle(std::make_shared<RandomZoomImpl>(
            std::vector<double>{height_factor}, std::vector<double>{}, std::move(options))) {}
  RandomZoom(std::vector<double> height_factor,
             std::vector<double> width_factor,
             RandomZoomOptions options = {})
      : LayerHandle(std::make_shared<RandomZoomImpl>(
            std::move(height_factor), std::move(width_factor), std::move(options))) {}
};

}  // namespace keras::layers
