// keras::ops on symbolic tensors. Calling an op on KerasTensors adds a node to the functional
// graph, wrapping the eager op in an OpLayer (as Keras 3 does with its Operation nodes):
//   auto x = keras::Input({784});
//   auto h = keras::ops::relu(keras::ops::matmul(x, w) + b);   // w, b: KerasTensors or Tensors
// Output shapes are found by running the op on small placeholder tensors twice, with different
// sizes for the unknown (None) dimensions: a dimension that changes between the runs is None.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

class OpLayerImpl final : public Layer {
 public:
  using Fn = std::function<Tensors(const Tensors&)>;
  // `op_name` in snake_case ("add"); the layer is named "<op_name>_<n>".
  OpLayerImpl(std::string op_name, Fn fn);
  std::string class_name() const override { return class_name_; }
  // Throws NotImplementedError: op nodes are not serializable yet.
  Json get_config() const override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  // Records the dtypes of the next symbolic call (output dtypes come from the placeholder run).
  void set_input_dtypes(std::vector<DType> dtypes) { input_dtypes_ = std::move(dtypes); }

 private:
  Tensors run_placeholder(const std::vector<Shape>& shapes, int64_t unknown) const;
  std::string class_name_;
  Fn fn_;
  std::vector<DType> input_dtypes_;
  mutable std::vector<DType> output_dtypes_;  // from the last placeholder run
};

// Shape inference by placeholder runs, shared by OpLayer and Lambda:
// zeros of `shapes` with every None dimension set to `unknown`, in `dtypes` (float32 past its end);
Tensors placeholder_inputs(const std::vector<Shape>& shapes,
                           const std::vector<DType>& dtypes,
                           int64_t unknown);
// the output shapes of two runs with different `unknown` sizes: a dimension that differs is None.
std::vector<Shape> shapes_from_placeholder_runs(const Tensors& a, const Tensors& b);

// Adds a node computing fn(inputs) to the graph; returns its outputs.
KerasTensors apply_op(const std::string& op_name, OpLayerImpl::Fn fn, const KerasTensors& inputs);

}  // namespace keras::layers

namespace keras::ops {

// Binary ops (KerasTensor with KerasTensor, and with a scalar).
KerasTensor add(const KerasTensor& a, const KerasTensor& b);
KerasTensor subtract(const KerasTensor& a, const KerasTensor& b);
KerasTensor multiply(const KerasTensor& a, const KerasTensor& b);
KerasTensor divide(const KerasTensor& a, const KerasTensor& b);
KerasTensor maximum(const KerasTensor& a, const KerasTensor& b);
KerasTensor minimum(const KerasTensor& a, const KerasTensor& b);
KerasTensor power(const KerasTensor& a, const KerasTensor& b);
KerasTensor equal(const KerasTensor& a, const KerasTensor& b);
KerasTensor not_equal(const KerasTensor& a, const KerasTensor& b);
KerasTensor less(const KerasTensor& a, const KerasTensor& b);
KerasTensor greater(const KerasTensor& a, const KerasTensor& b);
KerasTensor matmul(const KerasTensor& a, const KerasTensor& b);
KerasTensor matmul(const KerasTensor& a, const Tensor& b);  // b becomes a constant of the graph
KerasTensor add(const KerasTensor& a, double b);
KerasTensor subtract(const KerasTensor& a, double b);
KerasTensor multiply(const KerasTensor& a, double b);
KerasTensor divide(const KerasTensor& a, double b);
KerasTensor power(const KerasTensor& a, double exponent);

// Unary ops and activations.
KerasTensor negative(const KerasTensor& x);
KerasTensor abs(const KerasTensor& x);
KerasTensor square(const KerasTensor& x);
KerasTensor sqrt(const KerasTensor& x);
KerasTensor exp(const KerasTensor& x);
KerasTensor log(const KerasTensor& x);
KerasTensor relu(const KerasTensor& x);
KerasTensor sigmoid(const KerasTensor& x);
KerasTensor tanh(const KerasTensor& x);
KerasTensor softplus(const KerasTensor& x);
KerasTensor softsign(const KerasTensor& x);
KerasTensor elu(const KerasTensor& x, double alpha = 1.0);
KerasTensor selu(const KerasTensor& x);
KerasTensor gelu(const KerasTensor& x, bool approximate = true);
KerasTensor silu(const KerasTensor& x);
KerasTensor hard_sigmoid(const KerasTensor& x);
KerasTensor softmax(const KerasTensor& x, int axis = -1);
KerasTensor log_softmax(const KerasTensor& x, int axis = -1);
KerasTensor clip(const KerasTensor& x, double x_min, double x_max);
KerasTensor cast(const KerasTensor& x, DType dtype);

// Reductions.
KerasTensor sum(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor mean(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor max(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor min(const KerasTensor& x, std::vector<int> axes = {}, bool keepdims = false);
KerasTensor argmax(const KerasTensor& x, int axis = -1, bool keepdims = false);
KerasTensor argmin(const KerasTensor& x, int axis = -1, bool keepdims = false);

// Shapes.
KerasTensor reshape(const KerasTensor& x, Shape shape);
KerasTensor transpose(const KerasTensor& x, std::vector<int> axes = {});
KerasTensor expand_dims(const KerasTensor& x, int axis);
KerasTensor squeeze(const KerasTensor& x, std::optional<int> axis = std::nullopt);
KerasTensor concatenate(const KerasTensors& xs, int axis = 0);
KerasTensor slice_axis(const KerasTensor& x, int axis, int64_t start, int64_t size);
KerasTensor one_hot(const KerasTensor& indices, int64_t num_classes, DType dtype = float32);

}  // namespace keras::ops

namespace keras {  // operators live beside KerasTensor so argument-dependent lookup finds them
inline KerasTensor operator+(const KerasTensor& a, const KerasTensor& b) {
  return ops::add(a, b);
}
inline KerasTensor operator-(const KerasTensor& a, const KerasTensor& b) {
  return ops::subtract(a, b);
}
inline KerasTensor operator*(const KerasTensor& a, const KerasTensor& b) {
  return ops::multiply(a, b);
}
inline KerasTensor operator/(const KerasTensor& a, const KerasTensor& b) {
  return ops::divide(a, b);
}
inline KerasTensor operator-(const KerasTensor& a) {
  return ops::negative(a);
}
}  // namespace keras
