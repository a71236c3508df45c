// SpatialDropout1D, SpatialDropout2D and SpatialDropout3D (keras.layers): dropout that drops
// whole feature maps (channels) instead of single elements.
//
//   auto x = layers::Conv2D(64, 3)(inputs);
//   x = layers::SpatialDropout2D(0.2)(x);   // training: each (sample, channel) map kept or zeroed
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct SpatialDropoutOptions {
  // "channels_last" (batch, ..., channels) or "channels_first" (batch, channels, ...). Ignored by
  // SpatialDropout1D, whose input is always (batch, steps, channels).
  std::string data_format = "channels_last";
  std::optional<uint64_t> seed = std::nullopt;  // a generator of the layer's own
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// SpatialDropout<N>D(rate): input of rank N + 2 (InputSpec), output the same. During training
// (call with training = true, and fit), each channel of each sample is zeroed with probability
// `rate` over all its N spatial positions at once, and the kept ones are scaled by
// 1 / (1 - rate); a new mask is drawn at every call and every replayed fit step. At inference,
// the identity. ValueError for rate outside [0, 1) or an unknown data_format.
template <int N>
class SpatialDropoutImpl final : public Layer {
 public:
  SpatialDropoutImpl(double rate, SpatialDropoutOptions options);
  std::string class_name() const override { return "SpatialDropout" + std::to_string(N) + "D"; }
  bool supports_masking() const override { return true; }  // as Keras's Dropout
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  double rate() const { return rate_; }
  const std::string& data_format() const { return data_format_; }
  // Saving: Keras 3's keys (rate, seed, name, dtype, and data_format for 2D and 3D).
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  double rate_;
  std::string data_format_;
  std::optional<uint64_t> seed_;
  std::optional<Generator> generator_;  // when seeded
};

extern template class SpatialDropoutImpl<1>;
extern template class SpatialDropoutImpl<2>;
extern template class SpatialDropoutImpl<3>;
using SpatialDropout1DImpl = SpatialDropoutImpl<1>;
using SpatialDropout2DImpl = SpatialDropoutImpl<2>;
using SpatialDropout3DImpl = SpatialDropoutImpl<3>;

class SpatialDropout1D : public LayerHandle<SpatialDropout1DImpl> {
 public:
  explicit SpatialDropout1D(double rate, SpatialDropoutOptions options = {})
      : LayerHandle(std::make_shared<SpatialDropout1DImpl>(rate, std::move(options))) {}
};
class SpatialDropout2D : public LayerHandle<SpatialDropout2DImpl> {
 public:
  explicit SpatialDropout2D(double rate, SpatialDropoutOptions options = {})
      : LayerHandle(std::make_shared<SpatialDropout2DImpl>(rate, std::move(options))) {}
};
class SpatialDropout3D : public LayerHandle<SpatialDropout3DImpl> {
 public:
  explicit SpatialDropout3D(double rate, SpatialDropoutOptions options = {})
      : LayerHandle(std::make_shared<SpatialDropout3DImpl>(rate, std::move(options))) {}
};

}  // namespace keras::layers
