#include "keras/saving/serialization.h"

#include "core/python_repr.h"
#include "keras/layers/custom_layers.h"
#include "keras/losses/loss.h"
#include "keras/metrics/serialization.h"
#include "keras/models/model.h"

namespace keras::saving {

Json serialize_keras_object(const layers::Layer& layer) {
  Json out = layers::serialize_layer(layer);
  // Keras writes "build_config" only for a built layer.
  if (auto it = out.find("build_config"); it != out.end() && it->is_null()) out.erase(it);
  return out;
}
Json serialize_keras_object(const layers::LayerRef& layer) {
  KERAS_CHECK(layer.layer() != nullptr, ValueError, "serialize_keras_object: an empty layer");
  return serialize_keras_object(*layer.layer());
}
Json serialize_keras_object(const initializers::Initializer& initializer) {
  return initializers::serialize(initializer);
}
Json serialize_keras_object(const regularizers::Regularizer& regularizer) {
  return regularizers::serialize(regularizer);
}
Json serialize_keras_object(const constraints::Constraint& constraint) {
  return constraints::serialize(constraint);
}
Json serialize_keras_object(const layers::ActivationFn& activation) {
  return Json{{"module", "builtins"},
              {"class_name", "function"},
              {"config", layers::serialize_activation(activation)},
              {"registered_name", "function"}};
}
Json serialize_keras_object(const losses::Loss& loss) {
  return losses::serialize(loss);
}
Json serialize_keras_object(const metrics::Metric& metric) {
  return metrics::serialize(metric);
}
Json serialize_keras_object(const optimizers::Optimizer& optimizer) {
  return optimizers::serialize(optimizer);
}
Json serialize_keras_object(const optimizers::schedules::LearningRateSchedule& schedule) {
  return optimizers::schedules::serialize(schedule);
}

namespace {

// Python's repr of a JSON value as Keras prints a config dict in its messages.
void python_repr(const Json& j, std::string& out) {
  if (j.is_null()) {
    out += "None";
  } else if (j.is_boolean()) {
    out += j.get<bool>() ? "True" : "False";
  } else if (j.is_string()) {
    out += '\'';
    out += j.get_ref<const std::string&>();
    out += '\'';
  } else if (j.is_number_float()) {
    out += python_float_repr(j.get<double>());
  } else if (j.is_number()) {
    out += j.dump();
  } else if (j.is_array()) {
    out += '[';
    for (size_t i = 0; i < j.size(); ++i) {
      if (i) out += ", ";
      python_repr(j[i], out);
    }
    out += ']';
  } else {
    out += '{';
    bool first = true;
    for (const auto& [key, value] : j.items()) {
      out += first ? "'" : ", '";
      first = false;
      out += key;
      out += "': ";
      python_repr(value, out);
    }
    out += '}';
  }
}

[[noreturn]] void could_not_locate(const std::string& cls, const Json& config) {
  std::string text;
  python_repr(config, text);
  throw TypeError(str("Could not locate class '", excerpt(cls),
                      "'. Make sure custom classes and functions are decorated with "
                      "`@keras.saving.register_keras_serializable()`. If they are already "
                      "decorated, make sure they are all imported so that the decorator is run "
                      "before trying to load them. Full object config: ",
                      excerpt(text, 2000)));
}

std::string string_or_empty(const Json& config, const char* key) {
  auto it = config.find(key);
  return it != config.end() && it->is_string() ? it->get<std::string>() : std::string();
}

// A custom layer: by registered name ("package>Name" or "Name"), then by class name.
layers::LayerFactory find_custom(const std::string& registered, const std::string& cls) {
  const auto custom = layers::custom_layers();
  for (const std::string& key : {registered, registered.substr(registered.find('>') + 1), cls}) {
    auto it = custom.find(key);
    if (!key.empty() && it != custom.end()) return it->second;
  }
  return {};
}

// Keras's build_from_config: a serialized layer with {"build_config": {"input_shape": ...}} comes
// back built for those shapes (one shape, or a list of them).
void build_from_config(layers::Layer& layer, const Json& serialized) {
  const Json* build = config::find(serialized, "build_config");
  if (build == nullptr || !build->is_object()) return;
  const Json* shape = config::find(*build, "input_shape");
  if (shape == nullptr || !shape->is_array()) return;
  std::vector<Shape> shapes;
  if (!shape->empty() && (*shape)[0].is_array()) {
    for (const Json& s : *shape) shapes.push_back(config::shape_from_json(s, "input_shape"));
  } else {
    shapes.push_back(config::shape_from_json(*shape, "input_shape"));
  }
  layer.maybe_build(shapes);
}

}  // namespace

KerasObject deserialize_keras_object(const Json& config) {
  if (!config.is_object() || !config.contains("config")) return config;
  const std::string module = string_or_empty(config, "module");
  const std::string cls = string_or_empty(config, "class_name");
  const std::string registered = string_or_empty(config, "registered_name");
  if (module == "keras.layers" || module.starts_with("keras.src.layers") ||
      module.starts_with("keras.src.ops.")) {
    const bool known = module.starts_with("keras.src.ops.") || layers::is_registered(cls) ||
                       find_custom(registered, cls);
    KERAS_CHECK(known, ValueError, "Could not deserialize '", excerpt(module), ".", excerpt(cls),
                "' because it is not a KerasSaveable subclass");
    std::shared_ptr<layers::Layer> layer = layers::deserialize_layer(config);
    build_from_config(*layer, config);
    return layers::LayerRef(std::move(layer));
  }
  if (module == "keras.models" || module.starts_with("keras.src.models") || cls == "Functional" ||
      cls == "Sequential")
    return layers::LayerRef(models::model_from_config(config));
  if (module == "keras.initializers") return initializers::deserialize(config);
  if (module == "keras.regularizers") return regularizers::deserialize(config);
  if (module == "keras.constraints") return constraints::deserialize(config);
  if (module == "keras.losses") return losses::deserialize(config);
  if (module == "keras.metrics") return metrics::deserialize(config);
  if (module == "keras.optimizers.schedules") return optimizers::schedules::deserialize(config);
  if (module == "keras.optimizers") return optimizers::deserialize(config);
  if (module == "builtins" && cls == "function" && config["config"].is_string()) {
    const std::string name = config["config"].get<std::string>();
    try {
      return layers::ActivationFn(name);
    } catch (const ValueError&) {
    }
    try {
      return losses::get(name);
    } catch (const ValueError&) {
    }
    could_not_locate(name, config);
  }
  if (module.empty()) {
    if (layers::LayerFactory factory = find_custom(registered, cls)) {
      std::shared_ptr<layers::Layer> layer = factory(config["config"]);
      if (layer) build_from_config(*layer, config);
      return layers::LayerRef(std::move(layer));
    }
  }
  could_not_locate(cls, config);
}

std::map<std::string, layers::LayerFactory> get_custom_objects() {
  return layers::custom_layers();
}

std::string get_registered_name(const layers::Layer& layer) {
  const std::string cls = layer.saved_class_name();
  const auto custom = layers::custom_layers();
  if (custom.contains(cls)) return cls;
  for (const auto& [name, factory] : custom)
    if (name.size() > cls.size() && name.ends_with(">" + cls)) return name;
  return cls;
}

std::string get_registered_name(const layers::LayerRef& layer) {
  KERAS_CHECK(layer.layer() != nullptr, ValueError, "get_registered_name: an empty layer");
  return get_registered_name(*layer.layer());
}

layers::LayerFactory get_registered_object(const std::string& name) {
  const auto custom = layers::custom_layers();
  auto it = custom.find(name);
  return it == custom.end() ? layers::LayerFactory() : it->second;
}

}  // namespace keras::saving
