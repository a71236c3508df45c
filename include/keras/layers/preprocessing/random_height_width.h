// RandomHeight and RandomWidth (tf_keras's keras.layers.RandomHeight / RandomWidth; Keras 3 has
// neither): in training, every image of the batch resized along its height (width) by one factor
// drawn uniformly from [1 + lower, 1 + upper], the new size truncated as tf_keras's
// int32(float32(factor) * float32(size)) (at least 1); at inference the input unchanged.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct RandomHeightOptions {
  // Any of ops::image::resize's: "bilinear", "nearest", "bicubic", "lanczos3", "lanczos5",
  // "area", "gaussian", "mitchellcubic" (another is a ValueError when a training call resizes).
  std::string interpolation = "bilinear";
  std::optional<uint64_t> seed = std::nullopt;  // a generator of its own when set
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};
using RandomWidthOptions = RandomHeightOptions;

// Images (batch, H, W, C) or unbatched (H, W, C), channels last (tf_keras's only layout); output
// (batch, None, W, C) for RandomHeight ((batch, H, None, C) for RandomWidth), in the layer's
// dtype. `factor` x is [-x, x]; a pair is [lower, upper]; ValueError (tf_keras's words) when
// upper < lower or a bound is below -1. A model holding one runs eagerly (its training output's
// size depends on the draw). get_config writes factor (as given), interpolation and seed.
class RandomResizeAxisImpl final : public Layer {
 public:
  enum class Axis { height, width };
  RandomResizeAxisImpl(Axis axis,
                       std::pair<double, double> factor,
                       bool factor_is_pair,
                       RandomHeightOptions options);
  std::string class_name() const override {
    return axis_ == Axis::height ? "RandomHeight" : "RandomWidth";
  }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  bool traceable() const override { return false; }
  Json get_config() const override;
  template <Axis A>
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 private:
  Axis axis_;
  double lower_, upper_;
  bool factor_is_pair_;
  RandomHeightOptions options_;
  std::optional<Generator> generator_;
};

// The handles: RandomHeight(0.2), RandomWidth({-0.3, 0.1}, {.seed = 1}).
template <RandomResizeAxisImpl::Axis A>
class RandomResizeAxis : public LayerHandle<RandomResizeAxisImpl> {
 public:
  explicit RandomResizeAxis(double factor, RandomHeightOptions options = {})
      : LayerHandle(std::make_shared<RandomResizeAxisImpl>(
            A, std::pair{-factor, factor}, false, std::move(options))) {}
  RandomResizeAxis(std::pair<double, double> factor, RandomHeightOptions options = {})
      : LayerHandle(std::make_shared<RandomResizeAxisImpl>(A, factor, true, std::move(options))) {}
};
using RandomHeight = RandomResizeAxis<RandomResizeAxisImpl::Axis::height>;
using RandomWidth = RandomResizeAxis<RandomResizeAxisImpl::Axis::width>;

}  // namespace keras::layers
