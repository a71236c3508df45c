// Merge layers (keras.layers.Concatenate, Add, Subtract, Multiply, Average, Maximum, Minimum,
// Dot) and their functional forms (keras.layers.concatenate, add, ..., dot), plus Keras 1's
// merge(inputs, mode=...).
//
//   auto a = keras::Input({16}), b = keras::Input({16});
//   auto c = layers::concatenate({a, b});                  // (None, 32)
//   auto s = layers::Add()({a, b});                        // (None, 16)
//   auto d = layers::dot({a, b}, 1, {.normalize = true});  // (None, 1): cosine similarity
//   auto m = layers::merge({a, b}, {.mode = "concat", .concat_axis = -1});
//
// Elementwise merges (Add, Subtract, Multiply, Average, Maximum, Minimum) take two or more inputs
// (Subtract exactly two) with the same batch size. Their other dimensions broadcast as in
// Keras 2: aligned from the right, a 1 stretches, None stays None; an input of lower rank gets
// size-1 axes inserted after its batch axis.
// Dtypes: floating inputs are cast to the layer's dtype (float32 unless set_dtype), integer
// inputs are kept, and the output has the promoted dtype (int + float -> float). Average of
// integers is floating. Dot casts both inputs to the layer's dtype.
#pragma once

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "keras/layers/layer.h"

namespace keras::layers {

struct MergeOptions {
  std::string name = {};
};

// The base of the elementwise merge layers (Keras 2's _Merge).
class MergeImpl : public Layer {
 public:
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  bool batch_independent() const override { return true; }
  // The inputs' masks combined with logical or, none when an input has none (Keras 3's
  // Merge.compute_mask); with keras2_masks, Keras 2's: the masks given combined with logical and,
  // none only when no input has one (a layer of a tf_keras file: docs/differences.md, 42).
  // Keras's supports_masking (its compute_mask below decides the output masks).
  bool supports_masking() const override { return true; }
  Tensors compute_mask(const Tensors& inputs,
                       const Tensors& masks,
                       const Tensors& outputs) const override;
  Json get_config() const override;
  void set_keras2_masks(bool on) { keras2_masks_ = on; }

 protected:
  MergeImpl(std::string name, std::string_view prefix);
  // Combines inputs that already have a common rank and dtype handling applied.
  virtual Tensor merge_function(const Tensors& inputs) const = 0;
  // Throws unless `n` inputs are acceptable (default: at least 2).
  virtual void check_num_inputs(size_t n) const;
  // True when the output is floating even for integer inputs (Average).
  virtual bool floating_output() const { return false; }

 private:
  bool keras2_masks_ = false;
};

// Add: the sum of the inputs.
class AddImpl final : public MergeImpl {
 public:
  explicit AddImpl(MergeOptions options) : MergeImpl(std::move(options.name), "add") {}
  std::string class_name() const override { return "Add"; }
  static std::shared_ptr<Layer> from_config(const Json& config);

 protected:
  Tensor merge_function(const Tensors& inputs) const override;
};

// Subtract: inputs[0] - inputs[1]; exactly two inputs.
class SubtractImpl final : public MergeImpl {
 public:
  explicit SubtractImpl(MergeOptions options) : MergeImpl(std::move(options.name), "subtract") {}
  std::string class_name() const override { return "Subtract"; }
  static std::shared_ptr<Layer> from_config(const Json& config);

 protected:
  Tensor merge_function(const Tensors& inputs) const override;
  void check_num_inputs(size_t n) const override;
};

// Multiply: the elementwise product of the inputs.
class MultiplyImpl final : public MergeImpl {
 public:
  explicit MultiplyImpl(MergeOptions options) : MergeImpl(std::move(options.name), "multiply") {}
  std::string class_name() const override { return "Multiply"; }
  static std::shared_ptr<Layer> from_config(const Json& config);

 protected:
  Tensor merge_function(const Tensors& inputs) const override;
};

// Average: the elementwise mean of the inputs.
class AverageImpl final : public MergeImpl {
 public:
  explicit AverageImpl(MergeOptions options) : MergeImpl(std::move(options.name), "average") {}
  std::string class_name() const override { return "Average"; }
  static std::shared_ptr<Layer> from_config(const Json& config);

 protected:
  Tensor merge_function(const Tensors& inputs) const override;
  bool floating_output() const override { return true; }
};

// Maximum: the elementwise maximum of the inputs (ties share the gradient, as ops::maximum).
class MaximumImpl final : public MergeImpl {
 public:
  explicit MaximumImpl(MergeOptions options) : MergeImpl(std::move(options.name), "maximum") {}
  std::string class_name() const override { return "Maximum"; }
  static std::shared_ptr<Layer> from_config(const Json& config);

 protected:
  Tensor merge_function(const Tensors& inputs) const override;
};

// Minimum: the elementwise minimum of the inputs.
class MinimumImpl final : public MergeImpl {
 public:
  explicit MinimumImpl(MergeOptions options) : MergeImpl(std::move(options.name), "minimum") {}
  std::string class_name() const override { return "Minimum"; }
  static std::shared_ptr<Layer> from_config(const Json& config);

 protected:
  Tensor merge_function(const Tensors& inputs) const override;
};

class Add : public LayerHandle<AddImpl> {
 public:
  explicit Add(MergeOptions options = {})
      : LayerHandle(std::make_shared<AddImpl>(std::move(options))) {}
};
class Subtract : public LayerHandle<SubtractImpl> {
 public:
  explicit Subtract(MergeOptions options = {})
      : LayerHandle(std::make_shared<SubtractImpl>(std::move(options))) {}
};
class Multiply : public LayerHandle<MultiplyImpl> {
 public:
  explicit Multiply(MergeOptions options = {})
      : LayerHandle(std::make_shared<MultiplyImpl>(std::move(options))) {}
};
class Average : public LayerHandle<AverageImpl> {
 public:
  explicit Average(MergeOptions options = {})
      : LayerHandle(std::make_shared<AverageImpl>(std::move(options))) {}
};
class Maximum : public LayerHandle<MaximumImpl> {
 public:
  explicit Maximum(MergeOptions options = {})
      : LayerHandle(std::make_shared<MaximumImpl>(std::move(options))) {}
};
class Minimum : public LayerHandle<MinimumImpl> {
 public:
  explicit Minimum(MergeOptions options = {})
      : LayerHandle(std::make_shared<MinimumImpl>(std::move(options))) {}
};

// ---- Concatenate ----

struct ConcatenateOptions {
  int axis = -1;  // counted over the full shape, batch included; negative from the end
  std::string name = {};
};

// Concatenate: joins two or more inputs along `axis`; every other dimension must match (None
// matches anything). Inputs are cast to their promoted dtype.
class ConcatenateImpl final : public Layer {
 public:
  explicit ConcatenateImpl(ConcatenateOptions options);
  std::string class_name() const override { return "Concatenate"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  // As Keras 3: each input's mask (all true for an input without one) broadcast to the input's
  // shape, concatenated along `axis`, then any() over the last axis; so along the last axis the
  // masks combine with logical or, along another axis they are concatenated. With keras2_masks,
  // Keras 2's all() instead of any() (a layer of a tf_keras file: docs/differences.md, 42).
  bool supports_masking() const override { return true; }
  Tensors compute_mask(const Tensors& inputs,
                       const Tensors& masks,
                       const Tensors& outputs) const override;
  void set_keras2_masks(bool on) { keras2_masks_ = on; }
  int axis() const { return axis_; }
  // Unless it joins along the batch axis in a call.
  bool batch_independent() const override { return axes_miss_batch({axis_}); }

 private:
  int axis_;
  bool keras2_masks_ = false;
};

class Concatenate : public LayerHandle<ConcatenateImpl> {
 public:
  explicit Concatenate(ConcatenateOptions options = {})
      : LayerHandle(std::make_shared<ConcatenateImpl>(std::move(options))) {}
  // Concatenate(1) and Concatenate(1, {.name = "joined"}): the positional axis is used.
  explicit Concatenate(int axis, ConcatenateOptions options = {})
      : Concatenate(with_axis(axis, std::move(options))) {}

 private:
  static ConcatenateOptions with_axis(int axis, ConcatenateOptions options) {
    options.axis = axis;
    return options;
  }
};

// ---- Dot ----

struct DotOptions {
  bool normalize = false;  // L2-normalize both inputs along the axes first: cosine similarity
  std::string name = {};
};

// Dot: the batched dot product of two inputs (Keras's batch_dot) over axis axes.first of the
// first and axes.second of the second (an int `axes` uses the same axis for both; negative
// axes count from the end; the batch axis 0 cannot be reduced). Output: the first input's
// shape without the axis, then the second's without its batch axis and the axis; a (batch,)
// result becomes (batch, 1). Example: (None, 4, 3) . (None, 5, 3) with axes 2 -> (None, 4, 5).
class DotImpl final : public Layer {
 public:
  DotImpl(std::pair<int, int> axes, bool axes_given_as_int, DotOptions options);
  std::string class_name() const override { return "Dot"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  // As Keras 3's Dot: supports masking, and its output has no mask.
  bool supports_masking() const override { return true; }
  Tensors compute_mask(const Tensors&, const Tensors&, const Tensors&) const override { return {}; }
  bool normalize() const { return options_.normalize; }

 private:
  // The two axes, normalized for inputs of these ranks (and checked).
  std::pair<int, int> resolve_axes(const std::vector<Shape>& input_shapes) const;
  std::pair<int, int> axes_;
  bool int_axes_;
  DotOptions options_;
};

class Dot : public LayerHandle<DotImpl> {
 public:
  explicit Dot(int axes, DotOptions options = {})
      : LayerHandle(std::make_shared<DotImpl>(std::pair{axes, axes}, true, std::move(options))) {}
  explicit Dot(std::pair<int, int> axes, DotOptions options = {})
      : LayerHandle(std::make_shared<DotImpl>(axes, false, std::move(options))) {}
};

// ---- functional forms (each call makes a new layer) ----

KerasTensor concatenate(const KerasTensors& inputs, ConcatenateOptions options = {});
KerasTensor add(const KerasTensors& inputs, MergeOptions options = {});
KerasTensor subtract(const KerasTensors& inputs, MergeOptions options = {});
KerasTensor multiply(const KerasTensors& inputs, MergeOptions options = {});
KerasTensor average(const KerasTensors& inputs, MergeOptions options = {});
KerasTensor maximum(const KerasTensors& inputs, MergeOptions options = {});
KerasTensor minimum(const KerasTensors& inputs, MergeOptions options = {});
KerasTensor dot(const KerasTensors& inputs, int axes, DotOptions options = {});
KerasTensor dot(const KerasTensors& inputs, std::pair<int, int> axes, DotOptions options = {});

// ---- Keras 1's merge(inputs, mode=...) ----

struct LegacyMergeOptions {
  // "sum" (Add), "mul" (Multiply), "ave" (Average), "max" (Maximum), "concat" (Concatenate on
  // concat_axis), "dot" (Dot on dot_axes), "cos" (Dot on dot_axes with normalize: the cosine
  // similarity, shaped as Dot's output). A callable mode is not supported (use Lambda).
  std::string mode = "sum";
  int concat_axis = -1;
  std::vector<int> dot_axes = {-1};  // one axis for both inputs, or two
  std::string name = {};
};

KerasTensor merge(const KerasTensors& inputs, LegacyMergeOptions options = {});

}  // namespace keras::layers
