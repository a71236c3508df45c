// FunctionalImpl: a model defined as a static graph from Input tensors to output tensors
// (Keras 2's Network / Keras 3's Functional). It is itself a Layer, so a model can be called on
// new tensors like any layer.
//
// Construction traces the graph back from the outputs (Keras's map_graph): it collects the nodes,
// orders them by depth, lists the layers in Keras order, and raises Keras's errors for a
// disconnected graph, a cycle, duplicate layer names, or inputs that don't come from Input.
// call() runs the nodes in topological order.
#pragma once

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/layer.h"
#include "keras/models/nested.h"
#include "keras/trainers/trainer.h"

namespace keras::models {

class FunctionalImpl : public layers::Layer {
 public:
  // inputs and outputs: a tensor, a list or a dict, nested (see nested.h); the graph works on
  // their flattening, and the structures are kept for the config and the results.
  FunctionalImpl(NestedTensors inputs, NestedTensors outputs, std::string name);
  // Keras 2 calls a functional model's class "Model" (summary rows read "model_1 (Model)").
  std::string class_name() const override { return "Model"; }
  std::string saved_class_name() const override { return "Functional"; }
  // Node 0 is the model's own graph: its inputs and outputs are the model's KerasTensors.
  KerasTensors get_outputs_at(int node_index) const override;
  KerasTensors get_inputs_at(int node_index) const override;

  Tensors call(const Tensors& inputs, bool training) override;
  // Keras's Functional.call(inputs, mask=...): explicit masks become the inputs' masks inside.
  bool takes_mask_argument() const override { return true; }
  // True when every layer of the graph is batch-independent.
  bool batch_independent() const override;
  bool traceable() const override;  // every layer's
  // How many Conv2D + MaxPooling2D pairs the plan runs as one op (layers/conv_max_pool.h).
  int max_pool_pairs() const;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;
  std::vector<Variable> weights() const override;
  Tensors losses() const override;
  void clear_losses() override;
  std::vector<Generator*> seed_generators() override;
  void set_trainable(bool trainable) override;

  const KerasTensors& inputs() const { return inputs_; }
  const KerasTensors& outputs() const { return outputs_; }
  // The structures given to the constructor (or read from a config); Sequential: lists.
  const NestedTensors& input_structure() const { return input_structure_; }
  const NestedTensors& output_structure() const { return output_structure_; }
  // Layers in Keras order (by decreasing depth, then traversal order); includes InputLayers.
  const std::vector<std::shared_ptr<layers::Layer>>& layers() const { return layers_; }
  // get_layer by name / by index (negative from the end), with Keras's errors (Model::get_layer).
  std::shared_ptr<layers::Layer> get_layer(const std::string& name) const;
  std::shared_ptr<layers::Layer> get_layer(int index) const;
  // The names of the layers of inputs() and outputs().
  std::vector<std::string> input_names() const;
  std::vector<std::string> output_names() const;
  // The nodes of this graph (InputLayer nodes included), in execution order.
  const std::vector<const layers::Node*>& nodes() const { return nodes_; }

  // Keras 3's functional config: {"name", "trainable", "layers": [...with inbound_nodes...],
  // "input_layers", "output_layers"} (src/saving/functional_config.cpp).
  Json get_config() const override;
  std::string module() const override { return "keras.src.models.functional"; }
  std::vector<VariableGroup> saved_variables() const override;
  // The Keras 3 group of every layer with weights ("layers/dense_1", nested models' layers below
  // theirs) with the layer's name, which Keras 3 writes as the "name" attribute of its "vars".
  std::vector<std::pair<std::string, std::string>> saved_layer_names() const;

  // The training state (compile / fit / evaluate / predict), created on first use.
  trainers::Trainer& trainer();
  // Data and losses are keyed by the dict keys when the inputs (outputs) are a dict of tensors,
  // as in Keras 3, otherwise by the layers' names.
  trainers::ModelSignature signature() const;

  // Keras 2's ASCII summary, one line per call of print_fn.
  void summary(const std::function<void(const std::string&)>& print_fn,
               int line_length,
               std::vector<double> positions) const;

 protected:
  // For Sequential: starts empty and adopts a graph later.
  explicit FunctionalImpl(std::string name);
  void init_graph(KerasTensors inputs, KerasTensors outputs);
  // Forgets the graph (a Sequential whose last layer was popped): has_graph() is false again.
  void clear_graph();
  bool has_graph() const { return !outputs_.empty(); }

 public:
  FunctionalImpl(const FunctionalImpl&) = delete;

 protected:
 private:
  struct Step {  // one node to run
    layers::Layer* layer;
    const layers::Node* node;  // the call this step runs
    std::vector<int> input_slots;
    std::vector<int> output_slots;
    std::vector<int> mask_slots;   // explicit masks of the inputs (Node::masks), -1 for none
    std::optional<bool> training;  // the node's fixed mode (Node::training)
    // Later steps of the same layer, when the layer is batch-independent: those whose inputs
    // are ready run together with this one, as one call on the concatenated batch.
    std::vector<size_t> same_layer_later;
    // A later MaxPooling2D step that alone reads this Conv2D step's output (not a model output):
    // both run as one op (layers/conv_max_pool.h); -1 for none.
    int max_pool_step = -1;
  };
  // Parts of init_graph, in order (nodes_by_depth_ first).
  void order_nodes(const KerasTensors& inputs);
  void plan_steps(const KerasTensors& inputs, const KerasTensors& outputs);
  void pair_convolutions_with_max_pooling();  // part of plan_steps
  // Runs steps_[k], together with the ready steps of its same_layer_later as one batched call.
  void run_batched(size_t k, std::vector<Tensor>& values, std::vector<char>& done, bool training);
  KerasTensors inputs_, outputs_;
  NestedTensors input_structure_, output_structure_;
  std::vector<std::shared_ptr<layers::Layer>> layers_;
  std::vector<const layers::Node*> nodes_;  // nodes of this graph, in execution order
  std::vector<std::vector<const layers::Node*>> nodes_by_depth_;  // [depth] -> nodes, depth 0 last
  std::vector<Step> steps_;
  std::vector<int> input_slots_, output_slots_;
  int num_slots_ = 0;
  std::unique_ptr<trainers::Trainer> trainer_;
};

}  // namespace keras::models
