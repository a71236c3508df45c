#include "keras/layers/activations/prelu.h"

#include <algorithm>
#include <map>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "layers/config_util.h"

namespace keras::layers {

PReLUImpl::PReLUImpl(PReLUOptions options)
    : Layer(options.name,
            "p_re_lu",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {}

void PReLUImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& s = input_shapes[0];
  const int rank = static_cast<int>(s.size());
  KERAS_CHECK(rank >= 2, ValueError, "Layer ", name(),
              " (PReLU) expects inputs of rank >= 2 (a batch axis and features), got shape ",
              shape_str(s));
  Shape param(s.begin() + 1, s.end());
  for (int a : options_.shared_axes) {
    KERAS_CHECK(a >= 1 && a < rank, ValueError, "Layer ", name(), " (PReLU): shared axis ", a,
                " is out of range for inputs of shape ", shape_str(s));
    param[static_cast<size_t>(a - 1)] = 1;
  }
  for (size_t i = 0; i < param.size(); ++i) {
    KERAS_CHECK(param[i] != kNone, ValueError, "Layer ", name(), " (PReLU): axis ", i + 1,
                " of the input has no defined size (", shape_str(s),
                "); share it with shared_axes");
  }
  alpha_ = add_weight("alpha", param, options_.alpha_initializer, true, options_.alpha_regularizer,
                      options_.alpha_constraint);
  std::map<int, int64_t> axes;
  if (!options_.shared_axes.empty()) {
    for (int i = 1; i < rank; ++i) {
      if (std::find(options_.shared_axes.begin(), options_.shared_axes.end(), i) ==
          options_.shared_axes.end()) {
        axes[i] = s[static_cast<size_t>(i)];
      }
    }
  }
  input_spec_ = {InputSpec{.ndim = rank, .axes = std::move(axes)}};
}

Tensors PReLUImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  return {ops::subtract(ops::relu(x), ops::multiply(alpha_.value(), ops::relu(ops::negative(x))))};
}

std::vector<Shape> PReLUImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json PReLUImpl::get_config() const {
  Json config = Layer::get_config();
  config["alpha_initializer"] = initializers::serialize(options_.alpha_initializer);
  config["alpha_regularizer"] = regularizers::serialize(options_.alpha_regularizer);
  config["alpha_constraint"] = constraints::serialize(options_.alpha_constraint);
  config["shared_axes"] = options_.shared_axes.empty() ? Json(nullptr) : Json(options_.shared_axes);
  return config;
}

std::shared_ptr<Layer> PReLUImpl::from_config(const Json& c) {
  using config::value;
  const char* w = "PReLU";
  PReLUOptions o{
      .alpha_initializer = initializers::deserialize(value(c, "alpha_initializer", "zeros")),
      .alpha_regularizer = regularizers::deserialize(value(c, "alpha_regularizer", nullptr)),
      .alpha_constraint = constraints::deserialize(value(c, "alpha_constraint", nullptr)),
      .name = config::get<std::string>(c, "name", "", w)};
  for (int64_t a : config_util::int_list(c, "shared_axes", {}, w)) {
    KERAS_CHECK(a >= 1 && a < 64, ValueError, "PReLU: shared axis ", a, " is out of range");
    o.shared_axes.push_back(static_cast<int>(a));
  }
  auto layer = std::make_shared<PReLUImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
