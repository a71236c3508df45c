#include "keras/layers/normalization/group_normalization.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"

namespace keras::layers {

GroupNormalizationImpl::GroupNormalizationImpl(GroupNormalizationOptions options)
    : Layer(options.name,
            "group_normalization",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  autocast_ = false;
  KERAS_CHECK(options_.groups == -1 || options_.groups >= 1, ValueError,
              "GroupNormalization: groups must be -1 or positive, got ", options_.groups);
}

void GroupNormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& s = input_shapes[0];
  const int rank = static_cast<int>(s.size());
  KERAS_CHECK(rank >= 2 && options_.axis < rank && options_.axis >= -rank, ValueError, "Layer ",
              name(), " (GroupNormalization): axis ", options_.axis,
              " is out of bounds for input shape ", shape_str(s));
  axis_ = normalize_axis(options_.axis, rank);
  KERAS_CHECK(axis_ != 0, ValueError, "Layer ", name(),
              " (GroupNormalization): axis must not be the batch axis");
  const int64_t dim = s[static_cast<size_t>(axis_)];
  KERAS_CHECK(dim != kNone, ValueError, "Axis ", options_.axis,
              " of input tensor should have a defined dimension but the layer received an input "
              "with shape ",
              shape_str(s), ".");
  groups_ = options_.groups == -1 ? static_cast<int>(dim) : options_.groups;
  KERAS_CHECK(dim >= groups_, ValueError, "Number of groups (", groups_,
              ") cannot be more than the number of channels (", dim, ").");
  KERAS_CHECK(dim % groups_ == 0, ValueError, "Number of groups (", groups_,
              ") must be a multiple of the number of channels (", dim, ").");
  input_spec_ = {InputSpec{.ndim = rank, .axes = {{axis_, dim}}}};
  if (options_.scale) {
    gamma_ = add_weight("gamma", {dim}, options_.gamma_initializer, true,
                        options_.gamma_regularizer, options_.gamma_constraint);
  }
  if (options_.center) {
    beta_ = add_weight("beta", {dim}, options_.beta_initializer, true, options_.beta_regularizer,
                       options_.beta_constraint);
  }
}

Tensors GroupNormalizationImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const size_t a = static_cast<size_t>(axis_);
  Shape grouped = x.shape();
  grouped[a] /= groups_;
  grouped.insert(grouped.begin() + axis_, groups_);
  // Every axis of the grouped tensor but the batch and the groups'.
  std::vector<int> reduce;
  for (int d = 1; d < static_cast<int>(grouped.size()); ++d) {
    if (d != axis_) reduce.push_back(d);
  }
  Shape bshape(grouped.size(), 1);
  bshape[a] = groups_;
  bshape[a + 1] = grouped[a + 1];
  const Tensor xg = ops::reshape(x, grouped);
  const ops::Moments m = ops::moments(xg, reduce, /*keepdims=*/true);
  Tensor inv = ops::reciprocal(ops::sqrt(ops::add(m.variance, options_.epsilon)));
  if (gamma_.defined()) inv = ops::multiply(inv, ops::reshape(gamma_.value(), bshape));
  Tensor res = ops::negative(ops::multiply(m.mean, inv));
  if (beta_.defined()) res = ops::add(res, ops::reshape(beta_.value(), bshape));
  return {ops::reshape(ops::add(ops::multiply(xg, inv), res), x.shape())};
}

std::vector<Shape> GroupNormalizationImpl::compute_output_shape(
    const std::vector<Shape>& in) const {
  return {in[0]};
}

Json GroupNormalizationImpl::get_config() const {
  const GroupNormalizationOptions& o = options_;
  Json config = Layer::get_config();
  config["groups"] = groups_ != 0 ? groups_ : o.groups;  // Keras writes -1 resolved once built
  config["axis"] = o.axis;
  config["epsilon"] = o.epsilon;
  config["center"] = o.center;
  config["scale"] = o.scale;
  config["beta_initializer"] = initializers::serialize(o.beta_initializer);
  config["gamma_initializer"] = initializers::serialize(o.gamma_initializer);
  config["beta_regularizer"] = regularizers::serialize(o.beta_regularizer);
  config["gamma_regularizer"] = regularizers::serialize(o.gamma_regularizer);
  config["beta_constraint"] = constraints::serialize(o.beta_constraint);
  config["gamma_constraint"] = constraints::serialize(o.gamma_constraint);
  return config;
}

std::shared_ptr<Layer> GroupNormalizationImpl::from_config(const Json& c) {
  using config::get;
  using config::value;
  const char* w = "GroupNormalization";
  const int64_t groups = get<int64_t>(c, "groups", 32, w);
  const int64_t axis = get<int64_t>(c, "axis", -1, w);
  KERAS_CHECK(groups >= -1 && groups < (int64_t{1} << 30) && axis >= -64 && axis < 64, ValueError,
              w, ": groups ", groups, " or axis ", axis, " is out of range");
  auto layer = std::make_shared<GroupNormalizationImpl>(GroupNormalizationOptions{
      .groups = static_cast<int>(groups),
      .axis = static_cast<int>(axis),
      .epsilon = get<double>(c, "epsilon", 1e-3, w),
      .center = get<bool>(c, "center", true, w),
      .scale = get<bool>(c, "scale", true, w),
      .beta_initializer = initializers::deserialize(value(c, "beta_initializer", "zeros")),
      .gamma_initializer = initializers::deserialize(value(c, "gamma_initializer", "ones")),
      .beta_regularizer = regularizers::deserialize(value(c, "beta_regularizer", nullptr)),
      .gamma_regularizer = regularizers::deserialize(value(c, "gamma_regularizer", nullptr)),
      .beta_constraint = constraints::deserialize(value(c, "beta_constraint", nullptr)),
      .gamma_constraint = constraints::deserialize(value(c, "gamma_constraint", nullptr)),
      .name = get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
