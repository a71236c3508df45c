// RandomBrightness (keras.layers.RandomBrightness): in training, a random offset added to each
// image.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct RandomBrightnessOptions {
  std::vector<double> value_range = {0.0, 255.0};  // the images' range; outputs are clipped to it
  std::optional<uint64_t> seed = std::nullopt;     // a generator of its own when set
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training, per image: y = clip(x + d * (value_range[1] - value_range[0]), value_range) with
// d uniform in [lower, upper]: a number f gives (-f, f), two numbers themselves sorted.
// Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first); output the same
// shape, in the layer's dtype. At inference the identity. ValueError (Keras's words) for a factor
// outside [-1, 1], a value_range that is not two numbers, or another rank.
class RandomBrightnessImpl final : public Layer {
 public:
  RandomBrightnessImpl(std::vector<double> factor, RandomBrightnessOptions options);
  std::string class_name() const override { return "RandomBrightness"; }
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
  RandomBrightnessOptions options_;
  std::optional<Generator> generator_;
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
