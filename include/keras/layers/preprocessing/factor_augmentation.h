// The base of the image augmentation layers that draw one factor per image from Keras 3's
// `factor` and clip to `value_range` (RandomBrightness, RandomContrast): their options, config,
// shapes and seeded draws. Not a layer of its own.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/layers/preprocessing/image_layer.h"

namespace keras::layers {

struct FactorAugmentationOptions {
  std::vector<double> value_range = {0.0, 255.0};  // the images' range; outputs are clipped to it
  std::optional<uint64_t> seed = std::nullopt;     // a generator of its own when set
  std::string data_format = "channels_last";
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Images (batch, H, W, C) or unbatched (H, W, C) (channels_first: C first); output the same
// shape, in the layer's dtype. get_config writes factor (as Keras keeps it), value_range, seed
// and data_format. ValueError (Keras's words) for a factor outside [lo, hi], a value_range that
// is not two numbers, or another rank.
class FactorAugmentationImpl : public ImageLayerImpl {
 public:
  Json get_config() const override;
  std::pair<double, double> factor() const { return factor_; }  // (lower, upper)
  // The options of a Keras config (factor is read by augmentation::factor_from_json).
  static FactorAugmentationOptions options_from_config(const Json& config, const char* what);

 protected:
  // `what` is the class name, used in messages; `prefix` the default name's prefix.
  FactorAugmentationImpl(std::vector<double> factor,
                         FactorAugmentationOptions options,
                         const char* what,
                         std::string_view prefix,
                         double lo,
                         double hi);
  // One uniform value in [minval, maxval) per image, from the layer's generator (or the global).
  Tensor draw(const Tensor& x, double minval, double maxval);
  // y clipped to value_range.
  Tensor clip(const Tensor& y) const;
  const std::pair<double, double>& value_range() const { return range_; }

 private:
  std::pair<double, double> factor_;  // (lower, upper) as Keras keeps it
  std::pair<double, double> range_;
};

}  // namespace keras::layers
