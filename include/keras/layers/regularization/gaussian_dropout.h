// GaussianDropout (keras.layers.GaussianDropout): multiplicative one-centred Gaussian noise in
// training.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct GaussianDropoutOptions {
  std::optional<uint64_t> seed = std::nullopt;  // a generator of its own when set
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training (0 < rate < 1): x * N(1, rate / (1 - rate)), drawn anew at every step; at
// inference the identity. Any input shape; output the same; passes masks on. ValueError (Keras's
// words) unless 0 <= rate <= 1.
class GaussianDropoutImpl final : public Layer {
 public:
  GaussianDropoutImpl(double rate, GaussianDropoutOptions options);
  std::string class_name() const override { return "GaussianDropout"; }
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
  GaussianDropoutOptions options_;
  std::optional<Generator> generator_;
};

class GaussianDropout : public LayerHandle<GaussianDropoutImpl> {
 public:
  explicit GaussianDropout(double rate, GaussianDropoutOptions options = {})
      : LayerHandle(std::make_shared<GaussianDropoutImpl>(rate, std::move(options))) {}
};

}  // namespace keras::layers
