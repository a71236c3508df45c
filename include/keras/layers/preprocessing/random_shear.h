// RandomShear and RandomPerspective (keras.layers): in training, each image sheared, or warped by
// a random homography; at inference the identity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/preprocessing/affine_augmentation.h"
#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

using RandomShearOptions = AffineAugmentationOptions;

// x_factor and y_factor as Keras 3 keeps them: a number f in [0, 1] gives (-f, f), two numbers in
// [0, 1] themselves sorted. Each image gets shears s_x and s_y uniform in them, both negated with
// probability 1/2, and reads the input at column x + s_x y, row s_y x + y (Keras's shear matrix,
// no centring). Everything else as AffineAugmentationImpl; ValueError (Keras's words) for a
// factor outside [0, 1].
class RandomShearImpl final : public AffineAugmentationImpl {
 public:
  RandomShearImpl(std::vector<double> x_factor,
                  std::vector<double> y_factor,
                  RandomShearOptions options);
  std::string class_name() const override { return "RandomShear"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Transform transform(int64_t height, int64_t width) const override;
  int num_draws() const override { return 3; }

 private:
  std::pair<double, double> x_factor_, y_factor_;
};

class RandomShear : public LayerHandle<RandomShearImpl> {
 public:
  RandomShear(double x_factor, double y_factor, RandomShearOptions options = {})
      : RandomShear(
            std::vector<double>{x_factor}, std::vector<double>{y_factor}, std::move(options)) {}
  RandomShear(std::vector<double> x_factor,
              std::vector<double> y_factor,
              RandomShearOptions options = {})
      : LayerHandle(std::make_shared<RandomShearImpl>(
            std::move(x_factor), std::move(y_factor), std::move(options))) {}
};

struct RandomPerspectiveOptions {
  double scale = 1.0;  // in [0, 1]: each corner moves by up to scale / 2 of its coordinates
  std::string interpolation = "bilinear";  // or "nearest"
  double fill_value = 0.0;                 // outside the warped image
  std::optional<uint64_t> seed = std::nullopt;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Each image is warped when a uniform draw falls under a probability drawn from factor's range (a
// number f in [0, 1]: [0, f]): its corners (0, 0), (W-1, 0), (0, H-1), (W-1, H-1) move to p (1 +
// u), u uniform in [-scale/2, scale/2] per coordinate, and each output pixel samples the input
// through the homography between them (Keras 3's perspective_transform: constant fill). Images
// (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first); output the same shape, in
// the layer's dtype; differentiable in the images. ValueError (Keras's words) for a scale outside
// [0, 1]; NotImplementedError for another interpolation.
class RandomPerspectiveImpl final : public ImageLayerImpl {
 public:
  RandomPerspectiveImpl(std::vector<double> factor, RandomPerspectiveOptions options);
  std::string class_name() const override { return "RandomPerspective"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  // The warp of every image with these draws instead of random ones: 8 per image in [0, 1), the
  // corner offsets x0, y0, ..., x3, y3 (u = (draw - 1/2) scale).
  Tensor apply(const Tensor& images, const std::vector<double>& draws) const;

 private:
  Tensor warp(const Tensor& x, const Tensor& draws) const;
  std::pair<double, double> factor_;
  RandomPerspectiveOptions options_;
};

class RandomPerspective : public LayerHandle<RandomPerspectiveImpl> {
 public:
  explicit RandomPerspective(double factor = 1.0, RandomPerspectiveOptions options = {})
      : RandomPerspective(std::vector<double>{factor}, std::move(options)) {}
  RandomPerspective(std::vector<double> factor, RandomPerspectiveOptions options)
      : LayerHandle(
            std::make_shared<RandomPerspectiveImpl>(std::move(factor), std::move(options))) {}
};

}  // namespace keras::layers
