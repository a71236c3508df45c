// InputLayer and keras::Input: the entry points of a functional graph.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras {

struct InputOptions {
  std::optional<int64_t> batch_size = std::nullopt;  // fixed batch size; None (dynamic) by default
  DType dtype = float32;
  std::string name = {};  // default "input_1", "input_2", ...
};

// A symbolic tensor of shape (batch_size or None, *shape), produced by a new InputLayer.
// `shape` excludes the batch dimension; unknown dimensions are std::nullopt:
//   auto x = keras::Input({784});
//   auto seq = keras::Input({std::nullopt, 128}, {.dtype = keras::float32, .name = "seq"});
KerasTensor Input(const std::vector<Dim>& shape, InputOptions options = {});

namespace layers {

class InputLayerImpl final : public Layer {
 public:
  InputLayerImpl(Shape batch_shape, DType dtype, std::string name);
  std::string class_name() const override { return "InputLayer"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  // Creates node 0 (called once by keras::Input right after construction).
  KerasTensor make_input_tensor();
  const Shape& batch_shape() const { return batch_shape_; }
  DType input_dtype() const { return input_dtype_; }

 private:
  Shape batch_shape_;
  DType input_dtype_;
};

}  // namespace layers
}  // namespace keras
