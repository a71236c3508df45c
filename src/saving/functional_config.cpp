// Functional and Sequential configs (Keras 3 layout) and model_from_config.
#include <deque>
#include <map>
#include <regex>
#include <set>

#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/saving/json.h"
#include "keras/saving/registry.h"

namespace keras {
namespace {

using layers::Layer;
using layers::Node;

// Keras's naming.to_snake_case ("SimpleRNN" -> "simple_rnn").
std::string to_snake_case(const std::string& name) {
  std::string s = std::regex_replace(name, std::regex("(.)([A-Z][a-z]+)"), "$1_$2");
  s = std::regex_replace(s, std::regex("([a-z])([A-Z])"), "$1_$2");
  for (char& c : s) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return s;
}

// Keras 3 stores the layers of a container under snake_case class names, deduplicated in order
// ("dense", "dense_1", ...), not under the layers' own names.
std::vector<Layer::VariableGroup> container_variables(
    const std::vector<std::shared_ptr<Layer>>& layers) {
  std::vector<Layer::VariableGroup> out{{"vars", {}}};
  std::map<std::string, int> used;
  for (const auto& l : layers) {
    std::string name = to_snake_case(saving::keras_class_name(*l));
    auto [it, fresh] = used.try_emplace(name, 0);
    if (!fresh) name = str(name, "_", ++it->second);
    for (const Layer::VariableGroup& g : l->saved_variables()) {
      out.push_back({str("layers/", name, "/", g.path), g.variables});
    }
  }
  return out;
}

Json keras_tensor_json(const KerasTensor& t, int node_index) {
  return Json{
      {"class_name", "__keras_tensor__"},
      {"config",
       {{"shape", saving::shape_to_json(t.shape())},
        {"dtype", std::string(dtype_name(t.dtype()))},
        {"keras_history", Json::array({t.layer()->name(), node_index, t.tensor_index()})}}}};
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
    Json entry = saving::serialize_layer(*l);
    entry["name"] = l->name();
    Json inbound = Json::array();
    for (const auto& n : l->inbound_nodes()) {
      if (!in_graph.contains(n.get()) || n->is_input()) continue;
      Json args = Json::array();
      for (const KerasTensor& t : n->input_tensors)
        args.push_back(keras_tensor_json(t, index_of(t)));
      Json arg = args.size() == 1 ? args[0] : args;
      inbound.push_back(Json{{"args", Json::array({arg})}, {"kwargs", Json::object()}});
    }
    entry["inbound_nodes"] = inbound;
    layer_configs.push_back(entry);
  }
  auto history = [&](const KerasTensors& ts) {
    Json out = Json::array();
    for (const KerasTensor& t : ts) {
      out.push_back(Json::array({t.layer()->name(), index_of(t), t.tensor_index()}));
    }
    return out.size() == 1 ? out[0] : out;  // Keras writes a single tensor flat
  };
  return Json{{"name", name()},
              {"trainable", trainable()},
              {"layers", layer_configs},
              {"input_layers", history(inputs_)},
              {"output_layers", history(outputs_)}};
}

std::vector<Layer::VariableGroup> FunctionalImpl::saved_variables() const {
  return container_variables(layers_);
}

Json SequentialImpl::get_config() const {
  Json layer_configs = Json::array();
  if (input_) {
    layers::InputLayerImpl input(input_->first, input_->second, name() + "_input");
    layer_configs.push_back(saving::serialize_layer(input));
  }
  for (const auto& l : stack_) layer_configs.push_back(saving::serialize_layer(*l));
  Json config{{"name", name()},
              {"trainable", trainable()},
              {"dtype", saving::dtype_policy_to_json(dtype())},
              {"layers", layer_configs}};
  if (input_) config["build_input_shape"] = saving::shape_to_json(input_->first);
  return config;
}

std::vector<Layer::VariableGroup> SequentialImpl::saved_variables() const {
  return container_variables(stack_);
}

namespace {

constexpr size_t kMaxLayers = 100000;

Model sequential_from_config(const Json& config) {
  const Json& layer_list = config.is_array() ? config : config.at("layers");  // Keras 2.0: a list
  KERAS_CHECK(layer_list.is_array() && layer_list.size() < kMaxLayers, ValueError,
              "Sequential config: 'layers' must be a list");
  Sequential model({.name = config.is_object()
                                ? saving::get<std::string>(config, "name", "", "Sequential")
                                : std::string()});
  std::optional<std::pair<Shape, DType>> input;
  for (const Json& entry : layer_list) {
    const auto cls = saving::require<std::string>(entry, "class_name", "Sequential layer");
    const Json* cfg = saving::find(entry, "config");
    if (cls == "InputLayer") {
      auto layer = saving::deserialize_layer(entry);
      auto* in = static_cast<layers::InputLayerImpl*>(layer.get());
      input = {in->batch_shape(), in->input_dtype()};
      continue;
    }
    if (!input && cfg != nullptr) {  // Keras 2: the first layer carries batch_input_shape
      if (const Json* s = saving::find(*cfg, "batch_input_shape")) {
        const DType dtype =
            saving::find(*cfg, "dtype") ? saving::dtype_from_json((*cfg)["dtype"]) : float32;
        input = {saving::shape_from_json(*s, "batch_input_shape"),
                 is_floating(dtype) ? float32 : dtype};
      }
    }
    model.add(layers::LayerRef(saving::deserialize_layer(entry)));
  }
  if (input && !static_cast<SequentialImpl&>(model.impl()).graph_built()) {
    model.build(input->first, input->second);
  }
  if (config.is_object()) model->set_trainable(saving::get<bool>(config, "trainable", true));
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
    if (saving::get<std::string>(j, "class_name", "") == "__keras_tensor__") {
      const Json& h = j.at("config").at("keras_history");
      KERAS_CHECK(h.is_array() && h.size() == 3, ValueError, "Model config: bad keras_history");
      out.push_back({saving::convert<std::string>(h[0], "keras_history", "Model config"),
                     saving::convert<size_t>(h[1], "keras_history", "Model config"),
                     saving::convert<size_t>(h[2], "keras_history", "Model config")});
      return;
    }
    throw ValueError(str("Model config: unsupported node argument ", saving::json_excerpt(j)));
  }
  KERAS_CHECK(j.is_array(), ValueError, "Model config: bad node argument ",
              saving::json_excerpt(j));
  // Keras 2: [name, node_index, tensor_index, kwargs]
  if (j.size() >= 3 && j[0].is_string() && j[1].is_number()) {
    out.push_back({j[0].get<std::string>(),
                   saving::convert<size_t>(j[1], "node_index", "Model config"),
                   saving::convert<size_t>(j[2], "tensor_index", "Model config")});
    return;
  }
  for (const Json& x : j) collect_refs(x, out, depth + 1);
}

std::vector<TensorRef> node_refs(const Json& node) {
  std::vector<TensorRef> refs;
  if (node.is_object()) {  // Keras 3: {"args": [...], "kwargs": {...}}
    const Json* args = saving::find(node, "args");
    KERAS_CHECK(args != nullptr && args->is_array(), ValueError,
                "Model config: inbound node without args");
    collect_refs(*args, refs);
  } else {
    collect_refs(node, refs);
  }
  return refs;
}

Model functional_from_config(const Json& config) {
  const char* w = "Functional config";
  const Json* layer_list = saving::find(config, "layers");
  KERAS_CHECK(layer_list != nullptr && layer_list->is_array() && layer_list->size() < kMaxLayers,
              ValueError, w, ": 'layers' must be a list");
  struct Pending {
    std::shared_ptr<Layer> layer;
    std::deque<Json> nodes;
  };
  std::vector<Pending> pending;
  std::map<std::string, size_t> by_name;
  std::map<std::string, std::vector<KerasTensors>> outputs;  // layer name -> per node outputs
  for (const Json& entry : *layer_list) {
    const std::string name = saving::get<std::string>(entry, "name", "", w).empty()
                                 ? saving::require<std::string>(entry.at("config"), "name", w)
                                 : saving::get<std::string>(entry, "name", "", w);
    KERAS_CHECK(!by_name.contains(name), ValueError, w, ": duplicate layer name '", name, "'");
    auto layer = saving::deserialize_layer(entry);
    KERAS_CHECK(layer->name() == name, ValueError, w, ": layer '", layer->name(),
                "' is listed as '", name, "'");
    Pending p{layer, {}};
    if (auto* input = dynamic_cast<layers::InputLayerImpl*>(layer.get())) {
      outputs[name].push_back({input->make_input_tensor()});
    } else if (const Json* nodes = saving::find(entry, "inbound_nodes")) {
      KERAS_CHECK(nodes->is_array(), ValueError, w, ": inbound_nodes must be a list");
      for (const Json& n : *nodes) p.nodes.push_back(n);
    }
    by_name[name] = pending.size();
    pending.push_back(std::move(p));
  }
  auto tensor_of = [&](const TensorRef& r) -> const KerasTensor* {
    auto it = outputs.find(r.layer);
    if (it == outputs.end() || r.node >= it->second.size()) return nullptr;
    KERAS_CHECK(r.tensor < it->second[r.node].size(), ValueError, w, ": layer '", r.layer,
                "' node ", r.node, " has no output ", r.tensor);
    return &it->second[r.node][r.tensor];
  };
  // Process nodes in order, each as soon as its inputs exist (Keras's from_config loop). Each
  // pass rescans every layer: files that list layers in graph order (as Keras writes them) need
  // a pass or two, but n layers listed in reverse need n passes, so the work is capped at 64.
  size_t attempts = 0;
  size_t max_attempts = 100000;
  for (const Pending& p : pending) max_attempts += 64 * (1 + p.nodes.size());
  for (bool progress = true; progress;) {
    progress = false;
    for (Pending& p : pending) {
      while (!p.nodes.empty()) {
        KERAS_CHECK(++attempts <= max_attempts, ValueError, w, ": cannot resolve the nodes of ",
                    pending.size(), " layers in reasonable time (listed in reverse order?)");
        KerasTensors args;
        bool ready = true;
        for (const TensorRef& r : node_refs(p.nodes.front())) {
          KERAS_CHECK(by_name.contains(r.layer), ValueError, w, ": unknown layer '",
                      r.layer.substr(0, 100), "' in inbound nodes of '", p.layer->name(), "'");
          const KerasTensor* t = tensor_of(r);
          if (t == nullptr) {
            ready = false;
            break;
          }
          args.push_back(*t);
        }
        if (!ready) break;
        KERAS_CHECK(!args.empty(), ValueError, w, ": node of '", p.layer->name(),
                    "' has no inputs");
        outputs[p.layer->name()].push_back((*p.layer)(args));
        p.nodes.pop_front();
        progress = true;
      }
    }
  }
  for (const Pending& p : pending) {
    KERAS_CHECK(p.nodes.empty(), ValueError, w, ": cannot resolve the inputs of layer '",
                p.layer->name(), "' (missing layer or cycle)");
  }
  auto tensors = [&](const char* key) {
    const Json* j = saving::find(config, key);
    KERAS_CHECK(j != nullptr && j->is_array(), ValueError, w, ": missing '", key, "'");
    std::vector<TensorRef> refs;
    collect_refs(*j, refs);
    KerasTensors out;
    for (const TensorRef& r : refs) {
      const KerasTensor* t = tensor_of(r);
      KERAS_CHECK(t != nullptr, ValueError, w, ": '", key, "' names unknown tensor ",
                  r.layer.substr(0, 100), "[", r.node, "][", r.tensor, "]");
      out.push_back(*t);
    }
    return out;
  };
  Model model(tensors("input_layers"), tensors("output_layers"),
              {.name = saving::get<std::string>(config, "name", "", w)});
  if (!saving::get<bool>(config, "trainable", true, w)) model->set_trainable(false);
  return model;
}

Model model_from_config_unguarded(const Json& j) {
  KERAS_CHECK(j.is_object() || j.is_array(), ValueError, "Model config must be a JSON object");
  if (j.is_object() && j.contains("class_name")) {
    const auto cls = saving::require<std::string>(j, "class_name", "model");
    const Json* config = saving::find(j, "config");
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

}  // namespace

Model model_from_config(const Json& j) {
  try {
    return model_from_config_unguarded(j);
  } catch (const Json::exception& e) {  // a value of the wrong JSON type deep in the config
    throw ValueError(str("Model config: invalid config: ", excerpt(e.what(), 300)));
  }
}

Model model_from_json(const std::string& json) {
  return model_from_config(saving::parse_json(json, "model_from_json"));
}

}  // namespace models

Json Model::get_config() const {
  return layer_->get_config();
}

std::string Model::to_json() const {
  Json j = saving::serialize_layer(*layer_);
  return j.dump();
}

}  // namespace keras
