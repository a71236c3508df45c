// Normalization (keras.layers.Normalization): (x - mean) / sqrt(variance), or its inverse, with a
// given mean and variance or ones learned from data with adapt().
//
//   auto y = layers::Normalization({.mean = {{1.0, 2.0}}, .variance = {{4.0, 9.0}}})(x);
//   layers::Normalization norm;  // axis -1
//   norm->adapt(train_x);        // or norm->adapt({batch0, batch1, ...})
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
// defined; output the same; passes masks on.
// Without mean and variance the layer has Keras 3's three non-trainable weights, saved as Keras
// does: `mean` (zeros) and `variance` (ones) of the kept axes' shape, and `count`, an int32
// scalar that Keras 3 creates and never updates (it stays 0 here too). adapt() sets them.
// ValueError (Keras's words) when only one of mean and variance is given, their shapes differ,
// or mean has more dimensions than there are axes.
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

  // Keras 3's adapt(data): the mean and variance of `data` (batch first, like the inputs) over
  // every axis but the kept ones, into the weights. Builds the layer with data's shape when
  // unbuilt. ValueError for a layer given mean and variance, or data whose kept axes differ from
  // the built shape's. Computed in float64 (Keras: NumPy's float32 for an array), stored in the
  // layer's dtype.
  void adapt(const Tensor& data);
  // adapt() over batches as Keras 3 combines an iterable of batches: per batch its mean and
  // (population) variance, merged into running totals weighted by element counts. Mathematically
  // the variance of all the data together. ValueError for no batches.
  void adapt(const std::vector<Tensor>& batches);

 private:
  void check_adaptable(const Shape& shape);
  NormalizationOptions options_;
  std::vector<int> keep_, reduce_;  // sorted kept axes and the others, set by build
  Shape broadcast_;
  Tensor mean_, scale_;  // given mean/variance: host float64, the broadcast shape;
                         // scale_ = max(sqrt(variance), eps)
  Variable adapt_mean_, adapt_variance_, count_;  // without them (Keras's weights)
};

class Normalization : public LayerHandle<NormalizationImpl> {
 public:
  explicit Normalization(NormalizationOptions options = {})
      : LayerHandle(std::make_shared<NormalizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
