#include "keras/layers/activation.h"

#include "keras/config/json.h"

namespace keras::layers {

ActivationFn::ActivationFn(const char* name) : ActivationFn(std::string(name)) {}
ActivationFn::ActivationFn(const std::string& name)
    : name_(name.empty() ? "linear" : name), fn_(activations::get(name)), builtin_(true) {}

ActivationImpl::ActivationImpl(ActivationFn activation, ActivationOptions options)
    : Layer(std::move(options.name),
            "activation",
            options.input_shape ? std::optional(to_shape(*options.input_shape)) : std::nullopt),
      activation_(std::move(activation)) {}

Tensors ActivationImpl::call(const Tensors& inputs, bool) {
  return {activation_(inputs[0])};
}

std::vector<Shape> ActivationImpl::compute_output_shape(const std::vector<Shape>& in) const {
  return {in[0]};
}

Json serialize_activation(const ActivationFn& activation) {
  try {
    activations::validate(activation.name());
  } catch (const ValueError&) {
    throw NotImplementedError(
        str("Activation '", activation.name(), "' is a C++ function and cannot be serialized"));
  }
  // Not a Keras 3 activation: written as Keras writes a custom function, so that Keras reads it
  // given custom_objects={"keras2_hard_sigmoid": ...} and refuses it clearly without.
  if (activation.name() == "keras2_hard_sigmoid") {
    return Json{{"module", "keras_cpp"},
                {"class_name", "function"},
                {"config", activation.name()},
                {"registered_name", activation.name()}};
  }
  return activation.name();
}

ActivationFn deserialize_activation(const Json& j) {
  if (j.is_null()) return ActivationFn("linear");
  if (j.is_string()) return ActivationFn(j.get<std::string>());
  // Keras 3 writes some activations as {"class_name": "function", "config": "relu"}.
  if (j.is_object() && j.contains("config") && j["config"].is_string()) {
    return ActivationFn(j["config"].get<std::string>());
  }
  throw ValueError(str("Could not interpret activation: ", config::json_excerpt(j)));
}

Json ActivationImpl::get_config() const {
  Json config = Layer::get_config();
  config["activation"] = serialize_activation(activation_);
  return config;
}

std::shared_ptr<Layer> ActivationImpl::from_config(const Json& config) {
  auto layer = std::make_shared<ActivationImpl>(
      deserialize_activation(config::find(config, "activation") ? config["activation"] : Json()),
      ActivationOptions{.name = config::get<std::string>(config, "name", "")});
  layer->apply_base_config(config);
  return layer;
}

}  // namespace keras::layers
