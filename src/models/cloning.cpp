#include "keras/models/cloning.h"

#include <iostream>
#include <map>
#include <tuple>

#include "keras/config/json.h"
#include "keras/layers/call_arguments.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/lambda.h"
#include "keras/layers/op_layer.h"
#include "keras/layers/own_state.h"
#include "keras/layers/registry.h"
#include "layers/keras2_layout.h"

namespace keras::models {
namespace {

using layers::Layer;
using layers::LayerRef;

bool is_op_or_lambda(const Layer& layer) {
  return dynamic_cast<const layers::OpLayerImpl*>(&layer) != nullptr ||
         dynamic_cast<const layers::LambdaImpl*>(&layer) != nullptr;
}

// Keras's _wrap_clone_function: one clone per layer (shared layers stay shared), nested models
// through clone_model when recursive.
class Cloner {
 public:
  explicit Cloner(const CloneOptions& options) : options_(options) {}

  LayerRef clone(const LayerRef& layer) {
    if (auto it = cache_.find(layer.layer().get()); it != cache_.end()) return it->second;
    LayerRef copy;
    const auto* nested = dynamic_cast<const FunctionalImpl*>(layer.layer().get());
    if (options_.recursive && nested != nullptr) {
      copy = clone_model(Model(std::static_pointer_cast<FunctionalImpl>(layer.layer())));
    } else if (is_op_or_lambda(*layer.layer())) {
      copy = layer;
    } else {
      copy = options_.clone_function ? options_.clone_function(layer) : clone_layer(layer);
      KERAS_CHECK(static_cast<bool>(copy), ValueError, "clone_model: the clone_function returned ",
                  "no layer for layer '", layer.name(), "' (", layer.class_name(), ")");
    }
    cache_.emplace(layer.layer().get(), copy);
    return copy;
  }

  Model clone_model(const Model& model);

 private:
  Model clone_functional(const Model& model);
  Model clone_sequential(const Model& model);
  // The copy's input tensors: options_.input_tensors checked against the model's structure, or
  // new Inputs like the model's.
  NestedTensors inputs_for(const Model& model) const;

  CloneOptions options_;
  std::map<const Layer*, LayerRef> cache_;
  int depth_ = 0;  // input_tensors apply to the outermost model only
};

// A layer whose call takes arguments of its own (CustomCallArguments: attention's value and
// key, ReversibleEmbedding's reverse): `node`'s arguments, as the layer would save them, are
// given to `copy` for its next call, and the tensors (inputs, masks) that call takes are returned
// from `inputs` and `masks` (the node's, in the copy) in the order the copy wants them.
std::pair<KerasTensors, KerasTensors> bind_custom_arguments(const layers::CustomCallArguments& from,
                                                            layers::CustomCallArguments& copy,
                                                            const layers::Node& node,
                                                            const KerasTensors& inputs,
                                                            const KerasTensors& masks) {
  // Each tensor as a saved tensor whose history says which of the node's it is.
  auto placeholder = [](const char* kind, size_t i) {
    return Json{{"class_name", "__keras_tensor__"},
                {"config", {{"keras_history", Json::array({kind, static_cast<int>(i), 0})}}}};
  };
  std::vector<Json> input_json, mask_json;
  for (size_t i = 0; i < inputs.size(); ++i) input_json.push_back(placeholder("input", i));
  for (size_t i = 0; i < masks.size(); ++i) {
    mask_json.push_back(masks[i].defined() ? placeholder("mask", i) : Json(nullptr));
  }
  const Json call = from.saved_call(node, input_json, mask_json);
  static const Json kNone = nullptr;
  const Json* kwargs = call.contains("kwargs") ? &call["kwargs"] : &kNone;
  const layers::SavedCallTensors bound = copy.bind_saved_call(call.at("args"), *kwargs);
  auto tensor_of = [&](const Json* j) {
    if (j == nullptr || j->is_null()) return KerasTensor();
    const Json& history = j->at("config").at("keras_history");
    const auto i = history[1].get<size_t>();
    return history[0] == "input" ? inputs.at(i) : masks.at(i);
  };
  std::pair<KerasTensors, KerasTensors> tensors;
  for (const Json* t : bound.inputs) tensors.first.push_back(tensor_of(t));
  for (const Json* m : bound.masks) tensors.second.push_back(tensor_of(m));
  return tensors;
}

bool same_structure(const NestedTensors& a, const NestedTensors& b) {
  if (a.kind() != b.kind()) return false;
  if (a.is_tensor()) return true;
  if (a.items().size() != b.items().size()) return false;
  std::map<std::string, const NestedTensors*> keyed;
  for (const auto& [key, item] : b.items()) keyed[key] = &item;
  for (size_t i = 0; i < a.items().size(); ++i) {
    const auto& [key, item] = a.items()[i];
    const NestedTensors* other = a.is_list() ? &b.items()[i].second : keyed[key];
    if (other == nullptr || !same_structure(item, *other)) return false;
  }
  return true;
}

std::string structure_str(const NestedTensors& n) {
  return n.str([](const KerasTensor& t) { return to_string(t); });
}

NestedTensors Cloner::inputs_for(const Model& model) const {
  const NestedTensors& reference = model.input_structure();
  if (depth_ > 1 || options_.input_tensors.flatten().empty()) {
    KerasTensors fresh;
    for (const KerasTensor& t : model.inputs()) {
      const auto* input = dynamic_cast<const layers::InputLayerImpl*>(t.layer().get());
      KERAS_CHECK(input != nullptr, ValueError, "clone_model: input ", to_string(t), " of model '",
                  model.name(), "' does not come from an InputLayer");
      fresh.push_back(std::make_shared<layers::InputLayerImpl>(input->batch_shape(),
                                                               input->input_dtype(), input->name())
                          ->make_input_tensor());
    }
    return reference.with_leaves(fresh);
  }
  NestedTensors given = options_.input_tensors;
  for (const KerasTensor& t : given.flatten()) {
    KERAS_CHECK(t.defined(), ValueError,
                "All entries in `input_tensors` must be KerasTensors. Received invalid values: "
                "inputs_tensors=",
                structure_str(given));
  }
  // Keras 2's to_list: one tensor may come as a one-element list.
  if (reference.is_tensor() && given.is_list() && given.items().size() == 1 &&
      given.items()[0].second.is_tensor()) {
    given = given.items()[0].second;
  }
  KERAS_CHECK(same_structure(given, reference), ValueError,
              "`input_tensors` must have the same structure as model.input\nReference structure: ",
              structure_str(reference), "\nReceived structure: ", structure_str(given));
  return given;
}

Model Cloner::clone_model(const Model& model) {
  ++depth_;
  struct Leave {
    int& depth;
    ~Leave() { --depth; }
  } leave{depth_};
  const bool sequential = dynamic_cast<const SequentialImpl*>(&model.impl()) != nullptr;
  Model copy = sequential ? clone_sequential(model) : clone_functional(model);
  const Json compile = model.get_compile_config();
  if (!compile.is_null()) {
    try {
      copy.compile_from_config(compile);
    } catch (const Error& e) {
      std::cerr << "WARNING: clone_model: the copy of model '" << model.name()
                << "' was not compiled: " << e.what() << "\n";
    }
  }
  return copy;
}

Model Cloner::clone_functional(const Model& model) {
  const NestedTensors inputs = inputs_for(model);
  // Tensor (layer, node, index) of the model -> its counterpart in the copy.
  using Key = std::tuple<const Layer*, int, int>;
  std::map<Key, KerasTensor> copy_of;
  auto key = [](const KerasTensor& t) {
    return Key{t.layer().get(), t.node_index(), t.tensor_index()};
  };
  const KerasTensors& old_inputs = model.inputs();
  const KerasTensors new_inputs = inputs.flatten();
  for (size_t i = 0; i < old_inputs.size(); ++i) copy_of[key(old_inputs[i])] = new_inputs[i];
  auto mapped = [&](const KerasTensors& tensors) {
    KerasTensors out;
    for (const KerasTensor& t : tensors) out.push_back(t.defined() ? copy_of.at(key(t)) : t);
    return out;
  };
  for (const layers::Node* node : model.impl().nodes()) {
    if (node->is_input()) continue;
    const LayerRef original = node->outbound_layer->shared_from_this();
    const LayerRef layer = clone(original);
    KerasTensors args = mapped(node->input_tensors);
    layers::CallOptions call{.mask = mapped(node->masks), .training = node->training};
    const auto* from = dynamic_cast<const layers::CustomCallArguments*>(original.layer().get());
    if (auto* to = dynamic_cast<layers::CustomCallArguments*>(layer.layer().get());
        from != nullptr && to != nullptr) {
      std::tie(args, call.mask) = bind_custom_arguments(*from, *to, *node, args, call.mask);
    }
    KerasTensors outputs;
    if (options_.call_function) {
      outputs = options_.call_function(layer, args, call);
    } else if (auto* op = dynamic_cast<layers::OpLayerImpl*>(layer.layer().get())) {
      outputs = op->apply(args);
    } else {
      outputs = layer.call_multi(args, call);
    }
    KERAS_CHECK(outputs.size() == node->outputs.size(), ValueError, "clone_model: calling layer '",
                layer.name(), "' gave ", outputs.size(), " outputs where '", original.name(),
                "' gave ", node->outputs.size());
    for (size_t i = 0; i < outputs.size(); ++i) {
      copy_of[Key{node->outbound_layer, node->index, static_cast<int>(i)}] = outputs[i];
    }
  }
  return Model(inputs, model.output_structure().with_leaves(mapped(model.outputs())),
               {.name = model.name()});
}

Model Cloner::clone_sequential(const Model& model) {
  KERAS_CHECK(depth_ > 1 || !options_.call_function, ValueError,
              "`call_function` argument is not supported with Sequential models.  In a Sequential "
              "model, layers aren't called at model-construction time (they're merely listed). Use "
              "`call_function` with Functional models only. Received model of type 'Sequential'");
  const auto& impl = static_cast<const SequentialImpl&>(model.impl());
  Sequential copy({.name = model.name()});
  if (depth_ == 1 && !options_.input_tensors.flatten().empty()) {
    const KerasTensors given = options_.input_tensors.flatten();
    KERAS_CHECK(given.size() == 1 && !options_.input_tensors.is_dict(), ValueError,
                "Argument `input_tensors` must contain a single tensor.");
    KERAS_CHECK(given[0].defined(), ValueError,
                "Argument `input_tensors` must be a KerasTensor. Received invalid value: "
                "input_tensors=None");
    static_cast<SequentialImpl&>(copy.impl())
        .set_input(given[0].shape(), given[0].dtype(), given[0].layer()->name());
  } else if (impl.input()) {
    const std::string name = impl.graph_built() ? model.inputs()[0].layer()->name() : "";
    static_cast<SequentialImpl&>(copy.impl())
        .set_input(impl.input()->first, impl.input()->second, name);
  } else if (impl.graph_built()) {  // built from data: Keras 3 then holds an InputLayer too
    static_cast<SequentialImpl&>(copy.impl())
        .set_input(model.inputs()[0].shape(), model.inputs()[0].dtype());
  }
  for (const auto& layer : impl.stack()) copy.add(clone(layer));
  copy.set_trainable(model.trainable());
  return copy;
}

}  // namespace

Model clone_model(const Model& model, const CloneOptions& options) {
  Cloner cloner(options);
  return cloner.clone_model(model);
}

LayerRef clone_layer(const LayerRef& layer) {
  KERAS_CHECK(static_cast<bool>(layer), ValueError, "clone_layer: undefined layer");
  if (is_op_or_lambda(*layer.layer())) return layer;
  // The config with what keras.cpp keeps beside Keras's keys, so the copy computes what the
  // layer computes: an adapted vocabulary (which Keras's clone loses) and a Keras 2 merge's masks.
  const layers::AssetsInConfig assets;
  const layers::internal::Keras2Layout keras2_masks;
  Json serialized = layers::serialize_layer(*layer.layer());
  serialized.erase("build_config");  // unbuilt: the copy builds on its own inputs
  if (dynamic_cast<const FunctionalImpl*>(layer.layer().get()) != nullptr) {
    return model_from_config(serialized);
  }
  return layers::deserialize_layer(serialized);
}

}  // namespace keras::models
