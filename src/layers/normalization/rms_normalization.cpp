#include "keras/layers/normalization/rms_normalization.h"

#include <algorithm>

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "layers/config_util.h"

namespace keras::layers {

RMSNormalizationImpl::RMSNormalizationImpl(RMSNormalizationOptions options)
    : Layer(options.name,
            "rms_normalization",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  KERAS_CHECK(!options_.axis.empty(), ValueError,
              "RMSNormalization: `axis` must name at least one axis");
}

void RMSNormalizationImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape s = compute_output_shape(input_shapes)[0];
  const int rank = static_cast<int>(s.size());
  axes_.clear();
  for (int a : options_.axis) axes_.push_back(normalize_axis(a, rank));
  std::sort(axes_.begin(), axes_.end());
  Shape shape;
  for (int a : axes_) {
    const int64_t d = s[static_cast<size_t>(a)];
    KERAS_CHECK(d != kNone, ValueError, "Layer ", name(), " (RMSNormalization): axis ", a,
                " of the input has no defined size (", shape_str(s), ")");
    shape.push_back(d);
  }
  scale_ = add_weight("scale", shape, "ones");
}

Tensors RMSNormalizationImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const Tensor rrms = ops::reciprocal(
      ops::sqrt(ops::add(ops::mean(ops::square(x), axes_, /*keepdims=*/true), options_.epsilon)));
  return {ops::multiply(ops::multiply(x, rrms), scale_.value())};
}

std::vector<Shape> RMSNormalizationImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const int rank = static_cast<int>(in[0].size());
  for (int a : options_.axis) {
    KERAS_CHECK(a < rank && a >= -rank, ValueError, "Axis ", a,
                " is out of bounds for input shape ", shape_str(in[0]), ".");
  }
  return {in[0]};
}

Json RMSNormalizationImpl::get_config() const {
  Json config = Layer::get_config();
  config["axis"] = options_.axis.size() == 1 ? Json(options_.axis[0]) : Json(options_.axis);
  config["epsilon"] = options_.epsilon;
  return config;
}

std::shared_ptr<Layer> RMSNormalizationImpl::from_config(const Json& c) {
  const char* w = "RMSNormalization";
  RMSNormalizationOptions o{.epsilon = config::get<double>(c, "epsilon", 1e-6, w),
                            .name = config::get<std::string>(c, "name", "", w)};
  o.axis.clear();
  for (int64_t a : config_util::int_list(c, "axis", {-1}, w)) {
    KERAS_CHECK(a >= -64 && a < 64, ValueError, w, ": axis ", a, " is out of range");
    o.axis.push_back(static_cast<int>(a));
  }
  auto layer = std::make_shared<RMSNormalizationImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
