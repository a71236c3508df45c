#include "keras/layers/dense.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "ops/dense_bias.h"

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
  set_activity_regularizer(options_.activity_regularizer);
}

void DenseImpl::build(const std::vector<Shape>& input_shapes) {
  const int64_t input_dim = input_shapes[0].back();
  KERAS_CHECK(input_dim != kNone, ValueError,
              "The last dimension of the inputs to a Dense layer "
              "should be defined. Found None. Full input shape received: ",
              shape_str(input_shapes[0]));
  kernel_ = add_weight("kernel", {input_dim, units_}, options_.kernel_initializer, true,
                       options_.kernel_regularizer, options_.kernel_constraint);
  if (options_.use_bias) {
    bias_ = add_weight("bias", {units_}, options_.bias_initializer, true, options_.bias_regularizer,
                       options_.bias_constraint);
  }
  input_spec_ = {InputSpec{.min_ndim = 2, .axes = {{-1, input_dim}}}};
}

Tensors DenseImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const std::string& activation = options_.activation.name();
  if (options_.activation.builtin() && (activation == "relu" || activation == "linear")) {
    return {ops::internal::dense(x, kernel_.value(), bias_.defined() ? bias_.value() : Tensor(),
                                 activation == "relu")};
  }
  Tensor y = ops::matmul(x, kernel_.value());
  if (bias_.defined()) y = ops::add(y, bias_.value());
  return {options_.activation(y)};
}

std::vector<Shape> DenseImpl::compute_output_shape(const std::vector<Shape>& input_shapes) const {
  Shape out = input_shapes[0];
  out.back() = units_;
  return {out};
}

Json DenseImpl::get_config() const {
  Json config = Layer::get_config();
  config["units"] = units_;
  config["activation"] = serialize_activation(options_.activation);
  config["use_bias"] = options_.use_bias;
  config["kernel_initializer"] = initializers::serialize(options_.kernel_initializer);
  config["bias_initializer"] = initializers::serialize(options_.bias_initializer);
  config["kernel_regularizer"] = regularizers::serialize(options_.kernel_regularizer);
  config["bias_regularizer"] = regularizers::serialize(options_.bias_regularizer);
  config["kernel_constraint"] = constraints::serialize(options_.kernel_constraint);
  config["bias_constraint"] = constraints::serialize(options_.bias_constraint);
  return config;
}

std::shared_ptr<Layer> DenseImpl::from_config(const Json& config) {
  using config::value;
  DenseOptions o{
      .activation = deserialize_activation(value(config, "activation", "linear")),
      .use_bias = config::get<bool>(config, "use_bias", true, "Dense"),
      .kernel_initializer =
          initializers::deserialize(value(config, "kernel_initializer", "glorot_uniform")),
      .bias_initializer = initializers::deserialize(value(config, "bias_initializer", "zeros")),
      .kernel_regularizer = regularizers::deserialize(value(config, "kernel_regularizer", nullptr)),
      .bias_regularizer = regularizers::deserialize(value(config, "bias_regularizer", nullptr)),
      .kernel_constraint = constraints::deserialize(value(config, "kernel_constraint", nullptr)),
      .bias_constraint = constraints::deserialize(value(config, "bias_constraint", nullptr)),
      .name = config::get<std::string>(config, "name", "", "Dense"),
  };
  auto layer = std::make_shared<DenseImpl>(config::require<int64_t>(config, "units", "Dense"), o);
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
