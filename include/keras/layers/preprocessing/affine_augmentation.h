// The base of the image augmentation layers that move pixels by a random affine transform per
// image, as Keras 3's affine_transform does (RandomRotation, RandomZoom, RandomTranslation):
// their options, config, shapes and the transform itself. Not a layer of its own.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct AffineAugmentationOptions {
  std::string fill_mode = "reflect";            // "reflect", "wrap", "constant" or "nearest"
  std::string interpolation = "bilinear";       // or "nearest"
  std::optional<uint64_t> seed = std::nullopt;  // a generator of its own when set
  double fill_value = 0.0;                      // outside the image with fill_mode "constant"
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training each image is resampled: output pixel (y, x) reads the input at
// (b0 x + b1 y + b2, a0 x + a1 y + a2) (row, column) for the image's transform {a0, a1, a2, b0,
// b1, b2}, interpolated bilinearly (or at the nearest pixel, halves rounded away from zero), the
// image extended beyond its borders by fill_mode as JAX's map_coordinates does it (reflect:
// d c b a | a b c d | d c b a; wrap: a b c d | a b c d; nearest: a a a a | a b c d | d d d d;
// constant: fill_value, blended with the pixels inside at the border). At inference the
// identity. Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first); output the
// same shape, in the layer's dtype. Differentiable in the images. NotImplementedError (Keras's
// words) for another fill_mode or interpolation; ValueError for another rank or data_format.
class AffineAugmentationImpl : public Layer {
 public:
  Tensors call(const Tensors& inputs, bool training) final;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  // data_format, fill_mode, fill_value, interpolation and seed; a subclass adds its factors.
  Json get_config() const override;
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }
  // The transform that images of (height, width) get from `u`, num_draws() values in [0, 1).
  // Public so that tests can check the geometry without randomness.
  using Transform = std::function<std::array<double, 6>(const double* u)>;
  virtual Transform transform(int64_t height, int64_t width) const = 0;
  virtual int num_draws() const = 0;
  // The same as a training call with these draws (one row of num_draws() values per image)
  // instead of random ones.
  Tensor apply(const Tensor& images, const std::vector<double>& draws) const;

 protected:
  // `what` is the class name, for messages; `prefix` the default name's prefix.
  AffineAugmentationImpl(AffineAugmentationOptions options,
                         const char* what,
                         std::string_view prefix);
  static AffineAugmentationOptions options_from_config(const Json& config, const char* what);

 private:
  Tensor transform_images(const Tensor& x, const Tensor& draws) const;
  const char* what_;
  AffineAugmentationOptions options_;
  std::optional<Generator> generator_;
};

}  // namespace keras::layers
