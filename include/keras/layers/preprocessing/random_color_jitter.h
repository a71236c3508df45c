// RandomColorJitter (keras.layers.RandomColorJitter): in training, RandomBrightness,
// RandomContrast, RandomSaturation and RandomHue applied in that order, each only when its factor
// is given; at inference the identity.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

struct RandomColorJitterOptions {
  std::vector<double> value_range = {0.0, 255.0};
  // Each as the layer it stands for takes it (a number or two); empty: that step is skipped.
  std::vector<double> brightness_factor = {};
  std::vector<double> contrast_factor = {};
  std::vector<double> saturation_factor = {};
  std::vector<double> hue_factor = {};
  std::optional<uint64_t> seed = std::nullopt;  // given to each step, as Keras does
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first); output the same
// shape, in the layer's dtype. Config as Keras 3's: value_range, the four factors (null when not
// given) and seed. The steps' errors are theirs (a factor out of range is a ValueError).
class RandomColorJitterImpl final : public ImageLayerImpl {
 public:
  explicit RandomColorJitterImpl(RandomColorJitterOptions options);
  std::string class_name() const override { return "RandomColorJitter"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<Generator*> seed_generators() override;

 private:
  RandomColorJitterOptions options_;
  std::vector<std::shared_ptr<Layer>> steps_;
};

class RandomColorJitter : public LayerHandle<RandomColorJitterImpl> {
 public:
  explicit RandomColorJitter(RandomColorJitterOptions options = {})
      : LayerHandle(std::make_shared<RandomColorJitterImpl>(std::move(options))) {}
};

}  // namespace keras::layers
