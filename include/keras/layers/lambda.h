// Lambda: wraps a function of tensors as a layer (keras.layers.Lambda).
//
//   auto x = keras::Input({8});
//   auto y = layers::Lambda([](const Tensor& t) { return ops::square(ops::relu(t)); })(x);
//   auto s = layers::Lambda([](const Tensors& ts) { return ops::add(ts[0], ts[1]); })({a, b});
//   auto r = layers::Lambda(fn, {.output_shape = std::vector<Dim>{4, 2}})(x);   // (None, 4, 2)
//
// The function is composed from keras::ops, so the layer is differentiable with no extra work.
// It must depend only on its inputs (a Lambda has no weights) and must not branch on values.
// Output shapes and dtypes: unless output_shape / output_shape_fn is given, they are found as
// for OpLayer, by running the function twice on zero-filled placeholders of the input shapes,
// with None dimensions set to 2 and then 3 (a dimension that changes between the runs is None).
// If the function cannot run on the placeholders, a ValueError asks for output_shape.
// The function sees its inputs as they are: no dtype cast is applied.
// Not implemented: Keras's `mask` and `arguments`, and serialization of the function.
#pragma once

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct LambdaOptions {
  // The output shape without the batch axis (Keras 2's output_shape tuple); the batch dimension
  // is the first input's. Single-output functions only.
  OptionalDims output_shape = std::nullopt;
  // Or a function of the full input shapes giving the full output shape (Keras 2's callable
  // output_shape). Single-output functions only.
  std::function<Shape(const std::vector<Shape>&)> output_shape_fn = {};
  std::string name = {};
};

class LambdaImpl final : public Layer {
 public:
  using Fn = std::function<Tensors(const Tensors&)>;
  // `single_input`: the function takes one Tensor, so the layer takes exactly one input.
  LambdaImpl(Fn fn, bool single_input, LambdaOptions options);
  std::string class_name() const override { return "Lambda"; }
  // Throws NotImplementedError: a C++ function cannot be serialized.
  Json get_config() const override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  // The dtypes of the placeholders of the next shape inference (the Lambda handle sets them
  // before a symbolic call; otherwise the dtypes of the previous call, float32 at first).
  void set_input_dtypes(std::vector<DType> dtypes) const { input_dtypes_ = std::move(dtypes); }

 private:
  void check_num_inputs(size_t n) const;
  Tensors run_placeholder(const std::vector<Shape>& shapes, int64_t unknown) const;
  Fn fn_;
  bool single_input_;
  LambdaOptions options_;
  mutable std::vector<DType> input_dtypes_;        // of the placeholders
  mutable std::vector<Shape> last_shapes_;         // of the last compute_output_shape
  mutable std::vector<DType> output_dtypes_;       // from the last placeholder run
  mutable std::vector<DType> output_dtypes_from_;  // the input dtypes of that run
};

class Lambda : public LayerHandle<LambdaImpl> {
 public:
  explicit Lambda(std::function<Tensor(const Tensor&)> fn, LambdaOptions options = {});
  explicit Lambda(std::function<Tensor(const Tensors&)> fn, LambdaOptions options = {});
  // A function with several outputs (use call_multi to get them all).
  explicit Lambda(std::function<Tensors(const Tensors&)> fn, LambdaOptions options = {});

  // Symbolic calls record the input dtypes first, so the placeholders have the right dtypes.
  using LayerRef::operator();
  KerasTensor operator()(const KerasTensor& input) const;
  KerasTensor operator()(const KerasTensors& inputs) const;
  KerasTensors call_multi(const KerasTensors& inputs) const;
};

}  // namespace keras::layers
