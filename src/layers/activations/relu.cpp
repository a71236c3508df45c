#include "keras/layers/activations/relu.h"

#include "keras/config/json.h"
#include "keras/ops/activations.h"

namespace keras::layers {

ReLUImpl::ReLUImpl(ReLUOptions options)
    : Layer(options.name,
            "re_lu",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      options_(std::move(options)) {
  KERAS_CHECK(!options_.max_value || *options_.max_value >= 0, ValueError,
              "max_value of a ReLU layer cannot be a negative value. Received: max_value=",
              options_.max_value.value_or(0));
  KERAS_CHECK(options_.negative_slope >= 0, ValueError,
              "negative_slope of a ReLU layer cannot be None or a negative value. Received: "
              "negative_slope=",
              options_.negative_slope);
  KERAS_CHECK(options_.threshold >= 0, ValueError,
              "threshold of a ReLU layer cannot be None or a negative value. Received: threshold=",
              options_.threshold);
}

Tensors ReLUImpl::call(const Tensors& inputs, bool) {
  return {activations::relu(inputs[0], options_.negative_slope, options_.max_value,
                            options_.threshold)};
}

std::vector<Shape> ReLUImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json ReLUImpl::get_config() const {
  Json config = Layer::get_config();
  config["max_value"] = options_.max_value ? Json(*options_.max_value) : Json(nullptr);
  config["negative_slope"] = options_.negative_slope;
  config["threshold"] = options_.threshold;
  return config;
}

std::shared_ptr<Layer> ReLUImpl::from_config(const Json& c) {
  const char* w = "ReLU";
  ReLUOptions o{.negative_slope = config::get<double>(c, "negative_slope", 0.0, w),
                .threshold = config::get<double>(c, "threshold", 0.0, w),
                .name = config::get<std::string>(c, "name", "", w)};
  if (config::find(c, "max_value")) o.max_value = config::require<double>(c, "max_value", w);
  auto layer = std::make_shared<ReLUImpl>(std::move(o));
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
