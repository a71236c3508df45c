// RandomFlip (keras.layers.RandomFlip): in training, each image flipped left-right and/or up-down
// with probability 1/2; at inference the identity.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct RandomFlipOptions {
  std::optional<uint64_t> seed = std::nullopt;  // a generator of its own when set
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// mode "horizontal", "vertical" or "horizontal_and_vertical" (one draw per image flips both
// ways, as Keras 3). Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first);
// output the same shape, in the layer's dtype. The draws are made anew at every training step.
class RandomFlipImpl final : public Layer {
 public:
  RandomFlipImpl(std::string mode, RandomFlipOptions options);
  std::string class_name() const override { return "RandomFlip"; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  std::string mode_;
  RandomFlipOptions options_;
  std::optional<Generator> generator_;
};

class RandomFlip : public LayerHandle<RandomFlipImpl> {
 public:
  explicit RandomFlip(std::string mode = "horizontal_and_vertical", RandomFlipOptions options = {})
      : LayerHandle(std::make_shared<RandomFlipImpl>(std::move(mode), std::move(options))) {}
};

}  // namespace keras::layers
