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

#include "keras/core/random.h"
#include "keras/layers/layer.h"

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
class FactorAugmentationImpl : public Layer {
 public:
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  std::pair<double, double> factor() const { return factor_; }  // (lower, upper)
  // The options of a Keras config (factor is read by augmentation::factor_from_json).
  static FactorAugmentationOptions options_from_config(const Json& config, const char* what);
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

 protected:
  // `what` is the class name, used in messages; `prefix` the default name's prefix.
  FactorAugmentationImpl(std::vector<double> factor,
                         FactorAugmentationOptions options,
                         const char* what,
                         std::string_view prefix,
                         double lo,
                         double hi);
  // x in the layer's dtype, its rank checked; `axes` gets its height and width axes.
  Tensor images(const Tensor& x, std::pair<int, int>* axes = nullptr) const;
  // One uniform value in [minval, maxval) per image, from the layer's generator (or the global).
  Tensor draw(const Tensor& x, double minval, double maxval);
  // y clipped to value_range.
  Tensor clip(const Tensor& y) const;
  const std::pair<double, double>& value_range() const { return range_; }
  const std::string& data_format() const { return options_.data_format; }
  // The layer's own generator (seeded), or nullptr for the global one.
  Generator* generator() { return generator_ ? &*generator_ : nullptr; }

 private:
  const char* what_;
  std::pair<double, double> factor_;  // (lower, upper) as Keras keeps it
  std::pair<double, double> range_;
  FactorAugmentationOptions options_;
  std::optional<Generator> generator_;
};

}  // namespace keras::layers
