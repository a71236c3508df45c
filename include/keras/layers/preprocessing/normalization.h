// Normalization (keras.layers.Normalization) with a given mean and variance:
// (x - mean) / sqrt(variance), or its inverse.
//
//   auto y = layers::Normalization({.mean = {{1.0, 2.0}}, .variance = {{4.0, 9.0}}})(x);
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

// A number or a rectangular array of numbers, row-major, as Keras's config writes `mean`.
struct NormalizationValues {
  std::vector<double> values;
  Shape shape = {};  // {} for a number
};

struct NormalizationOptions {
  std::vector<int> axis = {-1};  // the axes with their own statistics; {} = one for everything
  std::optional<NormalizationValues> mean = std::nullopt;
  std::optional<NormalizationValues> variance = std::nullopt;
  bool invert = false;  // mean + x * sqrt(variance) instead
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// y = (x - mean) / max(sqrt(variance), 1e-7) (invert: mean + x * max(sqrt(variance), 1e-7)), in
// the layer's dtype, mean and variance placed on the kept axes as Keras 3 does (a number for
// all; else their dimensions are the last kept axes'). Any input shape with the kept axes
// defined; output the same; passes masks on. No weights.
// Not supported yet: adapt() and layers without mean and variance (Keras's adapted ones, whose
// statistics are weights): NotImplementedError when such a layer is built or loaded. ValueError
// (Keras's words) when only one of mean and variance is given, their shapes differ, or mean has
// more dimensions than there are axes.
class NormalizationImpl final : public Layer {
 public:
  explicit NormalizationImpl(NormalizationOptions options);
  std::string class_name() const override { return "Normalization"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

 private:
  NormalizationOptions options_;
  Tensor mean_, scale_;  // host float64, the broadcast shape; scale_ = max(sqrt(variance), eps)
};

class Normalization : public LayerHandle<NormalizationImpl> {
 public:
  explicit Normalization(NormalizationOptions options = {})
      : LayerHandle(std::make_shared<NormalizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
