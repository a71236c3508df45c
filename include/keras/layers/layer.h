// Layer: the base class of every layer and model (keras.layers.Layer).
//
// How to write a layer (see dense.h for a worked example):
//  1. build(input_shapes) creates the weights with add_weight() and nothing else. It runs once,
//     on the first call, with the input shapes (batch dimension kNone when symbolic).
//  2. call(inputs, training) computes outputs from concrete tensors by composing keras::ops only.
//     Never touch a backend; never branch on tensor values (the call is traced into a plan).
//  3. compute_output_shape(input_shapes) is pure: output shapes from input shapes, kNone kept.
//  4. input_spec_ (optional) states what inputs are accepted; the base class checks it and
//     raises Keras 2's errors ("Input 0 is incompatible with layer dense_2: ...").
//
// How to make a layer saveable (model.save, to_json, load_model; see dense.cpp):
//  5. get_config() returns Keras 3's config dict: start from Layer::get_config() (name,
//     trainable, dtype) and add the constructor arguments under Keras's keys, with initializers,
//     regularizers and activations written by initializers::serialize, regularizers::serialize
//     and serialize_activation (keras/config/json.h has the helpers for reading them back).
//  6. A static `std::shared_ptr<Layer> from_config(const Json& config)` builds the layer from
//     that dict (read keys with config::get / config::require so bad values throw ValueError),
//     then calls apply_base_config(config). Keras 2's spellings should be accepted too.
//  7. Register it: one line in src/layers/registry.cpp's built-in table
//     ({"Conv2D", &Conv2DImpl::from_config}); user layers call layers::register_layer.
//  8. Weights are saved as Keras 3 does, under "<layer>/vars/0..k" in weights() order. A layer
//     whose Keras counterpart keeps its variables in sub-objects (an LSTM's "cell", a wrapper's
//     "layer") overrides saved_variables() to give those paths.
// A layer that cannot be serialized (Lambda) keeps the default get_config of its kind and
// throws NotImplementedError from it.
//
// Layers are owned by shared_ptr and used through handles (LayerRef and LayerHandle<T> below):
// copying a handle shares the layer. Calling a layer on KerasTensors adds a Node; calling it on
// Tensors runs it eagerly.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/config/json_fwd.h"
#include "keras/constraints/constraints.h"
#include "keras/core/random.h"
#include "keras/core/tensor.h"
#include "keras/core/variable.h"
#include "keras/initializers/initializers.h"
#include "keras/layers/keras_tensor.h"
#include "keras/layers/node.h"
#include "keras/regularizers/regularizers.h"

namespace keras::layers {

// What a layer accepts for one input (keras.layers.InputSpec).
struct InputSpec {
  std::optional<int> ndim = std::nullopt;
  std::optional<int> min_ndim = std::nullopt;
  std::optional<int> max_ndim = std::nullopt;
  std::optional<DType> dtype = std::nullopt;
  std::map<int, int64_t> axes = {};  // axis (may be negative) -> required size
  // Keras's allow_last_axis_squeeze (a functional model's inputs): an input one rank short of
  // ndim where axes require the last dim to be 1, or one rank over ending in 1, is not checked.
  bool allow_last_axis_squeeze = false;
};

class Layer : public std::enable_shared_from_this<Layer> {
 public:
  virtual ~Layer() = default;
  Layer(const Layer&) = delete;
  Layer& operator=(const Layer&) = delete;

  // Keras class name ("Dense").
  virtual std::string class_name() const = 0;
  // The class name Keras 3 saves ("class_name" of the serialized layer): class_name() except for
  // a functional model, whose class_name() is Keras 2's "Model" and which saves as "Functional".
  virtual std::string saved_class_name() const { return class_name(); }
  const std::string& name() const { return name_; }
  bool built() const { return built_; }
  bool trainable() const { return trainable_; }
  virtual void set_trainable(bool trainable);
  // Dtype of the weights and outputs (float32 unless set before the layer is built).
  DType dtype() const { return dtype_; }
  virtual void set_dtype(DType dtype);
  // The `input_shape` option (without batch), if the layer was given one.
  const std::optional<Shape>& batch_input_shape() const { return batch_input_shape_; }

  // Builds the layer for these input shapes unless it is built already (what a first call does).
  void maybe_build(const std::vector<Shape>& input_shapes);

  // ---- the four hooks ----
  virtual void build(const std::vector<Shape>& input_shapes);
  virtual Tensors call(const Tensors& inputs, bool training) = 0;
  virtual std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const = 0;
  // Output dtypes; by default the layer's dtype for every output.
  virtual std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                                  size_t num_outputs) const;

  // True when each sample's outputs depend only on that sample's inputs (not on the rest of the
  // batch), in training too. A model runs a shared layer of this kind once on the concatenation
  // of its same-shaped inputs instead of once per call. BatchNormalization is the classic
  // exception; layers say yes explicitly.
  virtual bool batch_independent() const { return false; }
  // True when build() needs the batch size (a stateful RNN keeps a state per sample): an eager
  // call on a tensor then builds with the tensor's batch size instead of None, as Keras builds.
  virtual bool builds_on_batch_size() const { return false; }

  // ---- masking (Keras's supports_masking / compute_mask; see Tensor::keras_mask) ----
  // Layers that pass masks through unchanged return true.
  virtual bool supports_masking() const { return false; }
  // The masks of the outputs, from the inputs and their masks (undefined = no mask). By default
  // the first input's mask for every output when supports_masking(), else none.
  virtual Tensors compute_mask(const Tensors& inputs,
                               const Tensors& masks,
                               const Tensors& outputs) const;
  // call(), then attaches compute_mask's masks to outputs that have none (when any input has a
  // mask). Eager calls and models run layers through this.
  Tensors call_with_masks(const Tensors& inputs, bool training);
  // True when the layer takes Keras's `mask` argument (`lstm(x, mask=m)`): its call uses its
  // inputs' masks as Keras's call uses `mask`, so a symbolic call may give explicit masks
  // (CallOptions::mask), which Keras 3 also writes into saved nodes.
  virtual bool takes_mask_argument() const { return false; }
  // How many states Keras's `initial_state` argument passes as extra inputs after the first (0:
  // the layer takes none). A saved call's initial_state must give exactly this many.
  virtual int initial_state_count() const { return 0; }
  // The `initial_state` argument a saved call writes for its flat list of states: the list itself,
  // unless Keras nests it (a stack of cells: one entry per cell).
  virtual Json saved_initial_state(const Json& states) const;
  // True for layers that loop over time steps with a small product per step (LSTM, GRU,
  // SimpleRNN, their Bidirectional and stacks; not ConvLSTM, whose steps are convolutions):
  // predict keeps their batches whole, since fewer rows make each step less efficient.
  virtual bool steps_through_time() const { return false; }
  // True for layers that take string inputs (dtype string: StringLookup, Hashing, Identity, a
  // model whose Input is a string); any other layer called on one is a TypeError naming it.
  virtual bool takes_strings() const { return false; }
  // False for layers whose call() does host work that decides shapes from the data (a
  // TextVectorization's longest row): fit, evaluate and predict then run the model eagerly on
  // every batch instead of replaying a traced plan.
  virtual bool traceable() const { return true; }

  // ---- calling ----
  // Symbolic call: checks the inputs, builds if needed, adds a node, returns its outputs.
  KerasTensors operator()(const KerasTensors& inputs);
  // The same with explicit masks (Keras's `mask=`): masks[i], when defined, replaces input i's
  // mask in this call (see Node). At most one per input; each a tensor of the input's leading
  // dimensions (bool, or cast to bool as Keras does). TypeError unless takes_mask_argument().
  KerasTensors operator()(const KerasTensors& inputs, const KerasTensors& masks);
  // The same with Keras's `training` argument fixed for this node (see Node::training); unset
  // = the model's mode when it runs.
  KerasTensors operator()(const KerasTensors& inputs,
                          const KerasTensors& masks,
                          std::optional<bool> training);
  // Eager call on concrete tensors (builds if needed).
  Tensors operator()(const Tensors& inputs, bool training = false);

  // ---- weights ----
  virtual std::vector<Variable> weights() const;
  std::vector<Variable> trainable_weights() const;
  std::vector<Variable> non_trainable_weights() const;
  int64_t count_params() const;
  // Copies of the weight values, in weights() order.
  Tensors get_weights() const;
  // Assigns values in weights() order; throws ValueError on a count or shape mismatch.
  void set_weights(const Tensors& values);
  // Keras `layer.losses`, as scalars: the activity penalties of this layer's latest call, then
  // the regularization penalties of its weights.
  virtual Tensors losses() const;
  // Keras's activity_regularizer: after each call (call_with_masks), the penalty of every output
  // (divided by its batch size, as Keras 3 does) is added to losses() until the next outermost
  // call clears them (CallScope). Saved in get_config() when set.
  const regularizers::Regularizer& activity_regularizer() const { return activity_regularizer_; }
  void set_activity_regularizer(regularizers::Regularizer regularizer) {
    activity_regularizer_ = std::move(regularizer);
  }
  // Forgets the activity penalties of this layer and its sublayers (Keras's _clear_losses).
  virtual void clear_losses() { activity_losses_.clear(); }
  // The generators this layer and its sublayers draw from while training (a seeded Dropout's:
  // Keras 3's SeedGenerator states), each once, in a fixed order. BackupAndRestore saves their
  // states so that a resumed fit() draws the same masks. Unseeded layers draw from
  // global_generator() and list none.
  virtual std::vector<Generator*> seed_generators() { return {}; }

  // ---- nodes (Keras 2 API) ----
  // A node_index counts calls from 0; a negative one counts from the last call (-1), as Keras's
  // list indexing does.
  const std::vector<std::shared_ptr<Node>>& inbound_nodes() const { return inbound_nodes_; }
  KerasTensor get_output_at(int node_index) const;
  KerasTensor get_input_at(int node_index) const;
  virtual KerasTensors get_outputs_at(int node_index) const;
  virtual KerasTensors get_inputs_at(int node_index) const;
  Shape get_input_shape_at(int node_index) const;
  Shape get_output_shape_at(int node_index) const;
  // Only defined when the layer has exactly one inbound node (else AttributeError).
  KerasTensor input() const;
  KerasTensor output() const;
  // Defined when all nodes agree (else AttributeError).
  Shape input_shape() const;
  Shape output_shape() const;

  // The output shape summary() prints: "(None, 64)", "[(None, 1), (None, 1)]" or "multiple".
  virtual std::string output_shape_str() const;

  // ---- saving ----
  // Keras 3's config dict of this layer (its constructor arguments). The base writes name,
  // trainable and dtype; a layer adds its own keys (see "How to make a layer saveable" above).
  // Throws NotImplementedError for layers that cannot be serialized (Lambda, ops, custom
  // initializers or activations given as C++ functions).
  virtual Json get_config() const;
  // The Python module Keras 3 writes for the class ("keras.layers").
  virtual std::string module() const { return "keras.layers"; }
  // Keras 3's build_config: {"input_shape": shape of the first build}, or null when unbuilt.
  // Layers whose Keras build() takes named shapes override it ({"shapes_dict": {...}}).
  virtual Json get_build_config() const;
  // Where Keras 3 stores this layer's variables, relative to the layer's own group in
  // model.weights.h5: by default one group "vars" with weights() in order. Layers whose Keras
  // counterpart holds its variables in sub-objects override this ({"cell/vars", {...}}).
  struct VariableGroup {
    std::string path;
    std::vector<Variable> variables;
  };
  virtual std::vector<VariableGroup> saved_variables() const;
  // For from_config: applies the base keys (trainable, dtype) of `config` to this layer.
  void apply_base_config(const Json& config);
  // The shapes the layer was built with (empty before the first build).
  const std::vector<Shape>& build_input_shapes() const { return build_input_shapes_; }

 protected:
  // For batch_independent() of layers that work along `axes`: false when an axis is the batch
  // axis in any call so far (a negative axis counts from that call's input rank), or, before any
  // call, when an axis is not positive.
  bool axes_miss_batch(const std::vector<int>& axes) const;
  // `name` empty = a fresh default name "<prefix>_<n>" (Keras 2 style: dense_1, dense_2, ...).
  // ValueError for a name with a `/` (it would split the layer's group in saved weights).
  Layer(std::string name, std::string_view prefix, std::optional<Shape> input_shape = {});

  Variable add_weight(const std::string& name,
                      const Shape& shape,
                      const initializers::Initializer& initializer,
                      bool trainable = true,
                      regularizers::Regularizer regularizer = {},
                      const constraints::Constraint& constraint = {});
  // Checks `inputs` against input_spec_for(inputs.size()) with Keras 2's messages.
  void assert_input_compatibility(const std::vector<TensorSpec>& inputs) const;
  // TypeError for a string input unless takes_strings().
  void check_string_inputs(const std::vector<TensorSpec>& inputs) const;
  // The specs that `num_inputs` inputs must meet: input_spec_ unless overridden (recurrent
  // layers accept initial states as extra inputs).
  virtual std::vector<InputSpec> input_spec_for(size_t num_inputs) const;
  // Adds a node with these inputs and outputs; returns the output KerasTensors.
  KerasTensors add_node(const KerasTensors& inputs,
                        std::vector<TensorSpec> outputs,
                        const KerasTensors& masks = {},
                        std::optional<bool> training = std::nullopt);
  // Sets node 0 (adding it if missing): a functional model owns node 0, its own graph.
  void set_node0(const KerasTensors& inputs, std::vector<TensorSpec> outputs);
  void set_built(bool built) { built_ = built; }
  // node_index as an index into inbound_nodes_: negative counts from the end, as a Python list
  // index does (-1 is the last call). Throws RuntimeError (never called), ValueError (past the
  // end) or IndexError (before the front).
  int node_index_at(int node_index, const char* what) const;

  std::vector<InputSpec> input_spec_;
  // Keras 3's `autocast`: a floating-point input of another floating-point dtype than the
  // layer's is cast to the layer's dtype before call() (a float64 array into a float32 layer
  // gives float32), and its symbolic dtype likewise. Layers that take their inputs as they come
  // turn it off, as in Keras: Embedding, the normalization layers, CategoryEncoding, models and
  // op layers (keras.ops on KerasTensors are no layers in Keras 3).
  bool autocast_ = true;

 private:
  // The dtype an input of `dtype` has inside call() (see autocast_).
  DType autocast_dtype(DType dtype) const;
  KerasTensors call_symbolic(const KerasTensors& inputs,
                             const KerasTensors& masks,
                             std::optional<bool> training);
  // Creates node `index` (appending, or replacing an existing one); needs no shared_from_this,
  // so constructors may call it.
  void set_node(int index,
                const KerasTensors& inputs,
                std::vector<TensorSpec> outputs,
                const KerasTensors& masks = {},
                std::optional<bool> training = std::nullopt);
  const Node& node_at(int node_index, const char* what) const;

  std::string name_;
  bool built_ = false;
  bool trainable_ = true;
  DType dtype_ = float32;
  std::optional<Shape> batch_input_shape_;
  std::vector<Shape> build_input_shapes_;
  std::vector<Variable> weights_;
  std::vector<bool> created_trainable_;  // add_weight's `trainable`, per weight
  std::vector<std::pair<Variable, regularizers::Regularizer>> regularized_;
  regularizers::Regularizer activity_regularizer_;
  Tensors activity_losses_;
  std::vector<std::shared_ptr<Node>> inbound_nodes_;
};

// Marks a call of `layer` (Keras's call context): the outermost one clears the activity
// penalties of `layer` and its sublayers first, so losses() holds those of the latest call.
class CallScope {
 public:
  explicit CallScope(Layer& layer);
  ~CallScope();
  CallScope(const CallScope&) = delete;
  CallScope& operator=(const CallScope&) = delete;
};

// Generates the next default name for `prefix` ("dense" -> "dense_1", then "dense_2", ...).
std::string unique_name(std::string_view prefix);
// Resets the default-name counters (keras.backend.clear_session()).
void reset_uids();

// Keyword arguments of a symbolic call: `lstm(x, {.mask = {m}})` is Keras's `lstm(x, mask=m)`,
// `layers::Dropout(0.5)(x, {.training = true})` is Keras's `Dropout(0.5)(x, training=True)`.
struct CallOptions {
  // One mask per input (an undefined one: that input's own mask); see Layer::operator().
  KerasTensors mask = {};
  // Fixes the mode of this call whatever mode the model runs in (Node::training): true keeps a
  // Dropout dropping in predict and evaluate, false keeps a BatchNormalization in inference
  // mode (its moving statistics frozen) during fit. Keras 2 (and Keras 2.2.4's guide) behave
  // so; Keras 3 keeps the flag only when the model itself is called with training=None, and
  // replaces it with fit's, evaluate's and predict's own mode.
  std::optional<bool> training = std::nullopt;
};

// A shared handle to any layer, with the Layer API forwarded so it reads like Keras:
// `dense.name()`, `lstm.get_output_at(0)`, `layer(x)`.
class LayerRef {
 public:
  LayerRef() = default;
  LayerRef(std::shared_ptr<Layer> layer) : layer_(std::move(layer)) {}  // NOLINT

  const std::shared_ptr<Layer>& layer() const { return layer_; }
  Layer* operator->() const { return layer_.get(); }
  explicit operator bool() const { return layer_ != nullptr; }

  // Symbolic calls. The single-tensor forms require one output.
  KerasTensor operator()(const KerasTensor& input) const;
  KerasTensor operator()(const KerasTensors& inputs) const;
  KerasTensors call_multi(const KerasTensors& inputs) const { return (*layer_)(inputs); }
  KerasTensor operator()(const KerasTensor& input, const CallOptions& options) const;
  KerasTensor operator()(const KerasTensors& inputs, const CallOptions& options) const;
  KerasTensors call_multi(const KerasTensors& inputs, const CallOptions& options) const {
    return (*layer_)(inputs, options.mask, options.training);
  }
  // Eager calls.
  Tensor operator()(const Tensor& input, bool training = false) const;
  Tensor operator()(const Tensors& inputs, bool training = false) const;

  const std::string& name() const { return layer_->name(); }
  std::string class_name() const { return layer_->class_name(); }
  bool built() const { return layer_->built(); }
  bool trainable() const { return layer_->trainable(); }
  void set_trainable(bool t) const { layer_->set_trainable(t); }
  std::vector<Variable> weights() const { return layer_->weights(); }
  std::vector<Variable> trainable_weights() const { return layer_->trainable_weights(); }
  std::vector<Variable> non_trainable_weights() const { return layer_->non_trainable_weights(); }
  int64_t count_params() const { return layer_->count_params(); }
  Tensors get_weights() const { return layer_->get_weights(); }
  void set_weights(const Tensors& values) const { layer_->set_weights(values); }
  KerasTensor get_output_at(int i) const { return layer_->get_output_at(i); }
  KerasTensor get_input_at(int i) const { return layer_->get_input_at(i); }
  Shape get_input_shape_at(int i) const { return layer_->get_input_shape_at(i); }
  Shape get_output_shape_at(int i) const { return layer_->get_output_shape_at(i); }
  KerasTensor input() const { return layer_->input(); }
  KerasTensor output() const { return layer_->output(); }
  Shape input_shape() const { return layer_->input_shape(); }
  Shape output_shape() const { return layer_->output_shape(); }

 protected:
  std::shared_ptr<Layer> layer_;
};

// A typed handle: LayerRef plus access to the concrete layer class.
template <class Impl>
class LayerHandle : public LayerRef {
 public:
  explicit LayerHandle(std::shared_ptr<Impl> impl) : LayerRef(impl), impl_(std::move(impl)) {}
  Impl* operator->() const { return impl_.get(); }
  Impl& impl() const { return *impl_; }

 private:
  std::shared_ptr<Impl> impl_;
};

}  // namespace keras::layers

namespace keras {
using layers::Layer;
}
