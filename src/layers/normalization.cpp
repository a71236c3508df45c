#include "keras/layers/normalization.h"

#include <algorithm>

#include "distribution/ops.h"
#include "keras/config/json.h"
#include "keras/distribution/distribution.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/config_util.h"

namespace keras::layers {
namespace {

std::optional<Shape> optional_shape(const std::optional<std::vector<Dim>>& s) {
  return s ? std::optional(to_shape(*s)) : std::nullopt;
}

std::string axes_str(const std::vector<int>& axes) {
  if (axes.size() == 1) return std::to_string(axes[0]);
  std::string s = "[";
  for (size_t i = 0; i < axes.size(); ++i) s += (i ? ", " : "") + std::to_string(axes[i]);
  return s + "]";
}

// Keras's out-of-bounds message, prefixed as Keras 2 reports errors raised inside a layer.
void check_axes_in_range(const Layer& layer, const std::vector<int>& axes, const Shape& shape) {
  const int rank = static_cast<int>(shape.size());
  for (int axis : axes) {
    KERAS_CHECK(axis < rank && axis >= -rank, ValueError,
                "Exception encountered when calling layer \"", layer.name(), "\" (type ",
                layer.class_name(), "): Axis ", axis, " is out of bounds for input shape ",
                shape_str(shape), ". Received: axis=", axes_str(axes));
  }
}

// (1, ..., C, ..., 1): the shape that broadcasts a per-feature vector along `axes` of `rank`.
Shape broadcast_shape(const Shape& input, const std::vector<int>& axes) {
  Shape s(input.size(), 1);
  for (int a : axes) s[static_cast<size_t>(a)] = input[static_cast<size_t>(a)];
  return s;
}

Tensor rsqrt_plus(const Tensor& variance, double epsilon) {
  return ops::reciprocal(ops::sqrt(ops::add(variance, epsilon)));
}

// BatchNormalization's training step over the global batch of every process (synchronized): the
// sums behind the mean and the (biased, two-pass) variance are summed across processes by
// differentiable all-reduces, so the gradient also flows through the other processes' rows.
ops::FusedBatchNormalization synchronized_batch_normalization(
    const Tensor& x, int axis, const Tensor& beta, const Tensor& gamma, double epsilon) {
  using distribution::internal::all_reduce_sum;
  std::vector<int> axes;
  double count = 1;
  for (int a = 0; a < static_cast<int>(x.rank()); ++a) {
    if (a == axis) continue;
    axes.push_back(a);
    count *= static_cast<double>(x.shape()[static_cast<size_t>(a)]);
  }
  const Shape bshape = broadcast_shape(x.shape(), {axis});
  const Tensor n = all_reduce_sum(full({}, count, x.dtype()));
  const Tensor mean = ops::divide(all_reduce_sum(ops::sum(x, axes)), n);
  const Tensor centered = ops::subtract(x, ops::reshape(mean, bshape));
  const Tensor variance = ops::divide(all_reduce_sum(ops::sum(ops::square(centered), axes)), n);
  Tensor y = ops::multiply(centered, ops::reshape(rsqrt_plus(variance, epsilon), bshape));
  if (gamma.defined()) y = ops::multiply(y, ops::reshape(gamma, bshape));
  if (beta.defined()) y = ops::add(y, ops::reshape(beta, bshape));
  return {y, mean, variance};
}

}  // namespace

// ---- BatchNormalization ----

BatchNormalizationImpl::BatchNormalizationImpl(BatchNormalizationOptions options)
    : Layer(options.name, "batch_normalization", optional_shape(options.input_shape)),
      options_(std::move(options)) {
  autocast_ = false;
  KERAS_CHECK(options_.epsilon >= 0, ValueError,
              "BatchNormalization: epsilon must be non-negative, got ", options_.epsilon);
}

void BatchNormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& s = input_shapes[0];
  check_axes_in_range(*this, {options_.axis}, s);
  const int rank = static_cast<int>(s.size());
  axis_ = normalize_axis(options_.axis, rank);
  const int64_t features = s[static_cast<size_t>(axis_)];
  KERAS_CHECK(features != kNone, ValueError, "Exception encountered when calling layer \"", name(),
              "\" (type BatchNormalization): Axis ", options_.axis,
              " of input tensor should have a defined dimension but the layer received an input "
              "with shape ",
              shape_str(s), ".");
  if (options_.scale) {
    gamma_ = add_weight("gamma", {features}, options_.gamma_initializer, true,
                        options_.gamma_regularizer, options_.gamma_constraint);
  }
  if (options_.center) {
    beta_ = add_weight("beta", {features}, options_.beta_initializer, true,
                       options_.beta_regularizer, options_.beta_constraint);
  }
  moving_mean_ = add_weight("moving_mean", {features}, options_.moving_mean_initializer, false);
  moving_variance_ =
      add_weight("moving_variance", {features}, options_.moving_variance_initializer, false);
  input_spec_ = {InputSpec{.ndim = rank, .axes = {{axis_, features}}}};
}

void BatchNormalizationImpl::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  if (moving_mean_.defined()) moving_mean_.set_trainable(false);
  if (moving_variance_.defined()) moving_variance_.set_trainable(false);
}

std::vector<Shape> BatchNormalizationImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  check_axes_in_range(*this, {options_.axis}, input_shapes[0]);
  return {input_shapes[0]};
}

namespace {

// Keras 3's BatchNormalization._moments with a mask: the mean and biased variance over the
// positions the mask keeps (sums divided by their count + 1e-7), for the features on `axis`,
// each (C,); y normalized with them by ops::batch_normalization (differentiable through them,
// as Keras's).
ops::FusedBatchNormalization masked_batch_normalization(const Tensor& x,
                                                        const Tensor& mask,
                                                        int axis,
                                                        const Tensor& beta,
                                                        const Tensor& gamma,
                                                        double epsilon) {
  std::vector<int> axes;
  for (int a = 0; a < x.rank(); ++a) {
    if (a != axis) axes.push_back(a);
  }
  const Tensor keep = ops::broadcast_to(ops::expand_dims(ops::cast(mask, bool_), -1), x.shape());
  const Tensor zero = ops::zeros_like(x);
  const Tensor denominator =
      ops::add(ops::sum(ops::cast(keep, x.dtype()), axes, true), 1e-7);  // backend.epsilon()
  const Tensor mean = ops::divide(ops::sum(ops::where(keep, x, zero), axes, true), denominator);
  const Tensor variance =
      ops::divide(ops::sum(ops::square(ops::where(keep, ops::subtract(x, mean), zero)), axes, true),
                  denominator);
  const Shape c{x.shape()[static_cast<size_t>(axis)]};
  const Tensor m = ops::reshape(mean, c), v = ops::reshape(variance, c);
  return {ops::batch_normalization(x, m, v, axis, beta, gamma, epsilon), m, v};
}

}  // namespace

Tensors BatchNormalizationImpl::call(const Tensors& inputs, bool training) {
  Tensor x = inputs[0];
  const Tensor mask = x.keras_mask();
  KERAS_CHECK(!mask.defined() || mask.rank() == x.rank() - 1, ValueError,
              "The mask provided should be one dimension less than the inputs. Received: "
              "mask.shape=",
              shape_str(mask.defined() ? mask.shape() : Shape{}),
              ", inputs.shape=", shape_str(x.shape()));
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const Tensor gamma = gamma_.defined() ? gamma_.value() : Tensor();
  const Tensor beta = beta_.defined() ? beta_.value() : Tensor();
  if (!training || !trainable()) {
    return {ops::batch_normalization(x, moving_mean_.value(), moving_variance_.value(), axis_, beta,
                                     gamma, options_.epsilon)};
  }
  const ops::FusedBatchNormalization batch =
      mask.defined() ? masked_batch_normalization(x, mask, axis_, beta, gamma, options_.epsilon)
      : options_.synchronized && distribution::data_parallel_active()
          ? synchronized_batch_normalization(x, axis_, beta, gamma, options_.epsilon)
          : ops::fused_batch_normalization(x, axis_, beta, gamma, options_.epsilon);
  // The moving statistics are read and written in launched kernels (ops::assign), so a traced
  // fit step repeats the update at every replay.
  const double m = options_.momentum;
  auto update = [m](const Variable& moving, const Tensor& statistic) {
    ops::assign(moving.value(), ops::add(ops::multiply(moving.value(), m),
                                         ops::multiply(ops::stop_gradient(statistic), 1.0 - m)));
  };
  update(moving_mean_, batch.mean);
  update(moving_variance_, batch.variance);
  return {batch.y};
}

// ---- LayerNormalization ----

LayerNormalizationImpl::LayerNormalizationImpl(LayerNormalizationOptions options)
    : Layer(options.name, "layer_normalization", optional_shape(options.input_shape)),
      options_(std::move(options)) {
  autocast_ = false;
  KERAS_CHECK(!options_.axis.empty(), ValueError,
              "LayerNormalization: `axis` must name at least one axis");
  KERAS_CHECK(options_.epsilon >= 0, ValueError,
              "LayerNormalization: epsilon must be non-negative, got ", options_.epsilon);
}

void LayerNormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& s = input_shapes[0];
  check_axes_in_range(*this, options_.axis, s);
  const int rank = static_cast<int>(s.size());
  axes_.clear();
  for (int a : options_.axis) axes_.push_back(normalize_axis(a, rank));
  std::sort(axes_.begin(), axes_.end());
  KERAS_CHECK(std::adjacent_find(axes_.begin(), axes_.end()) == axes_.end(), ValueError,
              "Exception encountered when calling layer \"", name(),
              "\" (type LayerNormalization): duplicate axes in axis=", axes_str(options_.axis));
  Shape param_shape;
  std::map<int, int64_t> spec_axes;
  for (int a : axes_) {
    const int64_t d = s[static_cast<size_t>(a)];
    KERAS_CHECK(d != kNone, ValueError, "Exception encountered when calling layer \"", name(),
                "\" (type LayerNormalization): Axis ", a,
                " of input tensor should have a defined dimension but the layer received an "
                "input with shape ",
                shape_str(s), ".");
    param_shape.push_back(d);
    spec_axes[a] = d;
  }
  if (options_.scale) {
    gamma_ = add_weight("gamma", param_shape, options_.gamma_initializer, true,
                        options_.gamma_regularizer, options_.gamma_constraint);
  }
  if (options_.center) {
    beta_ = add_weight("beta", param_shape, options_.beta_initializer, true,
                       options_.beta_regularizer, options_.beta_constraint);
  }
  input_spec_ = {InputSpec{.ndim = rank, .axes = std::move(spec_axes)}};
}

std::vector<Shape> LayerNormalizationImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  check_axes_in_range(*this, options_.axis, input_shapes[0]);
  return {input_shapes[0]};
}

Tensors LayerNormalizationImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const Shape bshape = broadcast_shape(x.shape(), axes_);
  const ops::Moments m = ops::moments(x, axes_, /*keepdims=*/true);
  Tensor y = ops::multiply(ops::subtract(x, m.mean), rsqrt_plus(m.variance, options_.epsilon));
  if (gamma_.defined()) y = ops::multiply(y, ops::reshape(gamma_.value(), bshape));
  if (beta_.defined()) y = ops::add(y, ops::reshape(beta_.value(), bshape));
  return {y};
}

// ---- saving ----

Json BatchNormalizationImpl::get_config() const {
  const BatchNormalizationOptions& o = options_;
  Json config = Layer::get_config();
  config["axis"] = o.axis;
  config["momentum"] = o.momentum;
  config["epsilon"] = o.epsilon;
  config["center"] = o.center;
  config["scale"] = o.scale;
  config["beta_initializer"] = initializers::serialize(o.beta_initializer);
  config["gamma_initializer"] = initializers::serialize(o.gamma_initializer);
  config["moving_mean_initializer"] = initializers::serialize(o.moving_mean_initializer);
  config["moving_variance_initializer"] = initializers::serialize(o.moving_variance_initializer);
  config["beta_regularizer"] = regularizers::serialize(o.beta_regularizer);
  config["gamma_regularizer"] = regularizers::serialize(o.gamma_regularizer);
  config["beta_constraint"] = constraints::serialize(o.beta_constraint);
  config["gamma_constraint"] = constraints::serialize(o.gamma_constraint);
  config["synchronized"] = o.synchronized;
  config["renorm"] = false;
  config["renorm_clipping"] = nullptr;
  config["renorm_momentum"] = 0.99;
  return config;
}

std::shared_ptr<Layer> BatchNormalizationImpl::from_config(const Json& c) {
  using config::get;
  using config::value;
  const char* w = "BatchNormalization";
  KERAS_CHECK(!get<bool>(c, "renorm", false, w), ValueError,
              "BatchNormalization: renorm=True is not supported");
  // Keras 2 may write the axis as a one-element list ([3]).
  const std::vector<int64_t> axis = config_util::int_list(c, "axis", {-1}, w);
  KERAS_CHECK(axis.size() == 1 && axis[0] >= -64 && axis[0] < 64, ValueError,
              "BatchNormalization: config key 'axis' must be one axis, got ",
              config::json_excerpt(value(c, "axis", -1)));
  BatchNormalizationOptions o{
      .axis = static_cast<int>(axis[0]),
      .momentum = get<double>(c, "momentum", 0.99, w),
      .epsilon = get<double>(c, "epsilon", 1e-3, w),
      .center = get<bool>(c, "center", true, w),
      .scale = get<bool>(c, "scale", true, w),
      .beta_initializer = initializers::deserialize(value(c, "beta_initializer", "zeros")),
      .gamma_initializer = initializers::deserialize(value(c, "gamma_initializer", "ones")),
      .moving_mean_initializer =
          initializers::deserialize(value(c, "moving_mean_initializer", "zeros")),
      .moving_variance_initializer =
          initializers::deserialize(value(c, "moving_variance_initializer", "ones")),
      .beta_regularizer = regularizers::deserialize(value(c, "beta_regularizer", nullptr)),
      .gamma_regularizer = regularizers::deserialize(value(c, "gamma_regularizer", nullptr)),
      .beta_constraint = constraints::deserialize(value(c, "beta_constraint", nullptr)),
      .gamma_constraint = constraints::deserialize(value(c, "gamma_constraint", nullptr)),
      .synchronized = get<bool>(c, "synchronized", false, w),
      .name = get<std::string>(c, "name", "", w),
  };
  auto layer = std::make_shared<BatchNormalizationImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

Json LayerNormalizationImpl::get_config() const {
  const LayerNormalizationOptions& o = options_;
  Json config = Layer::get_config();
  // Keras keeps the axis as given: an int, or a list.
  config["axis"] = o.axis.size() == 1 ? Json(o.axis[0]) : Json(o.axis);
  config["epsilon"] = o.epsilon;
  config["center"] = o.center;
  config["scale"] = o.scale;
  config["rms_scaling"] = false;
  config["beta_initializer"] = initializers::serialize(o.beta_initializer);
  config["gamma_initializer"] = initializers::serialize(o.gamma_initializer);
  config["beta_regularizer"] = regularizers::serialize(o.beta_regularizer);
  config["gamma_regularizer"] = regularizers::serialize(o.gamma_regularizer);
  config["beta_constraint"] = constraints::serialize(o.beta_constraint);
  config["gamma_constraint"] = constraints::serialize(o.gamma_constraint);
  return config;
}

std::shared_ptr<Layer> LayerNormalizationImpl::from_config(const Json& c) {
  using config::get;
  using config::value;
  const char* w = "LayerNormalization";
  KERAS_CHECK(!get<bool>(c, "rms_scaling", false, w), ValueError,
              "LayerNormalization: rms_scaling=True is not supported");
  LayerNormalizationOptions o{
      .epsilon = get<double>(c, "epsilon", 1e-3, w),
      .center = get<bool>(c, "center", true, w),
      .scale = get<bool>(c, "scale", true, w),
      .beta_initializer = initializers::deserialize(value(c, "beta_initializer", "zeros")),
      .gamma_initializer = initializers::deserialize(value(c, "gamma_initializer", "ones")),
      .beta_regularizer = regularizers::deserialize(value(c, "beta_regularizer", nullptr)),
      .gamma_regularizer = regularizers::deserialize(value(c, "gamma_regularizer", nullptr)),
      .beta_constraint = constraints::deserialize(value(c, "beta_constraint", nullptr)),
      .gamma_constraint = constraints::deserialize(value(c, "gamma_constraint", nullptr)),
      .name = get<std::string>(c, "name", "", w),
  };
  o.axis.clear();
  for (int64_t a : config_util::int_list(c, "axis", {-1}, w)) {
    KERAS_CHECK(a >= -64 && a < 64, ValueError, "LayerNormalization: axis ", a, " is out of range");
    o.axis.push_back(static_cast<int>(a));
  }
  auto layer = std::make_shared<LayerNormalizationImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
