// ELU (keras.layers.ELU): x for x > 0, alpha * (exp(x) - 1) below.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct ELUOptions {
  double alpha = 1.0;
  std::string name = {};
  std::optional<std::vector<Dim>> input_shape = std::nullopt;
};

// Any input shape; output the same; passes masks on.
class ELUImpl final : public Layer {
 public:
  explicit ELUImpl(ELUOptions options);
  std::string class_name() const override { return "ELU"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  double alpha() const { return options_.alpha; }

 private:
  ELUOptions options_;
};

class ELU : public LayerHandle<ELUImpl> {
 public:
  explicit ELU(ELUOptions options = {})
      : LayerHandle(std::make_shared<ELUImpl>(std::move(options))) {}
};

}  // namespace keras::layers
