// Discretization (keras.layers.Discretization): numbers to the index of their bin, given the bin
// boundaries or learned from data by adapt().
//
//   auto bins = layers::Discretization({.bin_boundaries = {0.0, 1.0, 2.0}})(x);  // int32 in 0..3
//   layers::Discretization d({.num_bins = 4});
//   d->adapt(samples);  // boundaries at the quartiles, as Keras estimates them
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct DiscretizationOptions {
  // Exactly one of bin_boundaries (sorted; empty = not given) and num_bins (then adapt() before
  // the first call).
  std::vector<double> bin_boundaries = {};
  std::optional<int64_t> num_bins = std::nullopt;
  double epsilon = 0.01;  // adapt()'s quantile precision
  // "int" (the bin index, int32), "one_hot", "multi_hot" or "count" (float32, as
  // CategoryEncoding encodes the indices, with depth = boundaries + 1).
  std::string output_mode = "int";
  bool sparse = false;  // Keras's sparse outputs: not available (no sparse tensors)
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// The bin of x is the number of boundaries b with b <= x (NumPy's digitize; NaN goes to the last
// bin). The boundaries are float32, as Keras compares them with its float32 inputs; inputs of
// other dtypes are cast to float32. Errors in Keras's wording: both or neither of
// bin_boundaries / num_bins, num_bins < 0, an unknown output_mode, sparse with "int", a call
// before adapt(), adapt() with bin_boundaries.
class DiscretizationImpl final : public Layer {
 public:
  explicit DiscretizationImpl(DiscretizationOptions options);
  std::string class_name() const override { return "Discretization"; }
  bool batch_independent() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);

  // Keras 3's adapt(data): boundaries at num_bins - 1 quantiles of every value of `data`,
  // estimated as Keras does (a summary of the sorted values every `epsilon` of them,
  // interpolated), so the boundaries equal Keras's.
  void adapt(const Tensor& data);
  // The current boundaries (empty before adapt() when made with num_bins).
  const std::vector<double>& bin_boundaries() const { return boundaries_; }

 private:
  int64_t depth() const { return static_cast<int64_t>(boundaries_.size()) + 1; }
  DiscretizationOptions options_;
  std::vector<double> boundaries_;
  bool ready_ = false;
};

class Discretization : public LayerHandle<DiscretizationImpl> {
 public:
  explicit Discretization(DiscretizationOptions options)
      : LayerHandle(std::make_shared<DiscretizationImpl>(std::move(options))) {}
};

}  // namespace keras::layers
