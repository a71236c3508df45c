// PReLU (keras.layers.PReLU): relu(x) - alpha * relu(-x) with a learned alpha per input entry,
// shared along `shared_axes`.
//
//   auto y = layers::PReLU({.shared_axes = {1, 2}})(feature_maps);   // one alpha per channel
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct PReLUOptions {
  initializers::Initializer alpha_initializer = "zeros";
  regularizers::Regularizer alpha_regularizer = {};
  constraints::Constraint alpha_constraint = {};  // applied after each optimizer step
  std::vector<int> shared_axes = {};  // axes (1-based, the batch being 0) sharing one alpha
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Weight: alpha, shape input_shape[1:] with 1 on each shared axis (trainable). Input of any rank
// >= 2, fixed at build with its non-shared dimensions (an InputSpec, as Keras); output the same
// shape; passes masks on. Config: Keras 3's keys. ValueError for a shared axis outside
// 1..rank-1.
class PReLUImpl final : public Layer {
 public:
  explicit PReLUImpl(PReLUOptions options);
  std::string class_name() const override { return "PReLU"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  const Variable& alpha() const { return alpha_; }

 private:
  PReLUOptions options_;
  Variable alpha_;
};

class PReLU : public LayerHandle<PReLUImpl> {
 public:
  explicit PReLU(PReLUOptions options = {})
      : LayerHandle(std::make_shared<PReLUImpl>(std::move(options))) {}
};

}  // namespace keras::layers
