#include "keras/layers/wrapper.h"

#include "keras/config/json.h"
#include "keras/layers/registry.h"

namespace keras::layers {

WrapperImpl::WrapperImpl(std::string name,
                         std::string_view prefix,
                         std::optional<Shape> input_shape,
                         LayerRef layer)
    : Layer(std::move(name), prefix, std::move(input_shape)), inner_(std::move(layer)) {
  KERAS_CHECK(static_cast<bool>(inner_), ValueError,
              "Layer None supplied to Wrapper isn't a supported layer type. Please ensure "
              "wrapped layer is a valid Keras layer.");
}

void WrapperImpl::set_dtype(DType dtype) {
  Layer::set_dtype(dtype);
  inner_->set_dtype(dtype);
}

void WrapperImpl::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  inner_->set_trainable(trainable);
}

Tensors WrapperImpl::losses() const {
  Tensors out = Layer::losses();
  for (const Tensor& t : inner_->losses()) out.push_back(t);
  return out;
}

void WrapperImpl::clear_losses() {
  Layer::clear_losses();
  inner_->clear_losses();
}

std::vector<Layer::VariableGroup> WrapperImpl::saved_variables() const {
  std::vector<VariableGroup> out{{"vars", wrapper_variables()}};
  for (const VariableGroup& g : inner_->saved_variables())
    out.push_back({"layer/" + g.path, g.variables});
  return out;
}

Json WrapperImpl::get_config() const {
  Json config = Layer::get_config();
  config["layer"] = layers::serialize_layer(*inner_.layer());
  return config;
}

LayerRef WrapperImpl::layer_from_config(const Json& config, const char* what) {
  const Json* inner = config::find(config, "layer");
  KERAS_CHECK(inner != nullptr, ValueError, what, " config has no 'layer'");
  return LayerRef(layers::deserialize_layer(*inner));
}

}  // namespace keras::layers
