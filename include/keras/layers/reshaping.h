// RepeatVector and Permute (keras.layers).
//
//   auto x = keras::Input({32});
//   auto r = layers::RepeatVector(3)(x);             // (None, 3, 32)
//   auto p = layers::Permute({2, 1})(r);             // (None, 32, 3)
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct RepeatVectorOptions {
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // Keras 2's input_shape=(...)
};

// RepeatVector(n): (batch, features) -> (batch, n, features), the input repeated n times.
// Input must be 2-D (Keras 2's InputSpec(ndim=2)).
class RepeatVectorImpl final : public Layer {
 public:
  RepeatVectorImpl(int64_t n, RepeatVectorOptions options);
  std::string class_name() const override { return "RepeatVector"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  int64_t n() const { return n_; }

 private:
  int64_t n_;
};

class RepeatVector : public LayerHandle<RepeatVectorImpl> {
 public:
  explicit RepeatVector(int64_t n, RepeatVectorOptions options = {})
      : LayerHandle(std::make_shared<RepeatVectorImpl>(n, std::move(options))) {}
};

struct PermuteOptions {
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // Keras 2's input_shape=(...)
};

// Permute(dims): permutes the non-batch axes. `dims` is 1-based, as in Keras: Permute({2, 1})
// swaps the first and second non-batch axes, (batch, a, b) -> (batch, b, a). dims must be a
// permutation of 1..len(dims); the input must have rank len(dims) + 1.
class PermuteImpl final : public Layer {
 public:
  PermuteImpl(std::vector<int> dims, PermuteOptions options);
  std::string class_name() const override { return "Permute"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  const std::vector<int>& dims() const { return dims_; }

 private:
  std::vector<int> dims_;
};

class Permute : public LayerHandle<PermuteImpl> {
 public:
  explicit Permute(std::vector<int> dims, PermuteOptions options = {})
      : LayerHandle(std::make_shared<PermuteImpl>(std::move(dims), std::move(options))) {}
};

}  // namespace keras::layers
