// GaussianNoise (keras.layers.GaussianNoise): additive zero-centred Gaussian noise in training.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct GaussianNoiseOptions {
  std::optional<uint64_t> seed = std::nullopt;  // a generator of its own when set
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training: x + N(0, stddev²), drawn anew at every step; at inference the identity. Any
// input shape; output the same; passes masks on. ValueError (Keras's words) unless 0 <= stddev
// <= 1.
class GaussianNoiseImpl final : public Layer {
 public:
  GaussianNoiseImpl(double stddev, GaussianNoiseOptions options);
  std::string class_name() const override { return "GaussianNoise"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  double stddev() const { return stddev_; }
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  double stddev_;
  GaussianNoiseOptions options_;
  std::optional<Generator> generator_;
};

class GaussianNoise : public LayerHandle<GaussianNoiseImpl> {
 public:
  explicit GaussianNoise(double stddev, GaussianNoiseOptions options = {})
      : LayerHandle(std::make_shared<GaussianNoiseImpl>(stddev, std::move(options))) {}
};

}  // namespace keras::layers
