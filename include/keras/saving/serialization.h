// keras.saving.serialize_keras_object / deserialize_keras_object, get_custom_objects,
// get_registered_name, get_registered_object: one entry point over the per-module serializers
// (layers::serialize_layer, initializers::serialize, regularizers::serialize, ...), in Keras 3's
// form {"module", "class_name", "config", "registered_name"} (layers add "build_config" once
// built).
//
//   keras::Json j = keras::saving::serialize_keras_object(keras::initializers::GlorotUniform());
//   auto init = keras::saving::deserialize_keras_object<keras::initializers::Initializer>(j);
//   auto any = keras::saving::deserialize_keras_object(j);   // a KerasObject (std::variant)
//
// Custom objects are the layers registered with keras::saving::register_layer
// (keras/layers/registry.h; keras.cpp's register_keras_serializable): other custom objects
// (a C++ initializer, loss function, ...) cannot be written, as their classes' docs say.
#pragma once

#include <map>
#include <string>
#include <variant>

#include "keras/config/json.h"
#include "keras/constraints/constraints.h"
#include "keras/core/error.h"
#include "keras/initializers/initializers.h"
#include "keras/layers/activation.h"
#include "keras/layers/registry.h"
#include "keras/losses/losses.h"
#include "keras/metrics/metric.h"
#include "keras/optimizers/optimizers.h"
#include "keras/optimizers/schedules.h"
#include "keras/regularizers/regularizers.h"

namespace keras::saving {

// Keras's serialized form of each kind of object. Throws what the module's serializer throws for
// what cannot be written (NotImplementedError for a C++ function). An activation is written as
// Keras writes a function: {"module": "builtins", "class_name": "function", "config": "relu",
// "registered_name": "function"}.
Json serialize_keras_object(const layers::Layer& layer);
Json serialize_keras_object(const layers::LayerRef& layer);  // a layer handle or a Model
Json serialize_keras_object(const initializers::Initializer& initializer);
Json serialize_keras_object(const regularizers::Regularizer& regularizer);
Json serialize_keras_object(const constraints::Constraint& constraint);
Json serialize_keras_object(const layers::ActivationFn& activation);
Json serialize_keras_object(const losses::Loss& loss);
Json serialize_keras_object(const metrics::Metric& metric);
Json serialize_keras_object(const optimizers::Optimizer& optimizer);
Json serialize_keras_object(const optimizers::schedules::LearningRateSchedule& schedule);

// What deserialize_keras_object gives: the object its "module" names, or (as Keras returns
// anything that is not a serialized object unchanged) the Json itself for a string, number,
// null, or a dict without "config".
using KerasObject = std::variant<Json,
                                 layers::LayerRef,
                                 initializers::Initializer,
                                 regularizers::Regularizer,
                                 constraints::Constraint,
                                 layers::ActivationFn,
                                 losses::LossPtr,
                                 metrics::MetricPtr,
                                 optimizers::OptimizerPtr,
                                 optimizers::schedules::SchedulePtr>;

// The object of Keras's serialized form, by its "module": keras.layers (and keras.src.ops,
// keras.src.models: a model becomes a LayerRef), keras.initializers, keras.regularizers,
// keras.constraints, keras.losses, keras.metrics, keras.optimizers, keras.optimizers.schedules;
// "builtins" functions are activations (or loss functions). A custom layer (module null) is
// found by its "registered_name" or class name among the registered layers.
// Errors: ValueError "Could not deserialize 'keras.layers.Nope' because it is not a
// KerasSaveable subclass" for an unknown layer class of Keras's modules (other modules'
// unknown classes: their deserializer's ValueError); TypeError "Could not locate class 'X'.
// Make sure custom classes and functions are decorated with
// `@keras.saving.register_keras_serializable()`. ... Full object config: {...}" for an unknown
// module, or a custom class not registered; bad configs: the module's errors.
KerasObject deserialize_keras_object(const Json& config);
// The object as type T (one of KerasObject's alternatives); TypeError when `config` holds
// another kind of object.
template <class T>
T deserialize_keras_object(const Json& config) {
  KerasObject object = deserialize_keras_object(config);
  KERAS_CHECK(
      std::holds_alternative<T>(object), TypeError,
      "deserialize_keras_object: the config does not describe an object of the requested "
      "type (module ",
      config.is_object() && config.contains("module") ? config["module"].dump() : "null",
      ", class_name ",
      config.is_object() && config.contains("class_name") ? config["class_name"].dump() : "null",
      ")");
  return std::get<T>(std::move(object));
}

// The registered custom objects: the layers registered with register_layer, by that name.
std::map<std::string, layers::LayerFactory> get_custom_objects();
// The name a layer is registered under (its "registered_name") when it is a registered custom
// layer, otherwise its class name (Keras: get_registered_name(Dense) is "Dense").
std::string get_registered_name(const layers::Layer& layer);
std::string get_registered_name(const layers::LayerRef& layer);
// The factory registered under exactly `name` (a custom layer), or an empty function (Keras's
// None) when there is none: keras.cpp's own classes are not custom objects, as in Keras.
layers::LayerFactory get_registered_object(const std::string& name);

}  // namespace keras::saving
