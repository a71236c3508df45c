#include "keras/layers/normalization/unit_normalization.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "layers/config_util.h"

namespace keras::layers {

UnitNormalizationImpl::UnitNormalizationImpl(UnitNormalizationOptions options)
    : Layer(options.name,
            "unit_normalization",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  KERAS_CHECK(!options_.axis.empty(), ValueError,
              "UnitNormalization: `axis` must name at least one axis");
}

Tensors UnitNormalizationImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (!is_floating(x.dtype())) x = ops::cast(x, dtype());
  (void)compute_output_shape({x.shape()});
  const Tensor inv = ops::reciprocal(ops::sqrt(ops::sum(ops::square(x), options_.axis, true)));
  return {ops::multiply(x, ops::minimum(inv, 1e12))};
}

std::vector<Shape> UnitNormalizationImpl::compute_output_shape(const std::vector<Shape>& in) const {
  const int rank = static_cast<int>(in[0].size());
  for (int a : options_.axis) {
    KERAS_CHECK(a < rank && a >= -rank, ValueError, "Axis ",
                options_.axis.size() == 1 ? str(a) : str(Json(options_.axis).dump()),
                " is out of bounds for input shape ", shape_str(in[0]), ".");
  }
  return {in[0]};
}

Json UnitNormalizationImpl::get_config() const {
  Json config = Layer::get_config();
  config["axis"] = options_.axis.size() == 1 ? Json(options_.axis[0]) : Json(options_.axis);
  return config;
}

std::shared_ptr<Layer> UnitNormalizationImpl::from_config(const Json& c) {
  const char* w = "UnitNormalization";
  UnitNormalizationOptions o{.name = config::get<std::string>(c, "name", "", w)};
  o.axis.clear();
  for (int64_t a : config_util::int_list(c, "axis", {-1}, w)) {
    KERAS_CHECK(a >= -64 && a < 64, ValueError, w, ": axis ", a, " is out of range");
    o.axis.push_back(static_cast<int>(a));
  }
  auto layer = std::make_shared<UnitNormalizationImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
