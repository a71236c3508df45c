// EinsumDense: y = activation(einsum(equation, x, kernel) + bias) (keras.layers.EinsumDense).
//
//   EinsumDense("abc,cd->abd", {std::nullopt, 64}, {.bias_axes = "d"})   // (b, t, c) -> (b, t, 64)
//   EinsumDense("...b,bc->...c", {64})                                    // a Dense on any rank
//   EinsumDense("abc,cde->abde", {std::nullopt, 8, 16}, {.bias_axes = "de"})  // 8 heads of 16
//
// The equation is one of Keras's three forms: "X,Y->Z" (the batch axis among X's letters),
// "...X,Y->...Z" or "X...,Y->Z...". `output_shape` is the output without the batch axis (and
// without the ellipsis' axes); std::nullopt takes the input's size of that letter. The kernel's
// shape comes from the letters of Y (from the output where the letter is there, else from the
// input); the bias spans the output's letters from the first of `bias_axes` on (1 where a letter
// is not in bias_axes, and 1 for each right-elided axis), so that it broadcasts. Keras's
// ValueErrors for an equation of another form, a letter without a size and output sizes that
// contradict the input. A VarianceScaling kernel initializer (glorot_uniform, he_normal, ...)
// takes its fans from the kernel's input and output letters, as Keras 3 does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/activation.h"
#include "keras/layers/layer.h"

namespace keras::layers {

struct EinsumDenseOptions {
  ActivationFn activation = "linear";
  std::string bias_axes = {};  // empty: no bias (Keras's None)
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

class EinsumDenseImpl final : public Layer {
 public:
  EinsumDenseImpl(std::string equation, std::vector<Dim> output_shape, EinsumDenseOptions options);
  std::string class_name() const override { return "EinsumDense"; }
  bool batch_independent() const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

  const std::string& equation() const { return equation_; }
  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 private:
  std::string equation_;
  std::vector<Dim> output_shape_;
  EinsumDenseOptions options_;
  Variable kernel_, bias_;
  // The equation's form, parsed once: a leading "..." in the input, the input's letters, and
  // whether its first letter reaches the output first and is not in the kernel.
  bool left_elided_ = false;
  size_t input_letters_ = 0;
  bool first_letter_is_batch_ = false;
};

class EinsumDense : public LayerHandle<EinsumDenseImpl> {
 public:
  EinsumDense(std::string equation, std::vector<Dim> output_shape, EinsumDenseOptions options = {})
      : LayerHandle(std::make_shared<EinsumDenseImpl>(
            std::move(equation), std::move(output_shape), std::move(options))) {}
};

}  // namespace keras::layers
