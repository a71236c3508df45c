// RandomElasticTransform (keras.layers.RandomElasticTransform): in training, each image of the
// batch is, with a probability drawn per image from `factor`, resampled along smooth random
// displacement fields (Keras 3's elastic_transform): with d drawn once per batch from `scale`,
// sigma = 0.05 d min(H, W) and alpha = 0.1 d max(H, W), each field is per-pixel normal noise
// times sigma, blurred by a Gaussian of deviation sigma (kernel int(6 sigma) | 1, zeros beyond the
// image), times alpha; pixel (y, x) samples the image at (y + dy, x + dx) with `interpolation`
// ("bilinear" or "nearest") and `fill_mode` ("reflect", "mirror", "wrap", "nearest", "constant"
// with fill_value). Every image is then clipped to value_range (as Keras does, transformed or
// not). At inference, or when factor or scale is (0, 0), the identity.
//
// Deliberate difference: Keras 3.15 draws both fields from one seed, so dy equals dx (every
// pixel moves along the diagonal); keras.cpp draws them independently (docs/differences.md).
//
// Errors (Keras's words): ValueError for factor or scale outside [0, 1]; NotImplementedError for
// another interpolation or fill_mode.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

struct RandomElasticTransformOptions {
  std::vector<double> scale = {1.0};  // a number s in [0, 1] (the range (0, s)) or two
  std::string interpolation = "bilinear";
  std::string fill_mode = "reflect";
  double fill_value = 0.0;
  std::pair<double, double> value_range = {0.0, 255.0};
  std::optional<uint64_t> seed = std::nullopt;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

class RandomElasticTransformImpl final : public ImageLayerImpl {
 public:
  RandomElasticTransformImpl(std::vector<double> factor, RandomElasticTransformOptions options);
  std::string class_name() const override { return "RandomElasticTransform"; }
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::pair<double, double> factor() const { return factor_; }
  std::pair<double, double> scale() const { return scale_; }

 private:
  std::pair<double, double> factor_, scale_;
  RandomElasticTransformOptions options_;
};

class RandomElasticTransform : public LayerHandle<RandomElasticTransformImpl> {
 public:
  explicit RandomElasticTransform(std::vector<double> factor = {1.0},
                                  RandomElasticTransformOptions options = {})
      : LayerHandle(
            std::make_shared<RandomElasticTransformImpl>(std::move(factor), std::move(options))) {}
};

}  // namespace keras::layers
