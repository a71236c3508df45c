// Dense: y = activation(x @ kernel + bias) (keras.layers.Dense).
// Input (..., input_dim) of rank >= 2; output (..., units). kernel (input_dim, units),
// bias (units,). Weights are created on the first call from the input's last dimension.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/activation.h"
#include "keras/layers/layer.h"

namespace keras::layers {

// Designated initializers must follow this order (C++ rule), e.g.
// Dense(64, {.activation = "relu", .name = "hidden"}).
struct DenseOptions {
  ActivationFn activation = "linear";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};  // on the output, see Layer
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // Keras 2's input_shape=(...)
  std::optional<int64_t> input_dim =
      std::nullopt;  // Keras 2's input_dim=n, same as input_shape={n}
};

class DenseImpl final : public Layer {
 public:
  DenseImpl(int64_t units, DenseOptions options);
  std::string class_name() const override { return "Dense"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

  int64_t units() const { return units_; }
  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 private:
  int64_t units_;
  DenseOptions options_;
  Variable kernel_, bias_;
};

class Dense : public LayerHandle<DenseImpl> {
 public:
  explicit Dense(int64_t units, DenseOptions options = {})
      : LayerHandle(std::make_shared<DenseImpl>(units, std::move(options))) {}
};

}  // namespace keras::layers
