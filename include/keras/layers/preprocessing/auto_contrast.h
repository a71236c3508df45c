// AutoContrast and Equalization (keras.layers): images stretched to their value range, always
// (AutoContrast), or histogram-equalized in training (Equalization). Images (batch, H, W, C) or
// unbatched (H, W, C) (channels_first: C first), in `value_range` (default [0, 255]); output the
// same shape, in the layer's dtype. Configs are Keras 3's.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

struct AutoContrastOptions {
  std::vector<double> value_range = {0.0, 255.0};
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training and at inference, each channel of each image mapped linearly so that its minimum
// and maximum over height and width become value_range's bounds (Keras 3's arithmetic, in
// [0, 255]); a constant channel, whose map divides by zero, comes back unchanged.
class AutoContrastImpl final : public ImageLayerImpl {
 public:
  explicit AutoContrastImpl(AutoContrastOptions options);
  std::string class_name() const override { return "AutoContrast"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  AutoContrastOptions options_;
  std::pair<double, double> range_;
};

class AutoContrast : public LayerHandle<AutoContrastImpl> {
 public:
  explicit AutoContrast(AutoContrastOptions options = {})
      : LayerHandle(std::make_shared<AutoContrastImpl>(std::move(options))) {}
};

struct EqualizationOptions {
  std::vector<double> value_range = {0.0, 255.0};
  int64_t bins = 256;
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// In training, each channel equalized as Keras 3 does: one histogram of `bins` bins over the
// channel's values in the whole batch (mapped to [0, 255]), its cumulative counts as a lookup
// table rounded to [0, 255], mapped back to value_range; a channel with values in at most one bin
// is unchanged. Not differentiable (the output does not depend smoothly on the input). At
// inference the identity.
class EqualizationImpl final : public ImageLayerImpl {
 public:
  explicit EqualizationImpl(EqualizationOptions options);
  std::string class_name() const override { return "Equalization"; }
  Tensors call(const Tensors& inputs, bool training) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  EqualizationOptions options_;
  std::pair<double, double> range_;
};

class Equalization : public LayerHandle<EqualizationImpl> {
 public:
  explicit Equalization(EqualizationOptions options = {})
      : LayerHandle(std::make_shared<EqualizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
