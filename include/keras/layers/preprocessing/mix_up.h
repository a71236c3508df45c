// MixUp and CutMix (keras.layers): in training, each image of a batch blended with, or given a
// box of, another image of the same batch (a random permutation); at inference the identity.
// Called on images alone (a model's layer), they mix images only; the labels Keras mixes when
// given a dict of images and labels are not taken. Images (batch, H, W, C) or unbatched (H, W, C)
// (channels_first: C first; one image has nothing to mix with and passes through); output the
// same shape, in the layer's dtype. Keras's exact random numbers are not reproduced.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "keras/core/random.h"
#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

struct MixUpOptions {
  std::optional<uint64_t> seed = std::nullopt;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// y_i = w_i x_i + (1 - w_i) x_p(i), w_i ~ Beta(alpha, alpha), p a random permutation. Config:
// alpha, seed, data_format. ValueError for alpha <= 0. Differentiable in the images.
class MixUpImpl final : public ImageLayerImpl {
 public:
  MixUpImpl(double alpha, MixUpOptions options);
  std::string class_name() const override { return "MixUp"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  double alpha_;
  MixUpOptions options_;
};

class MixUp : public LayerHandle<MixUpImpl> {
 public:
  explicit MixUp(double alpha = 0.2, MixUpOptions options = {})
      : LayerHandle(std::make_shared<MixUpImpl>(alpha, std::move(options))) {}
};

using CutMixOptions = MixUpOptions;

// Each image gets the pixels of another image (a random permutation) inside a box of sqrt(1 - w)
// of its height and width at a uniform position, w ~ Beta(a, a) per image with one a uniform in
// factor's range (a number f in [0, 1]: [0, f]) plus 1e-6 per batch, as Keras 3. Config: factor,
// seed, data_format.
class CutMixImpl final : public ImageLayerImpl {
 public:
  CutMixImpl(std::vector<double> factor, CutMixOptions options);
  std::string class_name() const override { return "CutMix"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  std::pair<double, double> factor_;
  CutMixOptions options_;
};

class CutMix : public LayerHandle<CutMixImpl> {
 public:
  explicit CutMix(double factor = 1.0, CutMixOptions options = {})
      : CutMix(std::vector<double>{factor}, std::move(options)) {}
  CutMix(std::vector<double> factor, CutMixOptions options)
      : LayerHandle(std::make_shared<CutMixImpl>(std::move(factor), std::move(options))) {}
};

}  // namespace keras::layers
