// Keras 2's legacy HDF5 layout: root attributes model_config / training_config, and
// model_weights/<layer> groups listing their weight_names.
#include <filesystem>
#include <functional>
#include <map>
#include <optional>
#include <set>

#include "keras/layers/op_layer.h"
#include "keras/layers/own_state.h"
#include "keras/layers/registry.h"
#include "layers/keras2_layout.h"
#include "models/own_state_layers.h"
#include "saving/h5.h"
#include "saving/saving_internal.h"

namespace keras::saving::internal {
namespace {

using layers::Layer;

// A layer's weights in the order Keras's legacy HDF5 layout lists them: its trainable weights,
// then the others (Keras's layer.trainable_weights + layer.non_trainable_weights). For most layers
// that is their creation order; a nested model with BatchNormalization or a frozen layer has its
// moving statistics and frozen weights moved to the end.
std::vector<Variable> legacy_weights(const Layer& layer) {
  std::vector<Variable> out = layer.trainable_weights();
  for (const Variable& v : layer.non_trainable_weights()) out.push_back(v);
  return out;
}

std::vector<std::string> legacy_weight_names(const Layer& layer) {
  std::vector<std::string> names;
  std::set<std::string> seen;
  for (const Variable& v : legacy_weights(layer)) {
    std::string n =
        v.path().rfind(layer.name() + "/", 0) == 0 ? v.path() : layer.name() + "/" + v.path();
    for (int i = 1; seen.contains(n); ++i) n = str(n, "_", i);
    seen.insert(n);
    names.push_back(n);
  }
  return names;
}

const std::vector<std::shared_ptr<Layer>>& model_layers(const models::FunctionalImpl& impl) {
  if (auto* seq = dynamic_cast<const models::SequentialImpl*>(&impl)) return seq->stack();
  return impl.layers();
}

}  // namespace

void write_legacy_weights(hid_t group,
                          const models::FunctionalImpl& impl,
                          const char* keras_version,
                          const char* backend,
                          bool own_state_as_weights) {
  std::vector<std::shared_ptr<Layer>> layers;  // as Keras's model.layers: without ops
  for (const auto& l : model_layers(impl)) {
    if (dynamic_cast<const layers::OpLayerImpl*>(l.get()) == nullptr) layers.push_back(l);
  }
  if (own_state_as_weights) {  // tf_keras would list it in the nested model's weights
    for (const auto& l : layers) {
      const auto* nested = dynamic_cast<const models::FunctionalImpl*>(l.get());
      if (nested == nullptr) continue;
      for (const models::internal::OwnStateLayer& o : models::internal::own_state_layers(*nested)) {
        KERAS_CHECK(o.state->save_own_variables().empty(), NotImplementedError,
                    "tf_keras .h5: layer '", o.name, "' in the nested model '", l->name(),
                    "' keeps weights of its own (IntegerLookup's tf_idf weights), which keras.cpp "
                    "writes in Keras 2's layout only for a top-level layer");
      }
    }
  }
  std::vector<std::string> layer_names;
  for (const auto& l : layers) layer_names.push_back(l->name());
  h5::write_string_list_attr(group, "layer_names", layer_names);
  h5::write_string_attr(group, "backend", backend);
  h5::write_string_attr(group, "keras_version", keras_version);
  for (const auto& l : layers) {
    h5::Handle g = h5::make_group(group, l->name());
    std::vector<std::string> names = legacy_weight_names(*l);
    std::vector<Tensor> values;
    for (const Variable& v : legacy_weights(*l)) values.push_back(v.value());
    // tf_keras lists such state among the layer's weights (IntegerLookup's tf_idf weights).
    if (const auto* state = dynamic_cast<const layers::OwnState*>(l.get());
        state != nullptr && own_state_as_weights) {
      for (const auto& [name, value] : state->save_own_variables()) {
        if (name.find('/') != std::string::npos) continue;  // a sub-object's copy (Keras 3's)
        names.push_back(str(l->name(), "/", name));
        values.push_back(value);
      }
    }
    h5::write_string_list_attr(g.id(), "weight_names", names);
    for (size_t i = 0; i < names.size(); ++i) {
      const size_t slash = names[i].rfind('/');
      if (slash == std::string::npos) {
        h5::write_dataset(g.id(), names[i], values[i]);
      } else {
        h5::Handle parent = h5::make_group(g.id(), names[i].substr(0, slash));
        h5::write_dataset(parent.id(), names[i].substr(slash + 1), values[i]);
      }
    }
  }
}

std::vector<Assignment> read_legacy_weights(const h5::Node& group,
                                            const models::FunctionalImpl& impl,
                                            bool by_name,
                                            bool skip_mismatch,
                                            const std::string& what,
                                            bool require_all) {
  const auto layer_names = h5::read_string_attr(group, "layer_names");
  KERAS_CHECK(layer_names.has_value(), ValueError, what, ": no 'layer_names' attribute");
  // The saved layers that have weights, with their weight names.
  std::vector<std::pair<std::string, std::vector<std::string>>> saved;
  for (const std::string& name : *layer_names) {
    std::optional<h5::Node> g = h5::open_group(group, name);
    KERAS_CHECK(g.has_value(), ValueError, what, ": missing group for layer '", excerpt(name), "'");
    auto names = h5::read_string_attr(*g, "weight_names").value_or(std::vector<std::string>{});
    if (!names.empty()) saved.emplace_back(name, std::move(names));
  }
  // tf_keras keeps a layer's state beside its variables (IntegerLookup's tf_idf weights) among
  // the weights: handed to the layer (layers::OwnState) by its weights' names.
  std::map<std::string, layers::OwnState*> own;
  for (const auto& l : model_layers(impl)) {
    if (auto* state = dynamic_cast<layers::OwnState*>(l.get())) own[l->name()] = state;
  }
  for (auto it = saved.begin(); it != saved.end();) {
    const auto o = own.find(it->first);
    if (o == own.end()) {
      ++it;
      continue;
    }
    const h5::Node g = *h5::open_group(group, it->first);
    std::map<std::string, Tensor> store;
    for (const std::string& n : it->second) {
      store[n] = h5::read_dataset(g, n, h5::dataset_shape(g, n), float32,
                                  str(what, ": weight ", excerpt(n)));
    }
    o->second->load_own_variables(store);
    it = saved.erase(it);
  }
  std::vector<std::shared_ptr<Layer>> targets;
  for (const auto& l : model_layers(impl)) {
    if (!l->weights().empty()) targets.push_back(l);
  }
  std::vector<Assignment> out;
  auto load_layer = [&](const Layer& layer, const std::string& saved_name,
                        const std::vector<std::string>& names) {
    const std::vector<Variable> weights = legacy_weights(layer);
    if (names.size() != weights.size()) {
      if (skip_mismatch) return;
      throw ValueError(str(what, ": layer '", layer.name(), "' expects ", weights.size(),
                           " weights, but the saved weights have ", names.size(), " elements."));
    }
    const h5::Node g = *h5::open_group(group, saved_name);
    for (size_t i = 0; i < names.size(); ++i) {
      if (skip_mismatch && h5::dataset_shape(g, names[i]) != weights[i].shape()) return;
    }
    for (size_t i = 0; i < names.size(); ++i) {
      out.push_back(
          {weights[i], h5::read_dataset(g, names[i], weights[i].shape(), weights[i].dtype(),
                                        str(what, ": weight ", excerpt(names[i])))});
    }
  };
  if (by_name) {
    std::set<std::string> claimed;
    for (const auto& [name, names] : saved) {
      for (const auto& l : targets) {
        if (l->name() == name) {
          load_layer(*l, name, names);
          claimed.insert(name);
        }
      }
      KERAS_CHECK(!require_all || claimed.contains(name), ValueError, what,
                  ": the file has weights for layer '", name.substr(0, 200),
                  "', which the model does not have");
    }
    for (const auto& l : targets) {
      KERAS_CHECK(!require_all || claimed.contains(l->name()), ValueError, what, ": layer '",
                  l->name(), "' has ", l->weights().size(),
                  " weights, but the file has none for it");
    }
    return out;
  }
  KERAS_CHECK(saved.size() == targets.size(), ValueError, what,
              ": you are trying to load a weight file containing ", saved.size(),
              " layers into a model with ", targets.size(), " layers.");
  for (size_t i = 0; i < saved.size(); ++i)
    load_layer(*targets[i], saved[i].first, saved[i].second);
  return out;
}

void save_legacy_h5(models::FunctionalImpl& impl,
                    const std::string& path,
                    const SaveOptions& options) {
  KERAS_CHECK(ends_with(path, ".h5") || ends_with(path, ".hdf5"), ValueError,
              "Invalid filepath extension for saving. Please add either a `.keras` extension for "
              "the native Keras format (recommended) or a `.h5` extension. Received: filepath=",
              path);
  const bool tf_keras = options.h5_format == "tf_keras";
  KERAS_CHECK(
      tf_keras || options.h5_format == "keras3", ValueError,
      "SaveOptions h5_format must be \"keras3\" or \"tf_keras\". Received: ", options.h5_format);
  const char* version = tf_keras ? kTfKerasVersion : kKerasVersion;
  const char* backend = tf_keras ? "tensorflow" : "keras.cpp";
  h5::File f = h5::File::create();
  {
    const layers::AssetsInConfig no_assets;  // the format has none: vocabularies in the config
    std::optional<layers::internal::Keras2Layout> keras2;  // merges say how they mask
    if (tf_keras) keras2.emplace();
    Json config = serialize_layer(impl);
    if (tf_keras) config = tf_keras_model_config(config);
    h5::write_string_attr(f.id(), "model_config", config::dump_json(config));
  }
  h5::write_string_attr(f.id(), "backend", backend);
  h5::write_string_attr(f.id(), "keras_version", version);
  if (options.include_optimizer) {
    Json compile = compile_config(impl);
    if (!compile.is_null()) {
      // Keras 3 cannot compile a legacy file whose losses are strings ("mse"), not even its own;
      // it can from class names. Serialized loss objects are kept as they are.
      std::function<Json(const Json&)> classes = [&](const Json& j) -> Json {
        if (j.is_array() || (j.is_object() && !j.contains("class_name"))) {
          Json out = j;
          for (auto& v : out) v = classes(v);
          return out;
        }
        if (!j.is_string()) return j;
        std::string cls;
        try {
          cls = losses::get(j.get<std::string>())->class_name();
        } catch (const ValueError&) {
          return j;
        }
        if (cls == "LossFunctionWrapper") return j;  // "crossentropy": chosen by shapes
        return Json{{"class_name", cls}, {"config", Json::object()}};
      };
      compile["loss"] = classes(compile["loss"]);
      compile["optimizer_config"] = compile["optimizer"];
      compile.erase("optimizer");
      if (tf_keras) compile = tf_keras_training_config(compile);
      h5::write_string_attr(f.id(), "training_config", config::dump_json(compile));
      // Keras's optimizer_weights: optimizer.variables in order, with their paths as names.
      // (Not in Keras 2's layout, whose optimizers list other variables: tf_keras's starts
      // fresh, as it does for a file without them.)
      const optimizers::Optimizer* opt = tf_keras ? nullptr : compiled_optimizer(impl);
      if (opt != nullptr) {
        h5::Handle group = h5::make_group(f.id(), "optimizer_weights");
        const std::vector<std::string> names = optimizer_variable_paths(*opt);
        h5::write_string_list_attr(group.id(), "weight_names", names);
        write_optimizer_variables(group.id(), *opt, names);
      }
    }
  }
  h5::Handle weights = h5::make_group(f.id(), "model_weights");
  write_legacy_weights(weights.id(), impl, version, backend, tf_keras);
  // As Keras's legacy save_model_to_hdf5: missing parent folders are created.
  keras::internal::create_directories(std::filesystem::path(path).parent_path().string(), path);
  write_file_atomic(path, f.image(), options.overwrite);
}

Model load_legacy_h5(const std::string& bytes,
                     const std::string& path,
                     const LoadModelOptions& options) {
  const h5::Node f = h5::read_untrusted(bytes, path);
  const auto config_text = h5::read_string_attr(f, "model_config");
  KERAS_CHECK(config_text && config_text->size() == 1, ValueError, path,
              ": no model found in config file (a weights-only file? use load_weights).");
  const auto version = h5::read_string_attr(f, "keras_version");
  const Json config =
      keras2_config(config::parse_json(config_text->front(), (path + ": model_config").c_str()),
                    version && version->size() == 1 ? version->front() : std::string());
  Model model = build_model(config, bytes.size(), path);
  std::optional<h5::Node> weights = h5::open_group(f, "model_weights");
  KERAS_CHECK(weights.has_value(), ValueError, path, ": no 'model_weights' group");
  std::vector<Assignment> values = guarded(
      path, [&] { return read_legacy_weights(*weights, model.impl(), true, false, path, true); });
  assign_all(values);
  const auto training = h5::read_string_attr(f, "training_config");
  if (options.compile && training && training->size() == 1) {
    Json c = config::parse_json(training->front(), (path + ": training_config").c_str());
    if (const Json* opt = config::find(c, "optimizer_config")) c["optimizer"] = *opt;
    std::optional<h5::Node> state = h5::open_group(f, "optimizer_weights");
    if (restore_compile(model, c, path) && state) {
      // tf_keras files list [iterations, slots...] without the learning rate; older tf.keras
      // ones order the slots otherwise and leave the optimizer fresh (read_optimizer_variables).
      const auto names = h5::read_string_attr(*state, "weight_names");
      read_optimizer_variables(*state, names.value_or(std::vector<std::string>{}),
                               model.optimizer(), model.impl().trainable_weights(), path);
    }
  }
  return model;
}

}  // namespace keras::saving::internal
