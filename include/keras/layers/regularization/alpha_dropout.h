// AlphaDropout (keras.layers.AlphaDropout): dropout that keeps SELU's self-normalization.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct AlphaDropoutOptions {
  // One draw per element of noise_shape (None: the input's size on that axis), broadcast to
  // the input; unset = the input's shape.
  std::optional<std::vector<Dim>> noise_shape = std::nullopt;
  std::optional<uint64_t> seed = std::nullopt;  // a generator of its own when set
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training (rate > 0), as Keras 3: kept = uniform >= rate (per element of noise_shape);
// y = a * (x * kept + alpha_p * (1 - kept)) + b with alpha_p = -selu_alpha * selu_scale,
// a = ((1 - rate) (1 + rate alpha_p²))^-1/2 and b = -a alpha_p rate; at inference the identity.
// Any input shape; output the same; passes masks on. ValueError unless 0 <= rate <= 1, or when
// noise_shape does not broadcast to the input.
class AlphaDropoutImpl final : public Layer {
 public:
  AlphaDropoutImpl(double rate, AlphaDropoutOptions options);
  std::string class_name() const override { return "AlphaDropout"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  double rate() const { return rate_; }
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  double rate_;
  AlphaDropoutOptions options_;
  std::optional<Generator> generator_;
};

class AlphaDropout : public LayerHandle<AlphaDropoutImpl> {
 public:
  explicit AlphaDropout(double rate, AlphaDropoutOptions options = {})
      : LayerHandle(std::make_shared<AlphaDropoutImpl>(rate, std::move(options))) {}
};

}  // namespace keras::layers
