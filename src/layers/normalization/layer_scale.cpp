#include "keras/layers/normalization/layer_scale.h"

#include "keras/config/json.h"
#include "keras/ops/elementwise.h"

namespace keras::layers {

LayerScaleImpl::LayerScaleImpl(double init_values,
                               int64_t projection_dim,
                               LayerScaleOptions options)
    : Layer(options.name,
            "layer_scale",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      init_values_(init_values),
      projection_dim_(projection_dim) {
  KERAS_CHECK(projection_dim_ >= 1, ValueError, "LayerScale: projection_dim must be positive, got ",
              projection_dim_);
}

void LayerScaleImpl::build(const std::vector<Shape>& input_shapes) {
  const Shape& s = input_shapes[0];
  KERAS_CHECK(!s.empty() && (s.back() == kNone || s.back() == projection_dim_), ValueError,
              "Layer ", name(), " (LayerScale): the last axis of the input ", shape_str(s),
              " must have projection_dim = ", projection_dim_, " entries");
  gamma_ = add_weight("gamma", {projection_dim_}, initializers::Constant(init_values_));
}

Tensors LayerScaleImpl::call(const Tensors& inputs, bool) {
  Tensor x = inputs[0];
  if (x.dtype() != dtype()) x = ops::cast(x, dtype());
  return {ops::multiply(x, gamma_.value())};
}

std::vector<Shape> LayerScaleImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json LayerScaleImpl::get_config() const {
  Json config = Layer::get_config();
  config["init_values"] = init_values_;
  config["projection_dim"] = projection_dim_;
  return config;
}

std::shared_ptr<Layer> LayerScaleImpl::from_config(const Json& c) {
  const char* w = "LayerScale";
  const int64_t dim = config::require<int64_t>(c, "projection_dim", w);
  KERAS_CHECK(dim >= 1 && dim <= (int64_t{1} << 32), ValueError, w, ": projection_dim ", dim,
              " is out of range");
  auto layer = std::make_shared<LayerScaleImpl>(
      config::require<double>(c, "init_values", w), dim,
      LayerScaleOptions{.name = config::get<std::string>(c, "name", "", w)});
  layer->apply_base_config(c);
  return layer;
}

}  // namespace keras::layers
