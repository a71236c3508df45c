// keras.cpp's (Keras 3's) model config as tf_keras (Keras 2) writes it, for legacy .h5 files that
// tf_keras loads: Keras 2's inbound nodes, InputLayer's batch_input_shape, dtype names, and no
// Keras 3 option that tf_keras's constructors would reject. An option tf_keras has no way to
// express (a value other than what tf_keras does) is a NotImplementedError, never dropped.
#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "keras/core/error.h"
#include "layers/op_table.h"
#include "models/keras2_config.h"
#include "models/tf_op_layers.h"
#include "saving/saving_internal.h"

namespace keras::saving::internal {
namespace {

// Keras 3 options tf_keras's constructors do not take, dropped where the value is what tf_keras
// does without them (`keep`: those values as JSON text; empty: any value, e.g. a seed or a kernel
// choice, which change no prediction).
struct Keras3Only {
  const char* key;
  std::vector<const char*> keep;
};

const std::vector<Keras3Only>* keras3_only(const std::string& cls) {
  static const char* const last = "\"channels_last\"";
  static const std::vector<Keras3Only> lora = {
      {"lora_rank", {"null"}}, {"lora_alpha", {"null"}}, {"quantization_config", {"null"}}};
  static const std::vector<Keras3Only> seed = {{"seed", {}}};
  static const std::vector<Keras3Only> data_format = {{"data_format", {"null", last}}};
  static const std::map<std::string, std::vector<Keras3Only>> table = {
      {"Dense", lora},
      {"EinsumDense",
       {{"lora_rank", {"null"}},
        {"lora_alpha", {"null"}},
        {"gptq_unpacked_column_size", {"null"}},
        {"quantization_config", {"null"}}}},
      {"Embedding", lora},
      {"LayerNormalization", {{"rms_scaling", {"false"}}}},
      {"LSTM", {{"seed", {}}, {"use_cudnn", {}}}},
      {"GRU", {{"seed", {}}, {"use_cudnn", {}}}},
      {"SimpleRNN", seed},
      {"ConvLSTM1D", seed},
      {"ConvLSTM2D", seed},
      {"ConvLSTM3D", seed},
      {"SpatialDropout1D", seed},
      {"SpatialDropout2D", seed},
      {"SpatialDropout3D", seed},
      {"Attention", seed},
      {"MultiHeadAttention",
       {{"seed", {}},
        {"sliding_window", {"null"}},
        {"flash_attention", {"null"}},
        {"use_gate", {"false"}}}},
      {"IntegerLookup", {{"oov_method", {"\"floormod\""}}, {"salt", {"null"}}}},
      {"StringLookup", {{"oov_method", {"\"floormod\""}}, {"salt", {"null"}}}},
      {"RandomContrast", {{"value_range", {"[0, 255]"}}, {"data_format", {"null", last}}}},
      {"RandomBrightness", data_format},
      {"Resizing",
       {{"pad_to_aspect_ratio", {"false"}},
        {"fill_mode", {"\"constant\""}},
        {"fill_value", {"0.0"}},
        {"antialias", {"false"}},
        {"data_format", {"null", last}}}},
      {"CenterCrop", data_format},
      {"RandomCrop", data_format},
      {"RandomFlip", data_format},
      {"RandomRotation", data_format},
      {"RandomTranslation", data_format},
      {"RandomZoom", data_format},
      {"ZeroPadding1D", data_format},
  };
  const auto it = table.find(cls);
  return it == table.end() ? nullptr : &it->second;
}

// Layers whose calls take more than one positional argument: the names of the others, which
// Keras 2 writes among the keyword arguments.
const std::vector<std::string>* positional_names(const std::string& cls) {
  static const std::map<std::string, std::vector<std::string>> table = {
      {"MultiHeadAttention", {"value"}},
  };
  const auto it = table.find(cls);
  return it == table.end() ? nullptr : &it->second;
}

std::string string_or(const Json& j, const char* key, const std::string& fallback) {
  const Json* v = j.is_object() ? config::find(j, key) : nullptr;
  return v != nullptr && v->is_string() ? v->get<std::string>() : fallback;
}

using layers::op_table::is_tensor;

bool is_nested_functional(const std::string& cls) {
  return cls == "Functional" || cls == "Model";
}

// A Keras 3 DTypePolicy (or its name) as tf_keras writes a dtype: the name, or a Policy object for
// the mixed policies.
Json tf_keras_dtype(const Json& dtype) {
  if (!dtype.is_object()) return dtype;
  const Json* config = config::find(dtype, "config");
  const Json* name = config != nullptr ? config::find(*config, "name") : nullptr;
  KERAS_CHECK(name != nullptr && name->is_string(), NotImplementedError,
              "tf_keras .h5: a dtype policy without a name: ", dtype.dump());
  const std::string n = name->get<std::string>();
  if (n.starts_with("mixed_")) return Json{{"class_name", "Policy"}, {"config", {{"name", n}}}};
  return n;
}

Json tf_keras_activation(const Json& a, const std::string& where) {
  // keras.cpp writes Keras 2's hard_sigmoid as a named function object.
  const bool named_function = a.is_object() && string_or(a, "class_name", "") == "function" &&
                              a.contains("config") && a.at("config").is_string();
  if (!a.is_string() && !named_function) return a;
  const std::string name = (named_function ? a.at("config") : a).get<std::string>();
  // keras.cpp reads Keras 2's "hard_sigmoid" as keras2_hard_sigmoid; Keras 3's has no Keras 2 name.
  if (name == "keras2_hard_sigmoid") return "hard_sigmoid";
  KERAS_CHECK(name != "hard_sigmoid", NotImplementedError, "tf_keras .h5: ", where,
              " uses Keras 3's hard_sigmoid (relu6(x + 3) / 6), which tf_keras's hard_sigmoid "
              "(clip(0.2 x + 0.5, 0, 1)) is not; save it as a .keras file or a Keras 3 .h5");
  return a;
}

Json convert_layer(const Json& entry, const std::set<std::string>& nested_models);

void collect_history(const Json& j, std::vector<std::string>& names, int depth = 0) {
  if (depth > 64) return;
  if (is_tensor(j)) {
    const Json h = config::value(j.at("config"), "keras_history", Json::array());
    if (!h.empty() && h[0].is_string()) names.push_back(h[0].get<std::string>());
    return;
  }
  if (j.is_array() || j.is_object()) {
    for (const Json& v : j) collect_history(v, names, depth + 1);
  }
}

// An Embedding(mask_zero) or a Masking: the layer entry itself or, for a nested model, any layer
// anywhere inside its config.
bool holds_mask_source(const Json& j, int depth = 0) {
  if (depth > 64) return false;
  if (j.is_object()) {
    const std::string cls = string_or(j, "class_name", "");
    const Json* config = config::find(j, "config");
    const Json* mask_zero = config != nullptr ? config::find(*config, "mask_zero") : nullptr;
    if (cls == "Masking" || (cls == "Embedding" && mask_zero != nullptr &&
                             mask_zero->is_boolean() && mask_zero->get<bool>())) {
      return true;
    }
    if (depth == 0) {  // the entry itself: only a nested model holds others
      return (is_nested_functional(cls) || cls == "Sequential") && config != nullptr &&
             holds_mask_source(*config, 1);
    }
  }
  if (!j.is_object() && !j.is_array()) return false;
  return std::any_of(j.begin(), j.end(),
                     [&](const Json& v) { return holds_mask_source(v, depth + 1); });
}

bool returns_sequences(const Json& config) {
  const auto r = config.find("return_sequences");
  return r != config.end() && r->is_boolean() && r->get<bool>();
}

// Keras 2's merges combine masks with logical and, Keras 3's with or (and an unmasked input drops
// the mask): a Keras 3 merge (no "keras2_masks") that may see a mask cannot be written. A layer
// may see one when an Embedding(mask_zero), a Masking, an explicit mask or a nested model that
// holds one is upstream without a layer between that consumes masks (a recurrent layer without
// return_sequences, a global pooling, Flatten): a conservative guess.
void check_merged_masks(const Json& config) {
  static const std::set<std::string> recurrent = {
      "LSTM", "GRU", "SimpleRNN", "RNN", "Bidirectional", "ConvLSTM1D", "ConvLSTM2D", "ConvLSTM3D"};
  static const std::set<std::string> consumers = {"GlobalAveragePooling1D", "GlobalMaxPooling1D",
                                                  "Flatten"};
  std::map<std::string, bool> masked;
  for (const Json& l : config::value(config, "layers", Json::array())) {
    const std::string cls = string_or(l, "class_name", "");
    const std::string name = string_or(l, "name", "");
    const Json c = config::value(l, "config", Json::object());
    std::vector<std::string> inputs;
    bool explicit_mask = false;
    for (const Json& node : config::value(l, "inbound_nodes", Json::array())) {
      collect_history(node, inputs);
      const Json kwargs = config::value(node, "kwargs", Json::object());
      explicit_mask = explicit_mask || (kwargs.contains("mask") && !kwargs.at("mask").is_null());
    }
    const bool upstream = std::any_of(inputs.begin(), inputs.end(), [&](const std::string& n) {
      const auto it = masked.find(n);
      return it != masked.end() && it->second;
    });
    if (models::internal::is_merge_class(cls) && upstream) {
      KERAS_CHECK(c.contains("keras2_masks"), NotImplementedError, "tf_keras .h5: ", cls, " '",
                  name,
                  "' may combine masks, which Keras 3 (and keras.cpp) do with logical or and "
                  "tf_keras with logical and; save it as a .keras file or a Keras 3 .h5");
    }
    const bool produces = explicit_mask || holds_mask_source(l);
    const bool consumes =
        consumers.contains(cls) || (recurrent.contains(cls) && !returns_sequences(c));
    masked[name] = !consumes && (produces || upstream);
  }
}

// One layer's config: its sublayers converted and its Keras 3 options checked and dropped.
Json convert_config(const std::string& cls, Json config, const std::string& name) {
  if (!config.is_object()) return config;
  const std::string where = str(cls, " '", name, "'");
  if (cls == "InputLayer") {
    Json out = Json::object();
    if (const Json* s = config::find(config, "batch_shape")) out["batch_input_shape"] = *s;
    if (const Json* s = config::find(config, "batch_input_shape")) out["batch_input_shape"] = *s;
    out["dtype"] = tf_keras_dtype(config::value(config, "dtype", "float32"));
    out["sparse"] = config::value(config, "sparse", false);
    out["ragged"] = config::value(config, "ragged", false);
    out["name"] = config::value(config, "name", name);
    return out;
  }
  config.erase("keras2_masks");  // Keras 2's merges do so anyway
  if (const Json* d = config::find(config, "dtype")) config["dtype"] = tf_keras_dtype(*d);
  for (const char* key : {"activation", "recurrent_activation"}) {
    if (const Json* a = config::find(config, key)) config[key] = tf_keras_activation(*a, where);
  }
  // tf_keras takes the boundaries or a bin count (for adapt), not both.
  if (cls == "Discretization" && config.contains("bin_boundaries") &&
      !config["bin_boundaries"].is_null()) {
    config.erase("num_bins");
  }
  if (cls == "TextVectorization") {
    config["dtype"] = "string";  // tf_keras accepts only that
    // tf_keras's from_config takes n-gram widths only as a tuple, which JSON cannot hold.
    const Json* ngrams = config::find(config, "ngrams");
    KERAS_CHECK(ngrams == nullptr || !ngrams->is_array(), NotImplementedError,
                "tf_keras .h5: ", where, " has ngrams=", ngrams->dump(),
                " (widths), which tf_keras cannot read from a file");
  }
  // tf_keras's lookups return their int indices in their dtype (int64 unless given).
  if ((cls == "IntegerLookup" || cls == "StringLookup") &&
      string_or(config, "output_mode", "int") == "int") {
    config["dtype"] = "int64";
  }
  if (cls == "LeakyReLU" && config.contains("negative_slope")) {  // Keras 2 calls it alpha
    config["alpha"] = config["negative_slope"];
    config.erase("negative_slope");
  }
  if (const auto* only = keras3_only(cls)) {
    for (const Keras3Only& k : *only) {
      const auto found = config.find(k.key);  // (config::find takes null for missing)
      if (found == config.end()) continue;
      const Json* v = &*found;
      const bool droppable =
          k.keep.empty() || std::any_of(k.keep.begin(), k.keep.end(),
                                        [&](const char* text) { return Json::parse(text) == *v; });
      KERAS_CHECK(droppable, NotImplementedError, "tf_keras .h5: ", where, " has ", k.key, "=",
                  v->dump(), ", which tf_keras's ", cls,
                  " does not have; save it as a .keras file or a Keras 3 .h5");
      config.erase(k.key);
    }
  }
  // Sublayers: wrappers' layers, RNN cells, and the layers of nested models.
  for (const char* key : {"layer", "backward_layer", "cell"}) {
    if (const Json* l = config::find(config, key); l != nullptr && l->is_object()) {
      config[key] = convert_layer(*l, {});
    }
  }
  if (const Json* cells = config::find(config, "cells"); cells != nullptr && cells->is_array()) {
    Json out = Json::array();
    for (const Json& c : *cells) out.push_back(convert_layer(c, {}));
    config["cells"] = out;
  }
  if (cls == "Sequential" || is_nested_functional(cls)) {
    // Keras 2 counts a nested model's own graph as its node 0, so that its calls count from 1,
    // Sequential models' too (Keras 3 counts only functional ones, and only in input_layers and
    // output_layers).
    std::set<std::string> nested, sequential;
    for (const Json& l : config::value(config, "layers", Json::array())) {
      const std::string c = string_or(l, "class_name", "");
      if (is_nested_functional(c) || c == "Sequential") nested.insert(string_or(l, "name", ""));
      if (c == "Sequential") sequential.insert(string_or(l, "name", ""));
    }
    if (cls != "Sequential") check_merged_masks(config);
    Json layers = Json::array();
    for (const Json& l : config::value(config, "layers", Json::array())) {
      layers.push_back(convert_layer(l, cls == "Sequential" ? std::set<std::string>{} : nested));
    }
    config["layers"] = layers;
    for (const char* key : {"input_layers", "output_layers"}) {
      const Json* io = config::find(config, key);
      if (io == nullptr) continue;
      Json refs = *io;
      // Keras 2 lists a single input or output as a list of one.
      if (refs.is_array() && !refs.empty() && refs[0].is_string()) refs = Json::array({refs});
      std::function<void(Json&)> shift = [&](Json& r) {
        if (r.is_array() && r.size() == 3 && r[0].is_string() && r[1].is_number_integer()) {
          if (sequential.contains(r[0].get<std::string>())) r[1] = r[1].get<int64_t>() + 1;
          return;
        }
        if (r.is_array() || r.is_object()) {
          for (Json& v : r) shift(v);
        }
      };
      shift(refs);
      config[key] = refs;
    }
  }
  return config;
}

// Keras 3's keras tensors (and structures of them) as Keras 2's [name, node, tensor] lists; a
// nested functional model's calls count from 1 in Keras 2's inbound nodes.
Json keras2_refs(const Json& j, const std::set<std::string>& nested_models) {
  if (is_tensor(j)) {
    Json h = j.at("config").at("keras_history");
    if (nested_models.contains(h.at(0).get<std::string>())) h[1] = h[1].get<int64_t>() + 1;
    return h;
  }
  if (!j.is_array() && !j.is_object()) return j;
  Json out = j;
  for (auto& v : out) v = keras2_refs(v, nested_models);
  return out;
}

// {"args": [first, others...], "kwargs": {...}} as Keras 2's list of the first argument's
// tensors, [name, node, tensor, kwargs] each, the other arguments among the kwargs.
// The state counts of an RNN's StackedRNNCells cells (LSTMCell 2, GRUCell and SimpleRNNCell
// 1), or empty (another cell, or a cell keras.cpp does not count).
std::vector<size_t> stacked_state_counts(const Json& config) {
  const Json* cell = config::find(config, "cell");
  if (cell == nullptr || string_or(*cell, "class_name", "") != "StackedRNNCells") return {};
  const Json cells =
      config::value(config::value(*cell, "config", Json::object()), "cells", nullptr);
  if (!cells.is_array()) return {};
  std::vector<size_t> counts;
  for (const Json& c : cells) {
    const std::string k = c.is_object() ? string_or(c, "class_name", "") : "";
    if (k == "LSTMCell") {
      counts.push_back(2);
    } else if (k == "GRUCell" || k == "SimpleRNNCell") {
      counts.push_back(1);
    } else {
      return {};
    }
  }
  return counts;
}

Json keras2_node(const std::string& cls,
                 const std::string& name,
                 const Json& config,
                 const Json& node,
                 const std::set<std::string>& nested_models) {
  const Json& args = node.at("args");
  Json kwargs = keras2_refs(config::value(node, "kwargs", Json::object()), nested_models);
  if (kwargs.is_null()) kwargs = Json::object();
  const auto* names = positional_names(cls);
  KERAS_CHECK(args.size() >= 1 && args.size() <= 1 + (names != nullptr ? names->size() : 0),
              NotImplementedError, "tf_keras .h5: ", cls, " '", name, "' is called with ",
              args.size(), " positional arguments, which keras.cpp cannot write as Keras 2's");
  for (size_t i = 1; i < args.size(); ++i)
    kwargs[(*names)[i - 1]] = keras2_refs(args[i], nested_models);
  const Json& first = args[0];
  std::vector<const Json*> tensors;
  if (is_tensor(first)) {
    tensors.push_back(&first);
  } else if (first.is_array() && std::all_of(first.begin(), first.end(), is_tensor)) {
    for (const Json& t : first) tensors.push_back(&t);
  }
  KERAS_CHECK(!tensors.empty(), NotImplementedError, "tf_keras .h5: ", cls, " '", name,
              "' is called on a structure other than a tensor or a list of tensors");
  // Keras 2 calls a recurrent layer on [inputs, *initial_states] (what tf_keras writes).
  std::vector<Json> refs;
  for (const Json* t : tensors) refs.push_back(keras2_refs(*t, nested_models));
  if (const auto states = kwargs.find("initial_state"); states != kwargs.end()) {
    std::function<void(const Json&)> collect = [&](const Json& j) {
      if (j.is_array() && j.size() == 3 && j[0].is_string()) {
        refs.push_back(j);
      } else if (j.is_array()) {
        for (const Json& v : j) collect(v);
      }
    };
    collect(*states);
    kwargs.erase(states);
  }
  Json out = Json::array();
  for (Json& ref : refs) {
    ref.push_back(kwargs);
    out.push_back(ref);
  }
  // tf_keras's RNN over StackedRNNCells takes its initial states nested by cell ([x, [h0, c0],
  // g0] for an LSTMCell and a GRUCell): flat, it counts one state per cell and refuses them.
  const std::vector<size_t> counts =
      cls == "RNN" ? stacked_state_counts(config) : std::vector<size_t>{};
  const size_t states = out.size() - tensors.size();
  if (states > 0 && std::accumulate(counts.begin(), counts.end(), size_t{0}) == states) {
    Json nested = Json::array();
    for (size_t i = 0; i < tensors.size(); ++i) nested.push_back(out[i]);
    size_t at = tensors.size();
    for (size_t n : counts) {
      if (n == 1) {
        nested.push_back(out[at++]);
        continue;
      }
      Json group = Json::array();
      for (size_t k = 0; k < n; ++k) group.push_back(out[at++]);
      nested.push_back(group);
    }
    out = nested;
  }
  return out;
}

// tf_keras's encoding layers give at most rank-2 outputs other than indices: one_hot of a
// (batch, n > 1) input, which Keras 3 encodes as (batch, n, depth), fails in tf_keras.
void check_one_hot_rank(const std::string& cls,
                        const std::string& name,
                        const Json& config,
                        const Json& entry) {
  static const std::set<std::string> encoders = {"CategoryEncoding", "Discretization", "Hashing",
                                                 "IntegerLookup", "StringLookup"};
  if (!encoders.contains(cls) || string_or(config, "output_mode", "") != "one_hot") return;
  for (const Json& node : config::value(entry, "inbound_nodes", Json::array())) {
    const Json args = config::value(node, "args", Json::array());
    if (args.empty() || !is_tensor(args[0])) continue;
    const Json shape = config::value(args[0].at("config"), "shape", Json::array());
    const bool wide = shape.is_array() && shape.size() >= 2 &&
                      !(shape.size() == 2 && shape[1].is_number() && shape[1].get<int64_t>() == 1);
    KERAS_CHECK(!wide, NotImplementedError, "tf_keras .h5: ", cls, " '", name,
                "' one_hot-encodes an input of shape ", shape.dump(),
                ", an output of rank 3 or more, which tf_keras's ", cls, " does not give");
  }
}

// tf_keras's MultiHeadAttention config holds the shapes it was built for (from_config requires
// the keys): those of the first call's query, value and key (the value when no key is given).
void add_attention_shapes(Json& config, const Json& entry) {
  Json query = nullptr, value = nullptr, key = nullptr;
  const Json nodes = config::value(entry, "inbound_nodes", Json::array());
  if (!nodes.empty()) {
    const Json args = config::value(nodes[0], "args", Json::array());
    const Json kwargs = config::value(nodes[0], "kwargs", Json::object());
    auto shape = [](const Json& t) {
      return is_tensor(t) ? config::value(t.at("config"), "shape", nullptr) : Json(nullptr);
    };
    if (!args.empty()) query = shape(args[0]);
    if (args.size() > 1) value = shape(args[1]);
    if (kwargs.contains("value")) value = shape(kwargs.at("value"));
    key = kwargs.contains("key") ? shape(kwargs.at("key")) : value;
  }
  config["query_shape"] = query;
  config["key_shape"] = key;
  config["value_shape"] = value;
}

Json convert_layer(const Json& entry, const std::set<std::string>& nested_models) {
  KERAS_CHECK(
      entry.is_object() && entry.contains("class_name") && entry.at("class_name").is_string(),
      ValueError, "tf_keras .h5: a layer without a class_name");
  const std::string cls = entry.at("class_name").get<std::string>();
  const Json config = config::value(entry, "config", Json::object());
  const std::string name = string_or(entry, "name", string_or(config, "name", ""));
  if (string_or(entry, "module", "").starts_with("keras.src.ops")) {  // tf_keras's TFOpLambda
    return models::internal::keras3_op_as_tf_op_layer(
        entry, [&](const Json& j) { return keras2_refs(j, nested_models); });
  }
  check_one_hot_rank(cls, name, config, entry);
  Json out{{"class_name", cls}, {"config", convert_config(cls, config, name)}};
  if (cls == "MultiHeadAttention") add_attention_shapes(out["config"], entry);
  if (entry.contains("name")) out["name"] = entry.at("name");
  if (const Json* nodes = config::find(entry, "inbound_nodes")) {
    Json converted = Json::array();
    for (const Json& n : *nodes)
      converted.push_back(keras2_node(cls, name, config, n, nested_models));
    out["inbound_nodes"] = converted;
  }
  return out;
}

}  // namespace

Json tf_keras_model_config(const Json& model) {
  return convert_layer(model, {});
}

Json tf_keras_training_config(Json training) {
  auto found = training.find("optimizer_config");
  if (found == training.end() || !found->is_object()) return training;
  // tf_keras's h5 reader takes "Custom>" classes for its (non-legacy) optimizers, as it writes.
  static const std::set<std::string> optimizers = {"Adadelta", "Adafactor", "Adagrad", "Adam",
                                                   "AdamW",    "Adamax",    "Ftrl",    "Lion",
                                                   "Nadam",    "RMSprop",   "SGD"};
  const std::string cls = string_or(*found, "class_name", "");
  KERAS_CHECK(optimizers.contains(cls), NotImplementedError, "tf_keras .h5: the optimizer ", cls,
              " is not one of tf_keras's; save with include_optimizer = false, or as a .keras "
              "file or a Keras 3 .h5");
  Json config = config::value(*found, "config", Json::object());
  for (const char* key : {"loss_scale_factor", "gradient_accumulation_steps"}) {
    const auto v = config.find(key);
    if (v == config.end()) continue;
    KERAS_CHECK(v->is_null(), NotImplementedError, "tf_keras .h5: the optimizer's ", key, "=",
                v->dump(),
                " has no tf_keras counterpart; save with include_optimizer = false, or as a "
                ".keras file or a Keras 3 .h5");
    config.erase(key);
  }
  config["jit_compile"] = false;
  config["is_legacy_optimizer"] = false;
  *found = Json{{"class_name", "Custom>" + cls}, {"config", config}};
  return training;
}

}  // namespace keras::saving::internal
