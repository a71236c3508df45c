#include "keras/layers/dense.h"

#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"

namespace keras::layers {
namespace {

std::optional<Shape> dense_input_shape(const DenseOptions& o) {
  if (o.input_shape) return to_shape(*o.input_shape);
  if (o.input_dim) return Shape{*o.input_dim};
  return std::nullopt;
}

}  // namespace

DenseImpl::DenseImpl(int64_t units, DenseOptions options)
    : Layer(options.name, "dense", dense_input_shape(options)),
      units_(units),
      options_(std::move(options)) {
  KERAS_CHECK(
      units > 0, ValueError,
      "Received an invalid value for `units`, expected a positive integer. Received: units=",
      units);
  input_spec_ = {InputSpec{.min_ndim = 2}};
}

void DenseImpl::build(const std::vector<Shape>& input_shapes) {
  const int64_t input_dim = input_shapes[0].back();
  KERAS_CHECK(input_dim != kNone, ValueError,
              "The last dimension of the inputs to a Dense layer "
              "should be defined. Found None. Full input shape received: ",
              shape_str(input_shapes[0]));
  kernel_ = add_weight("kernel", {input_dim, units_}, options_.kernel_initializer, true,
                       options_.kernel_regularizer);
  if (options_.use_bias) {
    bias_ =
        add_weight("bias", {units_}, options_.bias_initializer, true, options_.bias_regularizer);
  }
  input_spec_ = {InputSpec{.min_ndim = 2, .axes = {{-1, input_dim}}}};
}

Tensors DenseImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  Tensor y = ops::matmul(x, kernel_.value());
  if (bias_.defined()) y = ops::add(y, bias_.value());
  return {options_.activation(y)};
}

std::vector<Shape> DenseImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  Shape out = input_shapes[0];
  out.back() = units_;
  return {out};
}

}  // namespace keras::layers
