// RandomContrast (keras.layers.RandomContrast): in training, each image's contrast scaled by a
// random factor.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct RandomContrastOptions {
  std::vector<double> value_range = {0.0, 255.0};  // the images' range; outputs are clipped to it
  std::optional<uint64_t> seed = std::nullopt;     // a generator of its own when set
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training, per image: y = clip((x - m) * f + m, value_range) with m the mean over height
// and width (per channel) and f uniform in [1 - lower, 1 + upper], where factor gives (lower,
// upper) as Keras 3 keeps it: a number f gives (0, f) (Keras clips the lower bound at 0, so the
// contrast only grows), two numbers give themselves sorted.
// Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first); output the same
// shape, in the layer's dtype. At inference the identity. ValueError (Keras's words) for a factor
// outside [0, 1], a value_range that is not two numbers, or another rank.
class RandomContrastImpl final : public Layer {
 public:
  RandomContrastImpl(std::vector<double> factor, RandomContrastOptions options);
  std::string class_name() const override { return "RandomContrast"; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::pair<double, double> factor() const { return factor_; }
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  std::pair<double, double> factor_;  // (lower, upper) as Keras keeps it
  std::pair<double, double> range_;
  RandomContrastOptions options_;
  std::optional<Generator> generator_;
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
