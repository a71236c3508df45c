// The layer registry: class name -> from_config, used by load_model, model_from_json and the
// wrappers (TimeDistributed, Bidirectional) to rebuild layers from their configs.
//
//   class MyLayerImpl : public keras::Layer {
//     ...
//     keras::Json get_config() const override;             // base config + own keys
//     static std::shared_ptr<keras::Layer> from_config(const keras::Json& config);
//   };
//   keras::layers::register_layer<MyLayerImpl>("MyLayer");   // once, before loading
//
// Built-in layers are registered in src/layers/registry.cpp (one line each); the models module
// registers its own classes (Functional, Keras 2's Model, Sequential) when a model config is
// first read (models::model_from_config). A user layer is written with "registered_name":
// "MyLayer" (Keras's "package>name" convention is accepted too). keras::saving::register_layer
// (keras/saving/registry.h) is the same function under Keras's module name.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/layers/layer.h"

namespace keras::layers {

using LayerFactory = std::function<std::shared_ptr<layers::Layer>(const Json& config)>;

// Registers (or replaces) the factory for `class_name`. Thread-safe.
void register_layer(const std::string& class_name, LayerFactory factory);
template <class Impl>
void register_layer(const std::string& class_name) {
  register_layer(class_name, [](const Json& config) { return Impl::from_config(config); });
}
// True when `class_name` has a factory.
bool is_registered(const std::string& class_name);
// The registered class names, sorted.
std::vector<std::string> registered_layers();

// {"module", "class_name", "config", "registered_name", "build_config"} of a layer, as Keras 3
// writes an entry of a model's "layers" list (without "name" and "inbound_nodes").
Json serialize_layer(const layers::Layer& layer);
// A new layer from that form (or Keras 2's {"class_name", "config"}). Throws ValueError for an
// unknown class ("Unknown layer: 'Foo'. ...register_layer...") or an invalid config.
std::shared_ptr<layers::Layer> deserialize_layer(const Json& serialized);

namespace internal {
// Registers a class of keras.cpp itself (saved with "registered_name": null, as Keras's own).
void register_builtin_layer(const std::string& class_name, LayerFactory factory);
}  // namespace internal

}  // namespace keras::layers
