// Functional and Sequential configs (Keras 3 layout) and model_from_config.
#include <algorithm>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <set>

#include "keras/config/json.h"
#include "keras/layers/call_arguments.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/op_layer.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
#include "layers/container_variables.h"
#include "models/keras2_config.h"
#include "models/own_state_layers.h"
#include "models/tf_op_layers.h"

namespace keras {
namespace {

using layers::container_names;
using layers::container_variables;
using layers::Layer;
using layers::Node;

const std::vector<std::shared_ptr<Layer>>& container_layers(const models::FunctionalImpl& impl) {
  if (auto* seq = dynamic_cast<const models::SequentialImpl*>(&impl)) return seq->stack();
  return impl.layers();
}

void add_layer_names(const models::FunctionalImpl& impl,
                     const std::string& prefix,
                     std::vector<std::pair<std::string, std::string>>& out) {
  const auto& layers = container_layers(impl);
  const std::vector<std::string> names = container_names(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string path = str(prefix, "layers/", names[i]);
    if (layers[i]->weights().empty()) continue;
    out.emplace_back(path, layers[i]->name());
    if (auto* nested = dynamic_cast<const models::FunctionalImpl*>(layers[i].get())) {
      add_layer_names(*nested, path + "/", out);
    }
  }
}

void add_own_state_layers(const models::FunctionalImpl& impl,
                          const std::string& prefix,
                          std::vector<models::internal::OwnStateLayer>& out) {
  const auto& layers = container_layers(impl);
  const std::vector<std::string> names = container_names(layers);
  for (size_t i = 0; i < layers.size(); ++i) {
    const std::string path = str(prefix, "layers/", names[i]);
    if (auto* state = dynamic_cast<layers::OwnState*>(layers[i].get())) {
      out.push_back({path, layers[i]->name(), state});
    } else if (auto* nested = dynamic_cast<const models::FunctionalImpl*>(layers[i].get())) {
      add_own_state_layers(*nested, path + "/", out);
    }
  }
}

// Layers that take initial states as extra inputs (Keras's `initial_state`).
bool takes_initial_state(const Layer& layer) {
  return layer.initial_state_count() > 0;
}

// Keras counts a nested functional model's own graph as its node 0 where it numbers calls in
// input_layers / output_layers (Keras 3 and 2) and in inbound nodes (Keras 2 only): the first call
// in a graph is node 1 there. Sequential models have no such node.
bool counts_own_graph_node(const Layer& layer) {
  return dynamic_cast<const models::FunctionalImpl*>(&layer) != nullptr &&
         dynamic_cast<const models::SequentialImpl*>(&layer) == nullptr;
}

Json keras_tensor_json(const KerasTensor& t, int node_index) {
  return Json{
      {"class_name", "__keras_tensor__"},
      {"config",
       {{"shape", config::shape_to_json(t.shape())},
        {"dtype", std::string(dtype_name(t.dtype()))},
        {"keras_history", Json::array({t.layer()->name(), node_index, t.tensor_index()})}}}};
}

// A structure of tensors as JSON: each tensor as `leaf` writes it, in lists and dicts.
Json structure_json(const NestedTensors& n, const std::function<Json(const KerasTensor&)>& leaf) {
  if (n.is_tensor()) return leaf(n.tensor());
  Json out = n.is_dict() ? Json::object() : Json::array();
  for (const auto& [key, item] : n.items()) {
    if (n.is_dict()) {
      out[key] = structure_json(item, leaf);
    } else {
      out.push_back(structure_json(item, leaf));
    }
  }
  return out;
}

// One tensor or a list of tensors: how keras.cpp writes any call's inputs.
bool is_flat(const NestedTensors& n) {
  return n.is_tensor() ||
         (n.is_list() && std::ranges::all_of(n.items(), [](const NestedTensors::Item& i) {
            return i.second.is_tensor();
          }));
}

}  // namespace

namespace models {

Json FunctionalImpl::get_config() const {
  // Node indices are renumbered to count only the nodes of this graph (a layer may have been
  // called in other graphs; a nested model's node 0 is its own graph).
  std::set<const Node*> in_graph(nodes_.begin(), nodes_.end());
  std::map<const Node*, int> new_index;
  for (const auto& l : layers_) {
    int k = 0;
    for (const auto& n : l->inbound_nodes()) {
      if (in_graph.contains(n.get())) new_index[n.get()] = k++;
    }
  }
  auto index_of = [&](const KerasTensor& t) {
    auto it = new_index.find(t.layer()->inbound_nodes().at(t.node_index()).get());
    KERAS_CHECK(it != new_index.end(), ValueError, "Model ", name(), ": tensor ", to_string(t),
                " is not part of the graph");
    return it->second;
  };
  Json layer_configs = Json::array();
  for (const auto& l : layers_) {
    Json entry = layers::serialize_layer(*l);
    entry["name"] = l->name();
    Json inbound = Json::array();
    const auto* op = dynamic_cast<const layers::OpLayerImpl*>(l.get());
    for (const auto& n : l->inbound_nodes()) {
      if (!in_graph.contains(n.get()) || n->is_input()) continue;
      if (op != nullptr) {  // an op's arguments, constants included, as Keras writes them
        std::vector<Json> tensors;
        for (const KerasTensor& t : n->input_tensors) {
          tensors.push_back(keras_tensor_json(t, index_of(t)));
        }
        inbound.push_back(op->call_json(tensors));
        continue;
      }
      if (const auto* custom = dynamic_cast<const layers::CustomCallArguments*>(l.get())) {
        std::vector<Json> tensors;
        for (const KerasTensor& t : n->input_tensors) {
          tensors.push_back(keras_tensor_json(t, index_of(t)));
        }
        std::vector<Json> masks;
        for (const KerasTensor& m : n->masks) {
          masks.push_back(m.defined() ? keras_tensor_json(m, index_of(m)) : Json(nullptr));
        }
        inbound.push_back(custom->saved_call(*n, tensors, masks));
        continue;
      }
      // An RNN's extra inputs are its initial states, which Keras passes as a keyword argument.
      const size_t count = n->input_tensors.size();
      const size_t positional = takes_initial_state(*l) ? 1 : count;
      Json args = Json::array(), states = Json::array();
      for (size_t i = 0; i < count; ++i) {
        const KerasTensor& t = n->input_tensors[i];
        (i < positional ? args : states).push_back(keras_tensor_json(t, index_of(t)));
      }
      Json arg = args.size() == 1 ? args[0] : args;
      // A model whose inputs are a dict or nested is called on that structure, as Keras does.
      const auto* nested = dynamic_cast<const FunctionalImpl*>(l.get());
      if (nested != nullptr && nested->inputs().size() == count &&
          !is_flat(nested->input_structure())) {
        arg =
            structure_json(nested->input_structure().with_leaves(n->input_tensors),
                           [&](const KerasTensor& t) { return keras_tensor_json(t, index_of(t)); });
      }
      Json kwargs = Json::object();
      if (!states.empty()) kwargs["initial_state"] = l->saved_initial_state(states);
      if (!n->masks.empty()) {  // explicit masks: one per positional input, as Keras writes them
        Json masks = Json::array();
        for (size_t i = 0; i < positional; ++i) {
          const KerasTensor m = i < n->masks.size() ? n->masks[i] : KerasTensor();
          masks.push_back(m.defined() ? keras_tensor_json(m, index_of(m)) : Json(nullptr));
        }
        kwargs["mask"] = positional == 1 ? masks[0] : masks;
      }
      if (n->training) kwargs["training"] = *n->training;
      inbound.push_back(Json{{"args", Json::array({arg})}, {"kwargs", kwargs}});
    }
    entry["inbound_nodes"] = inbound;
    layer_configs.push_back(entry);
  }
  // [name, node, tensor] per tensor, in the inputs' and outputs' structures.
  auto history = [&](const KerasTensor& t) {
    const int offset = counts_own_graph_node(*t.layer()) ? 1 : 0;
    return Json::array({t.layer()->name(), index_of(t) + offset, t.tensor_index()});
  };
  return Json{{"name", name()},
              {"trainable", trainable()},
              {"layers", layer_configs},
              {"input_layers", structure_json(input_structure_, history)},
              {"output_layers", structure_json(output_structure_, history)}};
}

std::vector<Layer::VariableGroup> FunctionalImpl::saved_variables() const {
  return container_variables(layers_);
}

Json SequentialImpl::get_config() const {
  Json layer_configs = Json::array();
  if (input_) {
    layers::InputLayerImpl input(input_->first, input_->second,
                                 input_name_.empty() ? name() + "_input" : input_name_);
    layer_configs.push_back(layers::serialize_layer(input));
  }
  for (const auto& l : stack_) layer_configs.push_back(layers::serialize_layer(*l));
  Json config{{"name", name()},
              {"trainable", trainable()},
              {"dtype", config::dtype_policy_to_json(dtype())},
              {"layers", layer_configs}};
  if (input_) config["build_input_shape"] = config::shape_to_json(input_->first);
  return config;
}

std::vector<Layer::VariableGroup> SequentialImpl::saved_variables() const {
  return container_variables(stack_);
}

namespace {

constexpr size_t kMaxLayers = 100000;

// tf_keras records TensorFlow functions called on its tensors (`tf.math.reduce_sum(x)`, `x[:, 1:]`)
// as TFOpLambda / SlicingOpLambda layers; functional models translate them (tf_op_layers.h), but
// such a layer in a Sequential model has no call to translate.
void refuse_tf_op_layer(const Json& entry) {
  const std::string cls = config::get<std::string>(entry, "class_name", "", "layer");
  if (cls != "TFOpLambda" && cls != "SlicingOpLambda") return;
  const Json* cfg = config::find(entry, "config");
  const std::string name =
      cfg != nullptr ? config::get<std::string>(*cfg, "name", "", "layer") : std::string();
  const std::string function =
      cfg != nullptr ? config::get<std::string>(*cfg, "function", "", "layer") : std::string();
  throw NotImplementedError(str(
      "Layer '", excerpt(name, 100), "' (", cls, ") calls the TensorFlow function tf.",
      excerpt(function, 100),
      ", which keras.cpp cannot run: tf_keras saves TensorFlow functions applied to Keras tensors "
      "as such layers. Rebuild the model with Keras layers or keras.ops (in Keras 3) in their "
      "place"));
}

Model sequential_from_config(const Json& config) {
  KERAS_CHECK(config.is_array() ||
                  (config.is_object() && config.contains("name") && config.contains("layers")),
              ValueError,
              "A Sequential model configuration must be a dictionary containing the 'name' and "
              "'layers' keys. Received: config=",
              config::json_excerpt(config));
  const Json& layer_list = config.is_array() ? config : config.at("layers");  // Keras 2.0: a list
  KERAS_CHECK(layer_list.is_array() && layer_list.size() < kMaxLayers, ValueError,
              "Sequential config: 'layers' must be a list");
  Sequential model({.name = config.is_object()
                                ? config::get<std::string>(config, "name", "", "Sequential")
                                : std::string()});
  std::optional<std::pair<Shape, DType>> input;
  std::string input_name;  // an InputLayer's, kept as the model's input name (Keras 3)
  for (const Json& entry : layer_list) {
    KERAS_CHECK(entry.is_object() && entry.contains("class_name"), ValueError,
                "Sequential layer: Expected a dictionary containing a 'config' key (and its "
                "'class_name'). Received: ",
                config::json_excerpt(entry));
    const auto cls = config::require<std::string>(entry, "class_name", "Sequential layer");
    const Json* cfg = config::find(entry, "config");
    refuse_tf_op_layer(entry);
    if (cls == "InputLayer") {
      auto layer = layers::deserialize_layer(entry);
      auto* in = static_cast<layers::InputLayerImpl*>(layer.get());
      input = {in->batch_shape(), in->input_dtype()};
      input_name = in->name();
      continue;
    }
    if (!input && cfg != nullptr) {  // Keras 2: the first layer carries batch_input_shape
      if (const Json* s = config::find(*cfg, "batch_input_shape")) {
        const DType dtype =
            config::find(*cfg, "dtype") ? config::dtype_from_json((*cfg)["dtype"]) : float32;
        input = {config::shape_from_json(*s, "batch_input_shape"),
                 is_floating(dtype) ? float32 : dtype};
      }
    }
    model.add(layers::LayerRef(layers::deserialize_layer(entry)));
  }
  auto& impl = static_cast<SequentialImpl&>(model.impl());
  if (input && !input_name.empty() && !impl.input()) {
    impl.set_input(input->first, input->second, input_name);
  } else if (input && !impl.graph_built()) {
    model.build(input->first, input->second);
  }
  // Only a frozen model is set (a trainable one keeps its frozen layers frozen).
  if (config.is_object() && !config::get<bool>(config, "trainable", true)) {
    model->set_trainable(false);
  }
  return model;
}

// One inbound node's input tensors, as [layer name, node index, tensor index] triples.
struct TensorRef {
  std::string layer;
  size_t node = 0, tensor = 0;
};

void collect_refs(const Json& j, std::vector<TensorRef>& out, int depth = 0) {
  KERAS_CHECK(depth < 8 && out.size() < 10000, ValueError, "Model config: inbound node too deep");
  if (j.is_object()) {
    if (config::get<std::string>(j, "class_name", "") == "__keras_tensor__") {
      const Json& h = j.at("config").at("keras_history");
      KERAS_CHECK(h.is_array() && h.size() == 3, ValueError, "Model config: bad keras_history");
      out.push_back({config::convert<std::string>(h[0], "keras_history", "Model config"),
                     config::convert<size_t>(h[1], "keras_history", "Model config"),
                     config::convert<size_t>(h[2], "keras_history", "Model config")});
      return;
    }
    // A dict of tensors (a call of a model whose inputs are a dict): Keras's flattening order.
    KERAS_CHECK(!j.contains("class_name"), ValueError, "Model config: unsupported node argument ",
                config::json_excerpt(j));
    std::map<std::string, const Json*> sorted;
    for (const auto& [key, value] : j.items()) sorted.emplace(key, &value);
    for (const auto& [key, value] : sorted) collect_refs(*value, out, depth + 1);
    return;
  }
  KERAS_CHECK(j.is_array(), ValueError, "Model config: bad node argument ",
              config::json_excerpt(j));
  // Keras 2: [name, node_index, tensor_index, kwargs]
  if (j.size() >= 3 && j[0].is_string() && j[1].is_number()) {
    out.push_back({j[0].get<std::string>(),
                   config::convert<size_t>(j[1], "node_index", "Model config"),
                   config::convert<size_t>(j[2], "tensor_index", "Model config")});
    return;
  }
  for (const Json& x : j) collect_refs(x, out, depth + 1);
}

std::string layer_label(const Layer& layer) {
  return str("layer '", layer.name(), "' (", layer.class_name(), ")");
}

// One saved call: its tensors in keras.cpp's order (the inputs, then an RNN's initial states) and
// the explicit masks of its inputs (Keras's `mask`; masks[i] for input i).
struct SavedCall {
  std::vector<TensorRef> inputs;
  std::vector<std::optional<TensorRef>> masks;
  std::optional<bool> training;  // Keras's `training` argument, when given as a bool
  bool keras2 = false;  // Keras 2's layout: calls of nested functional models counted from 1
  // Every tensor the call needs.
  std::vector<TensorRef> all() const {
    std::vector<TensorRef> out = inputs;
    for (const auto& m : masks) {
      if (m) out.push_back(*m);
    }
    return out;
  }
};

TensorRef single_ref(const Json& j, const Layer& layer, const char* argument) {
  KERAS_CHECK(j.is_object(), ValueError, "Functional config: ", layer_label(layer),
              ": each entry of its argument '", argument, "' must be one tensor or null");
  std::vector<TensorRef> refs;
  collect_refs(j, refs);
  return refs.at(0);
}

// `mask`: a tensor (the first input's mask) or a list with one tensor or null per input.
void add_masks(const Layer& layer, const Json& value, SavedCall& call) {
  if (value.is_array()) {
    KERAS_CHECK(value.size() <= 1000, ValueError, "Functional config: ", layer_label(layer),
                ": too many masks");
    for (const Json& m : value) {
      call.masks.push_back(m.is_null() ? std::nullopt
                                       : std::optional<TensorRef>(single_ref(m, layer, "mask")));
    }
  } else {
    call.masks.push_back(single_ref(value, layer, "mask"));
  }
}

bool is_null_or_nulls(const Json& value) {
  return value.is_null() || ((value.is_array() || value.is_object()) &&
                             std::ranges::all_of(value, [](const Json& m) { return m.is_null(); }));
}

// The `training` Keras 3 writes into every node of a layer whose call() has a default for it
// (Dropout's False, an augmentation layer's True), given or not: no user's choice, so not kept.
// Keras 2 writes only what the call was given.
std::optional<bool> keras3_training_default(const std::string& class_name) {
  static const std::set<std::string, std::less<>> false_default = {"Dropout",
                                                                   "SpatialDropout1D",
                                                                   "SpatialDropout2D",
                                                                   "SpatialDropout3D",
                                                                   "GaussianNoise",
                                                                   "GaussianDropout",
                                                                   "AlphaDropout",
                                                                   "SpectralNormalization",
                                                                   "LSTM",
                                                                   "GRU",
                                                                   "SimpleRNN",
                                                                   "RNN",
                                                                   "ConvLSTM1D",
                                                                   "ConvLSTM2D",
                                                                   "ConvLSTM3D"};
  static const std::set<std::string, std::less<>> true_default = {
      "MaxNumBoundingBoxes",
      "RandomFlip",
      "RandomInvert",
      "RandomZoom",
      "RandomPerspective",
      "RandomElasticTransform",
      "RandomBrightness",
      "RandomPosterization",
      "ContrastLimitedAdaptiveHistogramEqualization",
      "AugMix",
      "RandomCrop",
      "MixUp",
      "RandomGaussianBlur",
      "CutMix",
      "RandomTranslation",
      "RandomContrast",
      "RandomColorDegeneration",
      "Solarization",
      "AutoContrast",
      "RandomColorJitter",
      "RandAugment",
      "RandomSharpness",
      "Equalization",
      "RandomRotation",
      "RandomErasing",
      "RandomGrayscale",
      "RandomShear",
      "Resizing",
      "RandomHue",
      "RandomSaturation",
      "CenterCrop",
      "Pipeline"};
  if (false_default.contains(class_name)) return false;
  if (true_default.contains(class_name)) return true;
  return std::nullopt;
}

// One argument of a saved call other than the inputs: initial states become inputs; explicit masks
// become the node's masks when the layer takes a mask (Keras writes the mask it computed for
// every such call); a boolean `training` fixes the node's mode (Node::training; null, or Keras
// 3's default for the class: the model's); anything else that could change the result is
// refused.
void add_argument(const Layer& layer,
                  const std::string& name,
                  const Json& value,
                  SavedCall& call,
                  bool keras2 = false) {
  if (name == "initial_state" && takes_initial_state(layer)) {
    if (value.is_null()) return;
    std::vector<TensorRef> states;
    collect_refs(value, states);
    const auto expected = static_cast<size_t>(layer.initial_state_count());
    KERAS_CHECK(states.size() == expected, ValueError, "Functional config: ", layer_label(layer),
                " takes ", expected, " initial states, but its saved call passes ", states.size(),
                " in 'initial_state'");
    call.inputs.insert(call.inputs.end(), states.begin(), states.end());
    return;
  }
  if (name == "training" && (value.is_boolean() || value.is_null())) {
    if (value.is_boolean() &&
        (keras2 || keras3_training_default(layer.class_name()) != value.get<bool>())) {
      call.training = value.get<bool>();
    }
    return;
  }
  if (name == "mask" && is_null_or_nulls(value)) return;  // the inputs' own masks
  if (name == "mask" && !keras2 && layer.takes_mask_argument())
    return add_masks(layer, value, call);
  if (name == "mask") {
    throw ValueError(str("Functional config: ", layer_label(layer),
                         " is called with an explicit mask (argument 'mask'), which keras.cpp "
                         "does not support for this layer",
                         keras2 ? " in Keras 2's keyword arguments"
                                : " (keras.cpp's layers that take masks: the recurrent layers, "
                                  "Bidirectional, TimeDistributed, GlobalAveragePooling1D and "
                                  "models)"));
  }
  throw ValueError(str("Functional config: ", layer_label(layer), " is called with the argument '",
                       name.substr(0, 100), "', which keras.cpp does not support for this layer"));
}

// Keras 2 appends the call's keyword arguments to each input: [name, node, tensor, kwargs].
void check_keras2_kwargs(const Layer& layer, const Json& j, SavedCall& call, int depth = 0) {
  if (!j.is_array() || depth > 8) return;
  if (j.size() == 4 && j[0].is_string() && j[1].is_number()) {
    KERAS_CHECK(j[3].is_object() || j[3].is_null(), ValueError,
                "Functional config: ", layer_label(layer),
                ": the keyword arguments of an inbound node must be a dict");
    if (j[3].is_null()) return;
    SavedCall unused;
    for (const auto& [name, value] : j[3].items()) {
      if (name == "training") {  // Keras 2 repeats the call's kwargs with each input
        add_argument(layer, name, value, call, true);
        continue;
      }
      // An explicit mask (Softmax(x, mask=m)), repeated with each input: taken once.
      if (name == "mask" && !is_null_or_nulls(value) && layer.takes_mask_argument()) {
        if (call.masks.empty()) add_masks(layer, internal::keras3_tensor_refs(value), call);
        continue;
      }
      KERAS_CHECK(name != "initial_state" || value.is_null(), ValueError,
                  "Functional config: ", layer_label(layer),
                  " has 'initial_state' among Keras 2's keyword arguments, which keras.cpp does "
                  "not support (Keras 2 writes initial states as inputs)");
      add_argument(layer, name, value, unused, true);
    }
    return;
  }
  for (const Json& x : j) check_keras2_kwargs(layer, x, call, depth + 1);
}

// The tensors of an op's call: those among its arguments, in order (the rest are constants).
void collect_op_refs(const Json& j, std::vector<TensorRef>& out, int depth = 0) {
  KERAS_CHECK(depth < 8 && out.size() < 10000, ValueError, "Model config: inbound node too deep");
  if (j.is_object()) {  // a tensor, or a constant (__numpy__, __slice__, __ellipsis__)
    if (config::get<std::string>(j, "class_name", "", "Model config") == "__keras_tensor__") {
      collect_refs(j, out);
    }
    return;
  }
  if (!j.is_array()) return;
  for (const Json& x : j) collect_op_refs(x, out, depth + 1);
}

// Keras 2 saves a call as its first argument's tensors, [name, node, tensor, kwargs] each, with
// every other argument in kwargs (MultiHeadAttention's value and key among them); as Keras 3's
// {"args": [first], "kwargs": {...}} it binds by the layer's own signature.
Json keras3_node(const Layer& layer, const Json& node) {
  KERAS_CHECK(node.is_array() && !node.empty() && node.size() <= 1000, ValueError,
              "Functional config: ", layer_label(layer), ": bad Keras 2 inbound node");
  Json first = Json::array();
  for (const Json& t : node) {
    KERAS_CHECK(t.is_array() && (t.size() == 3 || t.size() == 4) && t[0].is_string() &&
                    t[1].is_number() && t[2].is_number(),
                ValueError, "Functional config: ", layer_label(layer),
                ": each input of a Keras 2 inbound node must be [name, node, tensor, kwargs]");
    first.push_back(internal::keras3_tensor_refs(Json::array({t[0], t[1], t[2]})));
  }
  const Json& kwargs = node[0].size() == 4 ? node[0][3] : Json();
  KERAS_CHECK(kwargs.is_object() || kwargs.is_null(), ValueError,
              "Functional config: ", layer_label(layer),
              ": the keyword arguments of an inbound node must be a dict");
  return Json{{"args", Json::array({first.size() == 1 ? first[0] : first})},
              {"kwargs", kwargs.is_null() ? Json::object() : internal::keras3_tensor_refs(kwargs)}};
}

// One saved call of `layer`, in keras.cpp's order: its inputs, then its initial states (Keras's
// `lstm(x, initial_state=[h, c])` is keras.cpp's `lstm({x, h, c})`), and its explicit masks.
SavedCall saved_call(Layer& layer, const Json& node) {
  SavedCall call;
  const bool op = dynamic_cast<const layers::OpLayerImpl*>(&layer) != nullptr;
  if (!node.is_object() && dynamic_cast<layers::CustomCallArguments*>(&layer) != nullptr) {
    call = saved_call(layer, keras3_node(layer, node));
    call.keras2 = true;
    return call;
  }
  if (!node.is_object()) {  // Keras 2: [[name, node_index, tensor_index, kwargs], ...]
    KERAS_CHECK(!op, ValueError, "Functional config: ", layer_label(layer),
                ": an op's inbound node must be Keras 3's {\"args\", \"kwargs\"}");
    collect_refs(node, call.inputs);
    check_keras2_kwargs(layer, node, call);
    call.keras2 = true;
    return call;
  }
  // Keras 3: {"args": [inputs, ...], "kwargs": {...}}
  const Json* args = config::find(node, "args");
  KERAS_CHECK(args != nullptr && args->is_array(), ValueError,
              "Model config: inbound node without args");
  const Json* kwargs = config::find(node, "kwargs");
  KERAS_CHECK(kwargs == nullptr || kwargs->is_object() || kwargs->is_null(), ValueError,
              "Functional config: ", layer_label(layer),
              ": 'kwargs' of an inbound node must be a dict");
  if (op) {  // every argument may hold tensors; set_call_arguments checks them and the kwargs
    collect_op_refs(*args, call.inputs);
    if (kwargs != nullptr) {  // then the keyword ones, by sorted key
      for (const std::string& key : config::sorted_keys(*kwargs)) {
        collect_op_refs(kwargs->at(key), call.inputs);
      }
    }
    return call;
  }
  if (auto* custom = dynamic_cast<layers::CustomCallArguments*>(&layer)) {  // attention
    static const Json kNone = nullptr;  // bound pointers must point into the node, not a copy
    const layers::SavedCallTensors bound =
        custom->bind_saved_call(*args, kwargs != nullptr ? *kwargs : kNone);
    for (const Json* t : bound.inputs) collect_refs(*t, call.inputs);
    for (const Json* m : bound.masks) {
      call.masks.push_back(m == nullptr ? std::nullopt
                                        : std::optional<TensorRef>(single_ref(*m, layer, "mask")));
    }
    return call;
  }
  // Positional arguments after the inputs, by the names of Keras's RNN.call signature.
  static const char* const kRnnArguments[] = {"initial_state", "mask", "training"};
  const Json* inputs = args->empty() ? nullptr : &(*args)[0];
  std::vector<std::pair<std::string, const Json*>> named;
  for (size_t i = 1; i < args->size(); ++i) {
    KERAS_CHECK(takes_initial_state(layer) && i <= 3, ValueError,
                "Functional config: ", layer_label(layer), " is called with ", args->size(),
                " positional arguments; keras.cpp supports only its inputs here");
    named.emplace_back(kRnnArguments[i - 1], &(*args)[i]);
  }
  if (kwargs != nullptr && kwargs->is_object()) {
    for (const auto& [name, value] : kwargs->items()) {
      if (inputs == nullptr && (name == "inputs" || name == "sequences")) {
        inputs = &value;  // layer(inputs=x)
      } else {
        named.emplace_back(name, &value);
      }
    }
  }
  KERAS_CHECK(inputs != nullptr, ValueError, "Functional config: a saved call of ",
              layer_label(layer), " has no inputs");
  collect_refs(*inputs, call.inputs);
  for (const auto& [name, value] : named) add_argument(layer, name, *value, call);
  return call;
}

// Rebuilds a functional graph from its saved layers and nodes, as Keras's from_config does.
class GraphRebuilder {
 public:
  // Deserializes every layer of the config's 'layers' list and queues its inbound nodes.
  explicit GraphRebuilder(const Json& layer_list) {
    KERAS_CHECK(layer_list.is_array() && layer_list.size() < kMaxLayers, ValueError, kWhat,
                ": 'layers' must be a list");
    for (const Json& entry : layer_list) add_layer(entry);
  }

  // Processes nodes in order, each as soon as its inputs exist (Keras's from_config loop). Each
  // pass rescans every layer: files that list layers in graph order (as Keras writes them) need
  // a pass or two, but n layers listed in reverse need n passes, so the work is capped at 64.
  void run() {
    size_t attempts = 0;
    size_t max_attempts = 100000;
    for (const Pending& p : pending_) max_attempts += 64 * (1 + p.nodes.size());
    for (bool progress = true; progress;) {
      progress = false;
      for (Pending& p : pending_) {
        while (!p.nodes.empty()) {
          KERAS_CHECK(++attempts <= max_attempts, ValueError, kWhat,
                      ": cannot resolve the nodes of ", pending_.size(),
                      " layers in reasonable time (listed in reverse order?)");
          if (!try_next_node(p)) break;
          progress = true;
        }
      }
    }
    for (const Pending& p : pending_) {
      if (!p.nodes.empty()) unresolved(p);
    }
  }

  // The tensors a config's "input_layers" or "output_layers" names, in their structure: a
  // [name, node, tensor] triple, or a list or dict of structures (Keras's map_tensors).
  NestedTensors tensors(const Json& config, const char* key) const {
    const Json* j = config::find(config, key);
    KERAS_CHECK(j != nullptr && (j->is_array() || j->is_object()), ValueError, kWhat, ": missing '",
                key, "'");
    return structure(*j, key, 0);
  }

 private:
  NestedTensors structure(const Json& j, const char* key, int depth) const {
    KERAS_CHECK(depth < 32 && (j.is_array() || j.is_object()), ValueError, kWhat, ": '", key,
                "' must hold [layer name, node index, tensor index] lists, in lists or dicts; got ",
                config::json_excerpt(j));
    if (j.is_object()) {
      std::vector<NestedTensors::Item> items;
      for (const auto& [name, value] : j.items()) {
        items.emplace_back(name, structure(value, key, depth + 1));
      }
      return NestedTensors::dict(std::move(items));
    }
    if (j.size() == 3 && j[0].is_string()) {
      std::vector<TensorRef> refs;
      collect_refs(j, refs);
      const TensorRef& r = refs.at(0);
      const TensorRef counted = own_graph_counted(r);
      const KerasTensor* t = tensor_of(keras2_ ? keras2_own_graph_counted(counted) : counted);
      KERAS_CHECK(t != nullptr, ValueError, kWhat, ": '", key, "' names unknown tensor ",
                  r.layer.substr(0, 100), "[", r.node, "][", r.tensor, "]");
      return NestedTensors(*t);
    }
    std::vector<NestedTensors> items;
    for (const Json& value : j) items.push_back(structure(value, key, depth + 1));
    return NestedTensors::list(std::move(items));
  }

  static constexpr const char* kWhat = "Functional config";
  struct Pending {
    std::shared_ptr<Layer> layer;
    std::deque<Json> nodes;
    bool keras2_refs = false;  // Keras 3 nodes holding Keras 2's references (a TFOpLambda's)
  };

  void add_layer(const Json& entry) {
    const std::string name = config::get<std::string>(entry, "name", "", kWhat).empty()
                                 ? config::require<std::string>(entry.at("config"), "name", kWhat)
                                 : config::get<std::string>(entry, "name", "", kWhat);
    KERAS_CHECK(!by_name_.contains(name), ValueError, kWhat, ": duplicate layer name '", name, "'");
    // tf_keras's TensorFlow functions on Keras tensors: the keras.ops that compute the same.
    const bool tf_op = internal::is_tf_op_layer(entry);
    const Json keras3_entry = tf_op ? internal::tf_op_layer_as_keras3(entry) : Json();
    // Some keras.ops configs carry no name (ExtractPatches'): the entry's names the node.
    const Json* config = config::find(entry, "config");
    const bool unnamed = !tf_op && config != nullptr && config->is_object() &&
                         !config->contains("name") && entry.contains("name");
    Json named_entry;
    if (unnamed) {
      named_entry = entry;
      named_entry["config"]["name"] = name;
    }
    const Json& e = tf_op ? keras3_entry : unnamed ? named_entry : entry;
    auto layer = layers::deserialize_layer(e);
    KERAS_CHECK(layer->name() == name, ValueError, kWhat, ": layer '", layer->name(),
                "' is listed as '", name, "'");
    Pending p{layer, {}, tf_op};
    keras2_ = keras2_ || tf_op;
    if (auto* input = dynamic_cast<layers::InputLayerImpl*>(layer.get())) {
      outputs_[name].push_back({input->make_input_tensor()});
    } else if (const Json* nodes = config::find(e, "inbound_nodes")) {
      KERAS_CHECK(nodes->is_array(), ValueError, kWhat, ": inbound_nodes must be a list");
      for (const Json& n : *nodes) {
        keras2_ = keras2_ || !n.is_object();  // Keras 2: [[name, node, tensor, kwargs], ...]
        p.nodes.push_back(n);
      }
    }
    by_name_[name] = pending_.size();
    pending_.push_back(std::move(p));
  }

  // A reference that counts a nested functional model's own graph as node 0 (see
  // counts_own_graph_node); a 0 there (which keras.cpp wrote before it followed that rule) means
  // the first call.
  TensorRef own_graph_counted(TensorRef r) const {
    auto it = by_name_.find(r.layer);
    if (r.node > 0 && it != by_name_.end() && counts_own_graph_node(*pending_[it->second].layer)) {
      --r.node;
    }
    return r;
  }

  SavedCall call_of(const Pending& p) const {
    SavedCall call = saved_call(*p.layer, p.nodes.front());
    if (call.keras2 || p.keras2_refs) {
      for (TensorRef& r : call.inputs) r = keras2_own_graph_counted(own_graph_counted(r));
    }
    return call;
  }

  // Keras 2 also counts the own graph of a Sequential model that has one (built from an Input
  // or an input shape) as its node 0; Keras 3's Sequential never does.
  TensorRef keras2_own_graph_counted(TensorRef r) const {
    auto it = by_name_.find(r.layer);
    if (r.node > 0 && it != by_name_.end()) {
      const auto* seq =
          dynamic_cast<const models::SequentialImpl*>(pending_[it->second].layer.get());
      if (seq != nullptr && seq->graph_built()) --r.node;
    }
    return r;
  }

  // The tensor, or null while its node has not been processed.
  const KerasTensor* tensor_of(const TensorRef& r) const {
    auto it = outputs_.find(r.layer);
    if (it == outputs_.end() || r.node >= it->second.size()) return nullptr;
    KERAS_CHECK(r.tensor < it->second[r.node].size(), ValueError, kWhat, ": layer '", r.layer,
                "' node ", r.node, " has no output ", r.tensor);
    return &it->second[r.node][r.tensor];
  }

  // Calls p's layer on its next node's tensors when they all exist; false when they do not yet.
  bool try_next_node(Pending& p) {
    const SavedCall call = call_of(p);
    bool ready = true;
    for (const TensorRef& r : call.all()) {
      KERAS_CHECK(by_name_.contains(r.layer), ValueError, kWhat,
                  ": Invalid Functional model configuration. Missing node: ",
                  r.layer.substr(0, 100), " (unknown layer '", r.layer.substr(0, 100),
                  "' in inbound nodes of '", p.layer->name(), "')");
      ready = ready && tensor_of(r) != nullptr;
    }
    if (!ready) return false;
    KerasTensors args, masks;
    for (const TensorRef& r : call.inputs) args.push_back(*tensor_of(r));
    for (const auto& m : call.masks) masks.push_back(m ? *tensor_of(*m) : KerasTensor());
    auto* op = dynamic_cast<layers::OpLayerImpl*>(p.layer.get());
    if (op != nullptr) {  // its constants and checks first: they name what is wrong
      const Json& node = p.nodes.front();
      op->set_call_arguments(node.at("args"), config::value(node, "kwargs", nullptr));
    }
    KERAS_CHECK(!args.empty(), ValueError, kWhat, ": node of '", p.layer->name(),
                "' has no inputs");
    outputs_[p.layer->name()].push_back(op != nullptr ? op->apply(args)
                                                      : (*p.layer)(args, masks, call.training));
    p.nodes.pop_front();
    return true;
  }

  [[noreturn]] void unresolved(const Pending& p) const {
    std::string missing;
    for (const TensorRef& r : call_of(p).all()) {
      if (tensor_of(r) == nullptr && missing.empty()) {
        missing = str(": no node produces tensor ", r.layer.substr(0, 100), "[", r.node, "][",
                      r.tensor, "]");
      }
    }
    throw ValueError(str(kWhat,
                         ": Invalid Functional model configuration. The graph of the Functional "
                         "model either has loops or disconnected nodes: cannot resolve the inputs "
                         "of layer '",
                         p.layer->name(), "'", missing, " (missing node or cycle)"));
  }

  std::vector<Pending> pending_;
  std::map<std::string, size_t> by_name_;
  bool keras2_ = false;                                       // the config's nodes are Keras 2's
  std::map<std::string, std::vector<KerasTensors>> outputs_;  // layer name -> per node outputs
};

Model functional_from_config(const Json& config) {
  const char* w = "Functional config";
  const Json* layer_list = config::find(config, "layers");
  KERAS_CHECK(layer_list != nullptr, ValueError, w, ": 'layers' must be a list");
  GraphRebuilder graph(*layer_list);
  graph.run();
  Model model(graph.tensors(config, "input_layers"), graph.tensors(config, "output_layers"),
              {.name = config::get<std::string>(config, "name", "", w)});
  if (!config::get<bool>(config, "trainable", true, w)) model->set_trainable(false);
  return model;
}

Model model_from_config_unguarded(const Json& j) {
  KERAS_CHECK(j.is_object() || j.is_array(), ValueError, "Model config must be a JSON object");
  if (j.is_object() && j.contains("class_name")) {
    const auto cls = config::require<std::string>(j, "class_name", "model");
    const Json* config = config::find(j, "config");
    KERAS_CHECK(config != nullptr, ValueError, "Model config has no 'config'");
    if (cls == "Sequential") return sequential_from_config(*config);
    if (cls == "Functional" || cls == "Model") return functional_from_config(*config);
    // A registered model class or a single layer is not a model.
    throw ValueError(str("Model config: unsupported model class '", cls.substr(0, 100), "'"));
  }
  if (j.is_array()) return sequential_from_config(j);
  if (j.contains("input_layers")) return functional_from_config(j);
  return sequential_from_config(j);
}

// The models' classes in the layer registry, for models nested in a config.
void register_model_classes() {
  static std::once_flag once;
  std::call_once(once, [] {
    auto functional = [](const Json& c) { return functional_from_config(c).layer(); };
    layers::internal::register_builtin_layer("Functional", functional);
    layers::internal::register_builtin_layer("Model", functional);  // Keras 2
    layers::internal::register_builtin_layer(
        "Sequential", [](const Json& c) { return sequential_from_config(c).layer(); });
  });
}

}  // namespace

Model model_from_config(const Json& j) {
  register_model_classes();
  try {
    return model_from_config_unguarded(j);
  } catch (const Json::exception& e) {  // a value of the wrong JSON type deep in the config
    throw ValueError(str("Model config: invalid config: ", excerpt(e.what(), 300)));
  }
}

Model model_from_json(const std::string& json) {
  Json config = config::parse_json(json, "model_from_json");
  // tf_keras's to_json says its version beside the model.
  const Json* version = config.is_object() ? config::find(config, "keras_version") : nullptr;
  if (version != nullptr && version->is_string()) {
    config = internal::keras2_config(std::move(config), version->get<std::string>());
  }
  return model_from_config(config);
}

}  // namespace models

Json Model::get_config() const {
  return layer_->get_config();
}

std::string Model::to_json() const {
  return config::dump_json(layers::serialize_layer(*layer_));
}

std::vector<std::pair<std::string, std::string>> models::FunctionalImpl::saved_layer_names() const {
  std::vector<std::pair<std::string, std::string>> out;
  add_layer_names(*this, "", out);
  return out;
}

namespace models::internal {

std::vector<OwnStateLayer> own_state_layers(const FunctionalImpl& model) {
  std::vector<OwnStateLayer> out;
  add_own_state_layers(model, "", out);
  return out;
}

}  // namespace models::internal

}  // namespace keras
