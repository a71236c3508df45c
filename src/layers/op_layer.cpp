#include "keras/layers/op_layer.h"

#include <cctype>

#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/saving/json.h"

namespace keras::layers {
namespace {

std::string camel_case(const std::string& snake) {
  std::string out;
  bool upper = true;
  for (char c : snake) {
    if (c == '_') {
      upper = true;
      continue;
    }
    out += upper ? static_cast<char>(std::toupper(static_cast<unsigned char>(c))) : c;
    upper = false;
  }
  return out;
}

}  // namespace

OpLayerImpl::OpLayerImpl(std::string op_name, Fn fn)
    : Layer("", op_name), class_name_(camel_case(op_name)), fn_(std::move(fn)) {}

Tensors OpLayerImpl::call(const Tensors& inputs, bool) {
  return fn_(inputs);
}

Tensors placeholder_inputs(const std::vector<Shape>& shapes,
                           const std::vector<DType>& dtypes,
                           int64_t unknown) {
  Tensors inputs;
  for (size_t i = 0; i < shapes.size(); ++i) {
    Shape s = shapes[i];
    for (int64_t& d : s) d = d == kNone ? unknown : d;
    inputs.push_back(zeros(s, i < dtypes.size() ? dtypes[i] : float32));
  }
  return inputs;
}

std::vector<Shape> shapes_from_placeholder_runs(const Tensors& a, const Tensors& b) {
  std::vector<Shape> out;
  for (size_t i = 0; i < a.size(); ++i) {
    Shape s = a[i].shape();
    for (size_t d = 0; d < s.size(); ++d) {
      if (i >= b.size() || d >= b[i].shape().size() || b[i].shape()[d] != s[d]) s[d] = kNone;
    }
    out.push_back(s);
  }
  return out;
}

Tensors OpLayerImpl::run_placeholder(const std::vector<Shape>& shapes, int64_t unknown) const {
  return fn_(placeholder_inputs(shapes, input_dtypes_, unknown));
}

std::vector<Shape> OpLayerImpl::compute_output_shape(const std::vector<Shape>& shapes) const {
  const Tensors a = run_placeholder(shapes, 2), b = run_placeholder(shapes, 3);
  output_dtypes_.clear();
  for (const Tensor& t : a) output_dtypes_.push_back(t.dtype());
  return shapes_from_placeholder_runs(a, b);
}

std::vector<DType> OpLayerImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return output_dtypes_;  // compute_output_shape runs first and records them
}

KerasTensors apply_op(const std::string& op_name, OpLayerImpl::Fn fn, const KerasTensors& inputs) {
  auto layer = std::make_shared<OpLayerImpl>(op_name, std::move(fn));
  std::vector<DType> dtypes;
  for (const KerasTensor& t : inputs) dtypes.push_back(t.dtype());
  layer->set_input_dtypes(dtypes);
  return (*layer)(inputs);
}

Json OpLayerImpl::get_config() const {
  throw NotImplementedError(str("Layer ", name(), " (", class_name(),
                                ", an op on KerasTensors) cannot be serialized yet"));
}

}  // namespace keras::layers

namespace keras::ops {
namespace {

KerasTensor op1(const std::string& name,
                std::function<Tensor(const Tensor&)> f,
                const KerasTensor& x) {
  return layers::apply_op(name, [f](const Tensors& in) { return Tensors{f(in[0])}; }, {x})[0];
}

KerasTensor op2(const std::string& name,
                std::function<Tensor(const Tensor&, const Tensor&)> f,
                const KerasTensor& a,
                const KerasTensor& b) {
  return layers::apply_op(name, [f](const Tensors& in) { return Tensors{f(in[0], in[1])}; },
                          {a, b})[0];
}

}  // namespace

#define KERAS_SYMBOLIC_BINARY(name)                                                \
  KerasTensor name(const KerasTensor& a, const KerasTensor& b) {                   \
    return op2(                                                                    \
        #name, [](const Tensor& x, const Tensor& y) { return name(x, y); }, a, b); \
  }
KERAS_SYMBOLIC_BINARY(add)
KERAS_SYMBOLIC_BINARY(subtract)
KERAS_SYMBOLIC_BINARY(multiply)
KERAS_SYMBOLIC_BINARY(divide)
KERAS_SYMBOLIC_BINARY(maximum)
KERAS_SYMBOLIC_BINARY(minimum)
KERAS_SYMBOLIC_BINARY(power)
KERAS_SYMBOLIC_BINARY(equal)
KERAS_SYMBOLIC_BINARY(not_equal)
KERAS_SYMBOLIC_BINARY(less)
KERAS_SYMBOLIC_BINARY(greater)
KERAS_SYMBOLIC_BINARY(matmul)
#undef KERAS_SYMBOLIC_BINARY

KerasTensor matmul(const KerasTensor& a, const Tensor& b) {
  return op1(
      "matmul", [b](const Tensor& x) { return matmul(x, b); }, a);
}

#define KERAS_SYMBOLIC_SCALAR(name)                             \
  KerasTensor name(const KerasTensor& a, double b) {            \
    return op1(                                                 \
        #name, [b](const Tensor& x) { return name(x, b); }, a); \
  }
KERAS_SYMBOLIC_SCALAR(add)
KERAS_SYMBOLIC_SCALAR(subtract)
KERAS_SYMBOLIC_SCALAR(multiply)
KERAS_SYMBOLIC_SCALAR(divide)
KERAS_SYMBOLIC_SCALAR(power)
#undef KERAS_SYMBOLIC_SCALAR

#define KERAS_SYMBOLIC_UNARY(name)                          \
  KerasTensor name(const KerasTensor& x) {                  \
    return op1(                                             \
        #name, [](const Tensor& t) { return name(t); }, x); \
  }
KERAS_SYMBOLIC_UNARY(negative)
KERAS_SYMBOLIC_UNARY(abs)
KERAS_SYMBOLIC_UNARY(square)
KERAS_SYMBOLIC_UNARY(sqrt)
KERAS_SYMBOLIC_UNARY(exp)
KERAS_SYMBOLIC_UNARY(log)
KERAS_SYMBOLIC_UNARY(relu)
KERAS_SYMBOLIC_UNARY(sigmoid)
KERAS_SYMBOLIC_UNARY(tanh)
KERAS_SYMBOLIC_UNARY(softplus)
KERAS_SYMBOLIC_UNARY(softsign)
KERAS_SYMBOLIC_UNARY(selu)
KERAS_SYMBOLIC_UNARY(silu)
KERAS_SYMBOLIC_UNARY(hard_sigmoid)
#undef KERAS_SYMBOLIC_UNARY

KerasTensor elu(const KerasTensor& x, double alpha) {
  return op1(
      "elu", [alpha](const Tensor& t) { return elu(t, alpha); }, x);
}
KerasTensor gelu(const KerasTensor& x, bool approximate) {
  return op1(
      "gelu", [approximate](const Tensor& t) { return gelu(t, approximate); }, x);
}
KerasTensor softmax(const KerasTensor& x, int axis) {
  return op1(
      "softmax", [axis](const Tensor& t) { return softmax(t, axis); }, x);
}
KerasTensor log_softmax(const KerasTensor& x, int axis) {
  return op1(
      "log_softmax", [axis](const Tensor& t) { return log_softmax(t, axis); }, x);
}
KerasTensor clip(const KerasTensor& x, double lo, double hi) {
  return op1(
      "clip", [lo, hi](const Tensor& t) { return clip(t, lo, hi); }, x);
}
KerasTensor cast(const KerasTensor& x, DType dtype) {
  return op1(
      "cast", [dtype](const Tensor& t) { return cast(t, dtype); }, x);
}

#define KERAS_SYMBOLIC_REDUCE(name)                                                       \
  KerasTensor name(const KerasTensor& x, std::vector<int> axes, bool keepdims) {          \
    return op1(                                                                           \
        #name, [axes, keepdims](const Tensor& t) { return name(t, axes, keepdims); }, x); \
  }
KERAS_SYMBOLIC_REDUCE(sum)
KERAS_SYMBOLIC_REDUCE(mean)
KERAS_SYMBOLIC_REDUCE(max)
KERAS_SYMBOLIC_REDUCE(min)
#undef KERAS_SYMBOLIC_REDUCE

KerasTensor argmax(const KerasTensor& x, int axis, bool keepdims) {
  return op1(
      "argmax", [axis, keepdims](const Tensor& t) { return argmax(t, axis, keepdims); }, x);
}
KerasTensor argmin(const KerasTensor& x, int axis, bool keepdims) {
  return op1(
      "argmin", [axis, keepdims](const Tensor& t) { return argmin(t, axis, keepdims); }, x);
}

KerasTensor reshape(const KerasTensor& x, Shape shape) {
  // A None batch dimension stays None: keep it as the first entry of the target.
  return op1(
      "reshape", [shape](const Tensor& t) { return reshape(t, shape); }, x);
}
KerasTensor transpose(const KerasTensor& x, std::vector<int> axes) {
  return op1(
      "transpose", [axes](const Tensor& t) { return transpose(t, axes); }, x);
}
KerasTensor expand_dims(const KerasTensor& x, int axis) {
  return op1(
      "expand_dims", [axis](const Tensor& t) { return expand_dims(t, axis); }, x);
}
KerasTensor squeeze(const KerasTensor& x, std::optional<int> axis) {
  return op1(
      "squeeze", [axis](const Tensor& t) { return squeeze(t, axis); }, x);
}
KerasTensor concatenate(const KerasTensors& xs, int axis) {
  return layers::apply_op(
      "concatenate", [axis](const Tensors& in) { return Tensors{concatenate(in, axis)}; }, xs)[0];
}
KerasTensor slice_axis(const KerasTensor& x, int axis, int64_t start, int64_t size) {
  return op1(
      "slice", [=](const Tensor& t) { return slice_axis(t, axis, start, size); }, x);
}
KerasTensor one_hot(const KerasTensor& indices, int64_t num_classes, DType dtype) {
  return op1(
      "one_hot", [=](const Tensor& t) { return one_hot(t, num_classes, dtype); }, indices);
}

}  // namespace keras::ops
