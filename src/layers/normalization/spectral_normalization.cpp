#include "keras/layers/normalization/spectral_normalization.h"

#include "keras/config/json.h"
#include "keras/layers/registry.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

// keras.ops.normalize(x, axis=None): x * min(1 / |x|, 1 / epsilon), epsilon 1e-7.
Tensor normalize(const Tensor& x) {
  return ops::multiply(x, ops::minimum(ops::rsqrt(ops::sum(ops::square(x))), 1e7));
}

}  // namespace

SpectralNormalizationImpl::SpectralNormalizationImpl(LayerRef layer,
                                                     SpectralNormalizationOptions options)
    : WrapperImpl(
          options.name,
          "spectral_normalization",
          options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt,
          std::move(layer)),
      options_(std::move(options)) {
  KERAS_CHECK(options_.power_iterations > 0, ValueError,
              "`power_iterations` should be greater than zero. Received: `power_iterations=",
              options_.power_iterations, "`");
}

void SpectralNormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  KERAS_CHECK(input_shapes.size() == 1, ValueError, "SpectralNormalization ", name(),
              " takes one input, got ", input_shapes.size());
  const Shape& s = input_shapes[0];
  KERAS_CHECK(!s.empty(), ValueError, "Input 0 of layer ", name(),
              " is incompatible with the layer: expected min_ndim=1, found ndim=0. Full shape "
              "received: ()");
  inner_->maybe_build({s});
  input_spec_ = {InputSpec{.min_ndim = 1, .axes = {}}};
  if (s.back() != kNone) input_spec_[0].axes[-1] = s.back();
  for (const char* wanted : {"kernel", "embeddings"}) {
    for (const Variable& v : inner_.weights()) {
      if (v.name() == wanted && !kernel_.defined()) kernel_ = v;
    }
  }
  KERAS_CHECK(kernel_.defined(), ValueError, inner_->class_name(),
              " object has no attribute 'kernel' nor 'embeddings'");
  KERAS_CHECK(!kernel_.shape().empty(), ValueError, "SpectralNormalization ", name(),
              ": the wrapped layer's kernel is a scalar");
  vector_u_ = add_weight("vector_u", {1, kernel_.shape().back()},
                         initializers::TruncatedNormal({.stddev = 0.02}), false);
}

std::pair<Tensor, Tensor> SpectralNormalizationImpl::normalized_weights() const {
  const Tensor kernel = ops::stop_gradient(kernel_.value());
  const Tensor weights = ops::reshape(kernel, {-1, kernel.shape().back()});
  const Tensor weights_t = ops::transpose(weights);
  Tensor u = ops::stop_gradient(vector_u_.value());
  Tensor v;
  for (int i = 0; i < options_.power_iterations; ++i) {
    v = normalize(ops::matmul(u, weights_t));
    u = normalize(ops::matmul(v, weights));
  }
  const Tensor sigma = ops::matmul(ops::matmul(v, weights), ops::transpose(u));  // (1, 1)
  const Tensor all_zero = ops::all(ops::equal(kernel, ops::zeros_like(kernel)));
  return {ops::where(all_zero, vector_u_.value(), u),
          ops::where(all_zero, kernel, ops::divide(kernel, ops::reshape(sigma, {})))};
}

Tensors SpectralNormalizationImpl::call(const Tensors& inputs, bool training) {
  if (training) {
    auto [u, kernel] = normalized_weights();
    ops::assign(vector_u_.value(), u);
    ops::assign(kernel_.value(), kernel);
  }
  Tensors y = inner_.layer()->call(inputs, training);
  if (is_floating(inputs[0].dtype()) && y[0].dtype() != inputs[0].dtype())
    y[0] = ops::cast(y[0], inputs[0].dtype());
  return y;
}

std::vector<Shape> SpectralNormalizationImpl::compute_output_shape(
    const std::vector<Shape>& in) const {
  return inner_->compute_output_shape(in);
}

std::vector<DType> SpectralNormalizationImpl::compute_output_dtype(const std::vector<DType>& in,
                                                                   size_t n) const {
  return inner_->compute_output_dtype(in, n);
}

std::vector<Variable> SpectralNormalizationImpl::weights() const {
  if (!kernel_.defined()) return inner_.weights();
  std::vector<Variable> out{kernel_, vector_u_};
  for (const Variable& v : inner_.weights()) {
    if (v != kernel_) out.push_back(v);
  }
  return out;
}

std::vector<Variable> SpectralNormalizationImpl::wrapper_variables() const {
  // Keras's wrapper tracks the kernel it normalizes as its own, before vector_u.
  if (!kernel_.defined()) return {};
  return {kernel_, vector_u_};
}

Json SpectralNormalizationImpl::get_config() const {
  Json config = WrapperImpl::get_config();
  config["power_iterations"] = options_.power_iterations;
  return config;
}

std::shared_ptr<Layer> SpectralNormalizationImpl::from_config(const Json& config) {
  const char* w = "SpectralNormalization";
  const int64_t iterations = config::get<int64_t>(config, "power_iterations", 1, w);
  KERAS_CHECK(iterations <= 1000, ValueError, w, ": power_iterations ", iterations,
              " is more than 1000");
  KERAS_CHECK(iterations > 0, ValueError,
              "`power_iterations` should be greater than zero. Received: `power_iterations=",
              iterations, "`");
  auto layer = std::make_shared<SpectralNormalizationImpl>(
      layer_from_config(config, w),
      SpectralNormalizationOptions{.power_iterations = static_cast<int>(iterations),
                                   .name = config::get<std::string>(config, "name", "", w)});
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
