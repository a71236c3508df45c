// RandAugment and AugMix (keras.layers): in training, augmentations picked at random for the batch
// from eleven (RandomShear, RandomTranslation, RandomRotation, RandomBrightness,
// RandomColorDegeneration, RandomContrast, RandomSharpness, RandomPosterization, Solarization,
// AutoContrast, Equalization), each configured from `factor` as Keras 3 does; at inference the
// identity. Every candidate runs at each pick and the pick selects its output (as Keras 3 does),
// so that a traced step stays one static plan; the picks are drawn anew at every step.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

struct RandAugmentOptions {
  std::vector<double> value_range = {0.0, 255.0};
  int64_t num_ops = 2;
  std::vector<double> factor = {0.5};  // in [0, 1]: a number f gives [0, f]
  std::string interpolation = "bilinear";
  std::optional<uint64_t> seed = std::nullopt;  // given to each augmentation, as Keras does
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// num_ops picks, applied in turn. Images (batch,
// H, W, C) or unbatched (H, W, C) (channels_first: C first); output the same shape, in the
// layer's dtype. Config: value_range, num_ops, factor, interpolation, seed. ValueError for
// num_ops < 0 and the augmentations' own errors.
class RandAugmentImpl final : public ImageLayerImpl {
 public:
  explicit RandAugmentImpl(RandAugmentOptions options);
  std::string class_name() const override { return "RandAugment"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<Generator*> seed_generators() override;

 private:
  RandAugmentOptions options_;
  std::pair<double, double> factor_;
  std::vector<std::shared_ptr<Layer>> augmentations_;
};

class RandAugment : public LayerHandle<RandAugmentImpl> {
 public:
  explicit RandAugment(RandAugmentOptions options = {})
      : LayerHandle(std::make_shared<RandAugmentImpl>(std::move(options))) {}
};

struct AugMixOptions {
  std::vector<double> value_range = {0.0, 255.0};
  int64_t num_chains = 3;
  int64_t chain_depth = 3;
  std::vector<double> factor = {0.3};  // in [0, 1]: a number f gives [0, f]
  double alpha = 1.0;                  // of the Dirichlet and Beta distributions
  bool all_ops = true;  // false: the seven that do not change colours alone (no brightness, ...)
  std::string interpolation = "bilinear";
  std::optional<uint64_t> seed = std::nullopt;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// num_chains chains of chain_depth picks each (a pick may be none), mixed with Dirichlet(alpha)
// weights, then blended with the input by w ~ Beta(alpha, alpha) and clipped to value_range: y =
// w x + (1 - w) sum_c d_c chain_c(x), as Keras 3's AugMix. Shapes and dtype as RandAugment.
// Config: value_range, num_chains, chain_depth, factor, alpha, all_ops, interpolation, seed.
// ValueError for counts outside [1, 100] or alpha <= 0.
class AugMixImpl final : public ImageLayerImpl {
 public:
  explicit AugMixImpl(AugMixOptions options);
  std::string class_name() const override { return "AugMix"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<Generator*> seed_generators() override;

 private:
  AugMixOptions options_;
  std::pair<double, double> factor_;
  std::vector<std::shared_ptr<Layer>> augmentations_;
};

class AugMix : public LayerHandle<AugMixImpl> {
 public:
  explicit AugMix(AugMixOptions options = {})
      : LayerHandle(std::make_shared<AugMixImpl>(std::move(options))) {}
};

}  // namespace keras::layers
