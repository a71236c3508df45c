// keras::models::clone_model: a copy of a functional or Sequential model with new layers (new,
// freshly initialized weights), as Keras's keras.models.clone_model:
//
//   keras::Model copy = keras::models::clone_model(model);
//   copy.set_weights(model.get_weights());         // the same model, its own weights
//
//   // Every Dense followed by a Dropout, the layers themselves shared with `model`:
//   auto wider = keras::models::clone_model(model, {
//       .clone_function = [](const keras::layers::LayerRef& l) { return l; },
//       .call_function = [](const keras::layers::LayerRef& l, const keras::KerasTensors& in,
//                           const keras::layers::CallOptions& o) {
//         keras::KerasTensors out = l.call_multi(in, o);
//         if (l.class_name() == "Dense") out = {keras::layers::Dropout(0.5)(out[0])};
//         return out;
//       }});
#pragma once

#include <functional>

#include "keras/models/model.h"

namespace keras::models {

// Makes the layer that replaces `layer` in the copy (Keras's clone_function).
using CloneFunction = std::function<layers::LayerRef(const layers::LayerRef& layer)>;
// Calls a layer of the copy on its inputs (Keras's call_function): the layer as clone_function
// returned it, the node's input tensors in the copy (flattened, initial states of an RNN after
// its input), and the node's explicit masks and fixed training mode. Returns the tensors that
// stand for the node's outputs in the copy (as many, in order).
using CallFunction = std::function<KerasTensors(
    const layers::LayerRef& layer, const KerasTensors& inputs, const layers::CallOptions& options)>;

struct CloneOptions {
  // The tensors to build the copy on, in the structure of model.input_structure() (a single
  // tensor also as a one-element list); KerasTensors from keras::Input. Empty: new Inputs with
  // the model's input shapes, dtypes and names.
  NestedTensors input_tensors = {};
  // Default: clone_layer (the layer made again from its config). Not called for InputLayers, nor
  // for keras::ops nodes, which hold no weights and are shared with the copy.
  CloneFunction clone_function = nullptr;
  // Default: layer.call_multi(inputs, options). Functional models only (ValueError for a
  // Sequential, as Keras).
  CallFunction call_function = nullptr;
  // True: models nested in the model are copied with clone_model and these options (a nested
  // Sequential without call_function); false: clone_function copies them as any layer.
  bool recursive = false;
};

// A new model reproducing `model` on new (or the given) input tensors, with the model's name:
// each layer replaced by clone_function(layer) (shared layers stay shared: a layer is cloned
// once), each node called again through call_function. A compiled model's copy is compiled
// from its get_compile_config() (new optimizer and metric objects); when that config cannot be
// honoured (a C++ loss function, say) the copy is left uncompiled with a warning, as a load does.
// Errors (ValueError, Keras's wording): input_tensors of another structure, or not from
// keras::Input; several input tensors for a Sequential; call_function with a Sequential; a
// clone_function returning no layer; a layer clone_layer cannot make from its config.
Model clone_model(const Model& model, const CloneOptions& options = {});

// Keras's default clone_function: `layer.__class__.from_config(layer.get_config())`, a new layer
// of the same class, name and options, unbuilt (new weights when it is called). A Lambda or a
// keras::ops node (a C++ function, which no config holds) is returned itself. NotImplementedError
// for other layers that cannot be serialized; ValueError naming the class for a layer whose class
// is not registered (layers/registry.h).
layers::LayerRef clone_layer(const layers::LayerRef& layer);

}  // namespace keras::models
