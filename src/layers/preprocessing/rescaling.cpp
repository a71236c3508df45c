#include "keras/layers/preprocessing/rescaling.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"

namespace keras::layers {

namespace {

Json numbers_to_json(const std::vector<double>& v) {
  return v.size() == 1 ? Json(v[0]) : Json(v);
}

std::vector<double> numbers_from_json(const Json& c, const char* key, double fallback) {
  const Json* j = config::find(c, key);
  if (j == nullptr) return {fallback};
  if (!j->is_array()) return {config::convert<double>(*j, key, "Rescaling")};
  KERAS_CHECK(!j->empty() && j->size() <= (size_t{1} << 20), ValueError, "Rescaling: config key '",
              key, "' must be a number or a non-empty list");
  std::vector<double> out;
  for (const Json& e : *j) out.push_back(config::convert<double>(e, key, "Rescaling"));
  return out;
}

Tensor constant_like(const std::vector<double>& values, const Tensor& x) {
  return ops::cast(Tensor::from_vector(values, {static_cast<int64_t>(values.size())}, Device::cpu())
                       .to(x.device()),
                   x.dtype());
}

}  // namespace

RescalingImpl::RescalingImpl(std::vector<double> scale, RescalingOptions options)
    : Layer(options.name,
            "rescaling",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      scale_(std::move(scale)),
      options_(std::move(options)) {
  KERAS_CHECK(!scale_.empty() && !options_.offset.empty(), ValueError,
              "Rescaling: scale and offset must not be empty");
}

Tensors RescalingImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  const Tensor scaled =
      scale_.size() == 1 ? ops::multiply(x, scale_[0]) : ops::multiply(x, constant_like(scale_, x));
  return {options_.offset.size() == 1 ? ops::add(scaled, options_.offset[0])
                                      : ops::add(scaled, constant_like(options_.offset, x))};
}

std::vector<Shape> RescalingImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

std::vector<DType> RescalingImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  return {dtype()};
}

Json RescalingImpl::get_config() const {
  Json config = Layer::get_config();
  config["scale"] = numbers_to_json(scale_);
  config["offset"] = numbers_to_json(options_.offset);
  return config;
}

std::shared_ptr<Layer> RescalingImpl::from_config(const Json& c) {
  const char* w = "Rescaling";
  KERAS_CHECK(config::find(c, "scale") != nullptr, ValueError, w, ": config has no 'scale'");
  auto layer = std::make_shared<RescalingImpl>(
      numbers_from_json(c, "scale", 1.0),
      RescalingOptions{.offset = numbers_from_json(c, "offset", 0.0),
                       .name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
