#include "keras/models/functional.h"

#include <algorithm>
#include <iostream>
#include <set>
#include <unordered_map>

#include "keras/layers/call_arguments.h"
#include "keras/layers/input_layer.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "layers/conv_max_pool.h"
#include "layers/input_rank.h"
#include "models/layer_lookup.h"
#include "models/model_saver.h"
#include "models/predict_rows.h"

namespace keras::models {
namespace {

using layers::Layer;
using layers::Node;

struct TensorKey {
  const Layer* layer;
  int node, tensor;
  auto operator<=>(const TensorKey&) const = default;
};
TensorKey key_of(const KerasTensor& t) {
  return {t.layer().get(), t.node_index(), t.tensor_index()};
}

// The tensors a node needs: its inputs and masks, or for an InputLayer node, its own output (as
// Keras 2).
KerasTensors required_tensors(const Node& node) {
  if (!node.is_input()) return node.required_tensors();
  return node.outbound_layer->get_outputs_at(node.index);
}

// Keras's checks of Model(inputs, outputs) before tracing.
void check_endpoints(const KerasTensors& inputs,
                     const KerasTensors& outputs,
                     const std::string& name) {
  KERAS_CHECK(!inputs.empty(), ValueError, "Model ", name, ": needs at least one input");
  KERAS_CHECK(!outputs.empty(), ValueError, "Model ", name, ": needs at least one output");
  for (size_t i = 0; i < inputs.size(); ++i) {
    KERAS_CHECK(inputs[i].defined(), ValueError, "Model ", name, ": input ", i, " is undefined");
    if (dynamic_cast<layers::InputLayerImpl*>(inputs[i].layer().get()) == nullptr) {
      throw TypeError(
          str("Input layers to a `Model` must be `InputLayer` objects. Received "
              "inputs: ",
              to_string(inputs[i]), ". Input ", i,
              " (0-based) originates "
              "from layer type `",
              inputs[i].layer()->class_name(), "`."));
    }
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    KERAS_CHECK(outputs[i].defined(), ValueError, "Model ", name, ": output ", i, " is undefined");
  }
  // An input given twice would need two values for one tensor (Keras 2; outputs may repeat).
  std::set<TensorKey> seen;
  for (const KerasTensor& x : inputs) {
    if (seen.insert(key_of(x)).second) continue;
    std::string found = "[";
    for (size_t i = 0; i < inputs.size(); ++i) found += (i ? ", " : "") + to_string(inputs[i]);
    throw ValueError(
        str("The list of inputs passed to the model is redundant. All inputs should "
            "only appear once. Found: ",
            found, "]"));
  }
}

// Depth-first from the outputs (Keras's build_map): nodes in post-order, layers in traversal
// order with their indices. A node reached again while in progress is a cycle.
struct Traversal {
  std::vector<const Node*> post_order;
  std::unordered_map<const Layer*, int> layer_indices;
  std::vector<std::shared_ptr<Layer>> layer_refs;
};
Traversal traverse(const KerasTensors& outputs) {
  Traversal tr;
  std::set<const Node*> finished, in_progress;
  std::function<void(const KerasTensor&)> build_map = [&](const KerasTensor& t) {
    const Node* node = t.layer()->inbound_nodes().at(t.node_index()).get();
    if (in_progress.contains(node)) {
      throw ValueError(str("The tensor ", to_string(t), " at layer \"", t.layer()->name(),
                           "\" is part of a cycle."));
    }
    if (finished.contains(node)) return;
    if (!tr.layer_indices.contains(t.layer().get())) {
      tr.layer_indices.emplace(t.layer().get(), static_cast<int>(tr.layer_indices.size()));
      tr.layer_refs.push_back(t.layer());
    }
    in_progress.insert(node);
    for (const KerasTensor& x : node->required_tensors()) build_map(x);
    finished.insert(node);
    in_progress.erase(node);
    tr.post_order.push_back(node);
  };
  for (const KerasTensor& t : outputs) build_map(t);
  return tr;
}

// Depths (Keras 2's rules): outputs at 0, each inbound node at least one deeper; a layer at the
// deepest of its nodes. Inputs that feed no output join the graph at depth 0.
struct Depths {
  std::unordered_map<const Node*, int> node_depth;
  std::vector<const Node*> depth_order;  // insertion order of node_depth, as Python's dict
  std::unordered_map<const Layer*, int> layer_depth;
  void set(const Node* n, int d) {
    if (!node_depth.contains(n)) depth_order.push_back(n);
    node_depth[n] = d;
  }
};
Depths assign_depths(Traversal& tr, const KerasTensors& inputs) {
  Depths dp;
  for (auto it = tr.post_order.rbegin(); it != tr.post_order.rend(); ++it) {
    const Node* node = *it;
    int depth = dp.node_depth.contains(node) ? dp.node_depth[node] : 0;
    if (!dp.node_depth.contains(node)) dp.set(node, 0);
    auto prev = dp.layer_depth.find(node->outbound_layer);
    depth = std::max(depth, prev != dp.layer_depth.end() ? prev->second : 0);
    dp.layer_depth[node->outbound_layer] = depth;
    dp.set(node, depth);
    for (const KerasTensor& x : node->required_tensors()) {
      const Node* inbound = x.layer()->inbound_nodes().at(x.node_index()).get();
      const int previous = dp.node_depth.contains(inbound) ? dp.node_depth[inbound] : 0;
      dp.set(inbound, std::max(depth + 1, previous));
    }
  }
  // As in Keras's map_graph: an unused input is first among the layers of depth 0.
  for (const KerasTensor& x : inputs) {
    const Node* node = x.layer()->inbound_nodes().at(x.node_index()).get();
    if (dp.layer_depth.contains(x.layer().get()) || !node->is_input()) continue;
    dp.layer_depth[x.layer().get()] = 0;
    tr.layer_indices[x.layer().get()] = -1;
    tr.layer_refs.push_back(x.layer());
    dp.set(node, 0);
  }
  return dp;
}

// Layers by decreasing depth, ties in traversal order.
std::vector<std::shared_ptr<Layer>> sorted_layers(Traversal& tr, Depths& dp) {
  std::vector<std::shared_ptr<Layer>> sorted = tr.layer_refs;
  std::stable_sort(sorted.begin(), sorted.end(), [&](const auto& a, const auto& b) {
    const int da = dp.layer_depth[a.get()], db = dp.layer_depth[b.get()];
    if (da != db) return da > db;
    return tr.layer_indices[a.get()] < tr.layer_indices[b.get()];
  });
  return sorted;
}

void check_unique_names(const std::vector<std::shared_ptr<Layer>>& layers) {
  std::map<std::string, int> counts;
  for (const auto& l : layers) ++counts[l->name()];
  for (const auto& l : layers) {
    KERAS_CHECK(counts[l->name()] == 1, ValueError, "The name \"", l->name(), "\" is used ",
                counts[l->name()], " times in the model. All layer names should be unique.");
  }
}

}  // namespace

FunctionalImpl::FunctionalImpl(NestedTensors inputs, NestedTensors outputs, std::string name)
    : Layer(std::move(name), "model") {
  autocast_ = false;
  init_graph(inputs.flatten(), outputs.flatten());
  input_structure_ = std::move(inputs);
  output_structure_ = std::move(outputs);
}

FunctionalImpl::FunctionalImpl(std::string name) : Layer(std::move(name), "sequential") {
  autocast_ = false;
}

// Nodes in execution order (deepest first); every tensor must be computable from the inputs.
void FunctionalImpl::order_nodes(const KerasTensors& inputs) {
  std::set<TensorKey> computable;
  for (const KerasTensor& x : inputs) computable.insert(key_of(x));
  std::vector<std::string> accessed;
  nodes_.clear();
  for (int d = static_cast<int>(nodes_by_depth_.size()) - 1; d >= 0; --d) {
    for (const Node* node : nodes_by_depth_[d]) {
      for (const KerasTensor& x : required_tensors(*node)) {
        if (!computable.contains(key_of(x))) {
          throw ValueError(str("Graph disconnected: cannot obtain value for tensor ", to_string(x),
                               " at layer \"", node->outbound_layer->name(),
                               "\". The following previous layers were accessed without issue: ",
                               internal::names_list(accessed)));
        }
      }
      for (size_t i = 0; i < node->outputs.size(); ++i) {
        computable.insert({node->outbound_layer, node->index, static_cast<int>(i)});
      }
      accessed.push_back(node->outbound_layer->name());
      nodes_.push_back(node);
    }
  }
}

// The execution plan: a slot per tensor, a step per node (InputLayer nodes just hold the
// inputs), and for batch-independent layers called several times, the later calls that may run
// with an earlier one as one batched call.
void FunctionalImpl::plan_steps(const KerasTensors& inputs, const KerasTensors& outputs) {
  std::map<TensorKey, int> slot_of;
  auto slot = [&](const TensorKey& k) {
    auto it = slot_of.find(k);
    if (it != slot_of.end()) return it->second;
    return slot_of[k] = static_cast<int>(slot_of.size());
  };
  input_slots_.clear();
  for (const KerasTensor& x : inputs) input_slots_.push_back(slot(key_of(x)));
  steps_.clear();
  for (const Node* node : nodes_) {
    if (node->is_input()) continue;
    Step step{node->outbound_layer, node, {}, {}, {}, node->training, {}};
    for (const KerasTensor& x : node->input_tensors) step.input_slots.push_back(slot(key_of(x)));
    for (const KerasTensor& m : node->masks)
      step.mask_slots.push_back(m.defined() ? slot(key_of(m)) : -1);
    for (size_t i = 0; i < node->outputs.size(); ++i) {
      step.output_slots.push_back(slot({node->outbound_layer, node->index, static_cast<int>(i)}));
    }
    steps_.push_back(std::move(step));
  }
  for (size_t k = 0; k < steps_.size(); ++k) {
    if (!steps_[k].layer->batch_independent() || !steps_[k].mask_slots.empty()) continue;
    for (size_t j = k + 1; j < steps_.size(); ++j) {
      const auto* custom = dynamic_cast<const layers::CustomCallArguments*>(steps_[k].layer);
      if (steps_[j].layer == steps_[k].layer && steps_[j].mask_slots.empty() &&
          steps_[j].training == steps_[k].training &&
          (custom == nullptr || custom->same_call(*steps_[j].node, *steps_[k].node))) {
        steps_[k].same_layer_later.push_back(j);
      }
    }
  }
  output_slots_.clear();
  for (const KerasTensor& x : outputs) output_slots_.push_back(slot(key_of(x)));
  num_slots_ = static_cast<int>(slot_of.size());
  pair_convolutions_with_max_pooling();
}

// A Conv2D whose output only a MaxPooling2D step reads (as its one input, without masks), neither
// layer called again later in the graph (checked again at each call): the pair runs as one op,
// which pools in the convolution's output pass.
void FunctionalImpl::pair_convolutions_with_max_pooling() {
  std::vector<int> readers(static_cast<size_t>(num_slots_), 0);
  for (const Step& s : steps_) {
    for (int i : s.input_slots) ++readers[i];
    for (int m : s.mask_slots) {
      if (m >= 0) ++readers[m];
    }
  }
  for (int o : output_slots_) ++readers[o];
  for (size_t k = 0; k < steps_.size(); ++k) {
    Step& conv = steps_[k];
    if (conv.output_slots.size() != 1 || conv.input_slots.size() != 1 || !conv.mask_slots.empty() ||
        !conv.same_layer_later.empty() || readers[conv.output_slots[0]] != 1) {
      continue;
    }
    for (size_t j = k + 1; j < steps_.size(); ++j) {
      const Step& pool = steps_[j];
      if (pool.input_slots.size() != 1 || pool.input_slots[0] != conv.output_slots[0]) continue;
      if (pool.output_slots.size() == 1 && pool.mask_slots.empty() &&
          pool.same_layer_later.empty() &&
          layers::internal::fuses_with_max_pool(*conv.layer, *pool.layer)) {
        conv.max_pool_step = static_cast<int>(j);
      }
      break;
    }
  }
}

void FunctionalImpl::clear_graph() {
  inputs_.clear();
  outputs_.clear();
  input_structure_ = output_structure_ = NestedTensors();
  layers_.clear();
  nodes_.clear();
  nodes_by_depth_.clear();
  steps_.clear();
  input_slots_.clear();
  output_slots_.clear();
  num_slots_ = 0;
  input_spec_.clear();
  set_built(false);
}

void FunctionalImpl::init_graph(KerasTensors inputs, KerasTensors outputs) {
  check_endpoints(inputs, outputs, name());
  Traversal tr = traverse(outputs);
  Depths dp = assign_depths(tr, inputs);
  int max_depth = 0;
  for (const auto& [n, d] : dp.node_depth) max_depth = std::max(max_depth, d);
  nodes_by_depth_.assign(static_cast<size_t>(max_depth) + 1, {});
  for (const Node* n : dp.depth_order) nodes_by_depth_[dp.node_depth[n]].push_back(n);
  std::vector<std::shared_ptr<Layer>> sorted = sorted_layers(tr, dp);
  order_nodes(inputs);
  check_unique_names(sorted);
  plan_steps(inputs, outputs);

  inputs_ = std::move(inputs);
  outputs_ = std::move(outputs);
  input_structure_ = NestedTensors(inputs_);
  output_structure_ = NestedTensors(outputs_);
  layers_ = std::move(sorted);
  std::vector<TensorSpec> specs;
  for (const KerasTensor& t : outputs_) specs.push_back(t.spec());
  set_node0(inputs_, std::move(specs));
  // Calls on new tensors are checked against the inputs' ranks and known dimensions (a trailing
  // axis of 1 may be missing or extra: call() adjusts the rank, as Keras 3).
  input_spec_.clear();
  for (const KerasTensor& t : inputs_) {
    layers::InputSpec spec{.ndim = t.rank(), .allow_last_axis_squeeze = true};
    for (int d = 1; d < t.rank(); ++d) {
      if (t.shape()[d] != kNone) spec.axes[d] = t.shape()[d];
    }
    input_spec_.push_back(spec);
  }
  set_built(true);
}

KerasTensors FunctionalImpl::get_outputs_at(int node_index) const {
  if (has_graph() && node_index_at(node_index, "output") == 0) return outputs_;
  return Layer::get_outputs_at(node_index);
}

KerasTensors FunctionalImpl::get_inputs_at(int node_index) const {
  if (has_graph() && node_index_at(node_index, "input") == 0) return inputs_;
  return Layer::get_inputs_at(node_index);
}

// A shared layer called on several tensors of the same shape (the guide's shared LSTM, a shared
// vision model) runs once on their concatenation: one large GEMM instead of several small ones.
// Only batch-independent layers qualify (each sample's result is the same either way).
void FunctionalImpl::run_batched(size_t k,
                                 std::vector<Tensor>& values,
                                 std::vector<char>& done,
                                 bool model_training) {
  const Step& step = steps_[k];
  const bool training = step.training.value_or(model_training);
  auto args_of = [&](const Step& s) {
    Tensors a;
    for (int slot : s.input_slots) a.push_back(values[slot]);
    // Explicit masks: the input as a view of its own (the producer's tensor, which other steps
    // may read, keeps its mask) carrying the given mask.
    for (size_t i = 0; i < s.mask_slots.size(); ++i) {
      if (s.mask_slots[i] < 0) continue;
      Tensor mask = values[s.mask_slots[i]];
      if (mask.dtype() != bool_) mask = ops::cast(mask, bool_);
      a[i] = ops::reshape(a[i], a[i].shape());
      a[i].set_keras_mask(mask);
    }
    return a;
  };
  const Tensors first = args_of(step);
  auto compatible = [&](const Tensors& a) {
    for (size_t i = 0; i < a.size(); ++i) {
      if (!a[i].defined() || a[i].shape() != first[i].shape() || a[i].dtype() != first[i].dtype() ||
          a[i].keras_mask().defined() || first[i].keras_mask().defined() || first[i].rank() == 0) {
        return false;
      }
    }
    return true;
  };
  std::vector<size_t> group{k};
  std::vector<Tensors> group_args{first};
  // Joining pays where the calls are small (training batches of 32 become one GEMM of 64 rows);
  // from kJoinBelowRows rows a call fills the kernels by itself, and joining would only copy the
  // inputs (shared_lstm's predict: 73 MB a batch of 256) and split the outputs.
  constexpr int64_t kJoinBelowRows = 128;
  const bool small = first.empty() || !first[0].defined() || first[0].rank() == 0 ||
                     first[0].dim(0) < kJoinBelowRows;
  // A batched call would divide the activity penalty by the joined batch (Keras: per call).
  for (size_t j : step.layer->activity_regularizer() || !small ? std::vector<size_t>{}
                                                               : step.same_layer_later) {
    if (done[j]) continue;
    Tensors a = args_of(steps_[j]);
    if (!compatible(a)) continue;
    group.push_back(j);
    group_args.push_back(std::move(a));
  }
  // A layer taking other call arguments (attention) runs with those of this node.
  auto* custom = dynamic_cast<layers::CustomCallArguments*>(step.layer);
  auto run = [&](const Tensors& a) {
    return custom != nullptr ? custom->call_node(*step.node, a, training)
                             : step.layer->call_with_masks(a, training);
  };
  Tensors outputs;
  if (group.size() == 1) {
    outputs = run(first);
  } else {
    Tensors joined;
    for (size_t i = 0; i < first.size(); ++i) {
      Tensors parts;
      for (const Tensors& a : group_args) parts.push_back(a[i]);
      joined.push_back(ops::concatenate(parts, 0));
    }
    outputs = run(joined);
  }
  for (size_t g = 0; g < group.size(); ++g) {
    const Step& s = steps_[group[g]];
    KERAS_CHECK(outputs.size() == s.output_slots.size(), RuntimeError, "layer ", s.layer->name(),
                " returned ", outputs.size(), " outputs, expected ", s.output_slots.size());
    done[group[g]] = 1;
  }
  for (size_t i = 0; i < outputs.size(); ++i) {
    const Tensors parts = group.size() == 1
                              ? Tensors{outputs[i]}
                              : ops::split(outputs[i], static_cast<int64_t>(group.size()), 0);
    const Tensor mask = outputs[i].keras_mask();
    const Tensors masks = mask.defined() && group.size() > 1
                              ? ops::split(mask, static_cast<int64_t>(group.size()), 0)
                              : Tensors(group.size(), mask);
    for (size_t g = 0; g < group.size(); ++g) {
      if (group.size() > 1 && masks[g].defined()) parts[g].set_keras_mask(masks[g]);
      values[steps_[group[g]].output_slots[i]] = parts[g];
    }
  }
}

int FunctionalImpl::max_pool_pairs() const {
  return static_cast<int>(std::count_if(steps_.begin(), steps_.end(),
                                        [](const Step& s) { return s.max_pool_step >= 0; }));
}

bool FunctionalImpl::traceable() const {
  return std::all_of(steps_.begin(), steps_.end(),
                     [](const Step& s) { return s.layer->traceable(); });
}

bool FunctionalImpl::batch_independent() const {
  if (!has_graph()) return false;
  return std::all_of(steps_.begin(), steps_.end(),
                     [](const Step& s) { return s.layer->batch_independent(); });
}

Tensors FunctionalImpl::call(const Tensors& inputs, bool training) {
  KERAS_CHECK(has_graph(), ValueError, "Model ", name(), " has no graph yet");
  const layers::CallScope scope(*this);
  KERAS_CHECK(inputs.size() == inputs_.size(), ValueError, "Layer \"", name(), "\" expects ",
              inputs_.size(), " input(s), but it received ", inputs.size(), " input tensors.");
  std::vector<Tensor> values(static_cast<size_t>(num_slots_));
  for (size_t i = 0; i < inputs.size(); ++i) {
    // As Keras: each input has its Input's rank (adjust_input_rank) and dtype (1.7 into an int32
    // Input is 1).
    const Tensor x = layers::internal::adjust_input_rank(inputs[i], inputs_[i].shape());
    const DType want = inputs_[i].dtype();
    if (!x.defined() || x.dtype() == want) {
      values[input_slots_[i]] = x;
      continue;
    }
    KERAS_CHECK(want != string_ && x.dtype() != string_, TypeError, "Input ", i, " ('",
                inputs_[i].name(), "') of model '", name(), "' has dtype ", want,
                "; it received a tensor of dtype ", x.dtype(),
                " (strings and numbers do not convert)");
    Tensor converted = ops::cast(x, want);
    if (x.keras_mask().defined()) converted.set_keras_mask(x.keras_mask());
    values[input_slots_[i]] = converted;
  }
  std::vector<char> done(steps_.size(), 0);
  for (size_t k = 0; k < steps_.size(); ++k) {
    if (done[k]) continue;
    const Step& step = steps_[k];
    const Tensor& x = step.input_slots.empty() ? Tensor() : values[step.input_slots[0]];
    const Step* pool =
        step.max_pool_step >= 0 ? &steps_[static_cast<size_t>(step.max_pool_step)] : nullptr;
    // (the layers' configs again: an activity regularizer may have been set since the plan)
    if (pool != nullptr && x.defined() && x.rank() == 4 && !x.keras_mask().defined() &&
        layers::internal::fuses_with_max_pool(*step.layer, *pool->layer)) {
      values[pool->output_slots[0]] = layers::internal::conv_max_pool(*step.layer, *pool->layer, x);
      done[k] = done[static_cast<size_t>(step.max_pool_step)] = 1;
      continue;
    }
    run_batched(k, values, done, training);
  }
  Tensors outputs;
  for (int s : output_slots_) outputs.push_back(values[s]);
  return outputs;
}

std::vector<Shape> FunctionalImpl::compute_output_shape(const std::vector<Shape>& in) const {
  // Inputs of the graph's own shapes (up to the batch size): the recorded output shapes.
  bool same = in.size() == inputs_.size();
  for (size_t i = 0; same && i < in.size(); ++i) {
    const Shape& own = inputs_[i].shape();
    same =
        in[i].size() == own.size() && std::equal(in[i].begin() + (in[i].empty() ? 0 : 1),
                                                 in[i].end(), own.begin() + (own.empty() ? 0 : 1));
  }
  if (!same && in.size() == inputs_.size() && has_graph()) {
    // Other shapes (a model built on (None, None, 3) called on (250, 250, 3) images): propagate
    // them through the graph, as Keras does, so the outputs get the dims the layers compute.
    std::vector<Shape> shapes(static_cast<size_t>(num_slots_));
    for (size_t i = 0; i < in.size(); ++i) shapes[input_slots_[i]] = in[i];
    std::vector<Shape> args;
    for (const Step& step : steps_) {
      args.clear();
      for (int s : step.input_slots) args.push_back(shapes[s]);
      std::vector<Shape> outs = step.layer->compute_output_shape(args);
      for (size_t i = 0; i < outs.size() && i < step.output_slots.size(); ++i) {
        shapes[step.output_slots[i]] = std::move(outs[i]);
      }
    }
    std::vector<Shape> out;
    for (int s : output_slots_) out.push_back(shapes[s]);
    return out;
  }
  std::vector<Shape> out;
  for (const KerasTensor& t : outputs_) {
    Shape s = t.shape();
    if (!s.empty() && !in.empty() && !in[0].empty()) s[0] = in[0][0];
    out.push_back(s);
  }
  return out;
}

std::vector<DType> FunctionalImpl::compute_output_dtype(const std::vector<DType>&, size_t) const {
  std::vector<DType> out;
  for (const KerasTensor& t : outputs_) out.push_back(t.dtype());
  return out;
}

std::vector<Variable> FunctionalImpl::weights() const {
  std::vector<Variable> out;
  for (const auto& l : layers_) {
    for (const Variable& v : l->weights()) {
      if (std::find(out.begin(), out.end(), v) == out.end()) out.push_back(v);
    }
  }
  return out;
}

std::vector<Generator*> FunctionalImpl::seed_generators() {
  std::vector<Generator*> out;
  for (const auto& l : layers_) {
    for (Generator* g : l->seed_generators()) {
      if (std::find(out.begin(), out.end(), g) == out.end()) out.push_back(g);
    }
  }
  return out;
}

void FunctionalImpl::clear_losses() {
  Layer::clear_losses();
  for (const auto& l : layers_) l->clear_losses();
}

Tensors FunctionalImpl::losses() const {
  Tensors out = Layer::losses();
  for (const auto& l : layers_) {
    for (const Tensor& t : l->losses()) out.push_back(t);
  }
  return out;
}

void FunctionalImpl::set_trainable(bool trainable) {
  Layer::set_trainable(trainable);
  for (const auto& l : layers_) l->set_trainable(trainable);
}

std::shared_ptr<Layer> FunctionalImpl::get_layer(const std::string& layer_name) const {
  for (const auto& l : layers_) {
    if (l->name() == layer_name) return l;
  }
  std::vector<std::string> names;
  for (const auto& l : layers_) names.push_back(l->name());
  internal::throw_no_such_layer(layer_name, names);
}

std::shared_ptr<Layer> FunctionalImpl::get_layer(int index) const {
  return layers_[internal::layer_position(index, layers_.size())];
}

trainers::Trainer& FunctionalImpl::trainer() {
  if (!trainer_) trainer_ = std::make_unique<trainers::Trainer>(*this, internal::model_saver());
  trainers::ModelSignature sig = signature();
  sig.predict_rows = internal::predict_rows_at_a_time(*this);
  trainer_->set_signature(std::move(sig));
  return *trainer_;
}

trainers::ModelSignature FunctionalImpl::signature() const {
  trainers::ModelSignature sig;
  sig.input_names = input_structure_.flat_keys();
  if (sig.input_names.empty()) sig.input_names = input_names();
  sig.output_names = output_structure_.flat_keys();
  if (sig.output_names.empty()) sig.output_names = output_names();
  if (input_structure_.is_dict()) {
    std::vector<std::string> given;
    for (const auto& item : input_structure_.items()) given.push_back(item.first);
    if (!std::is_sorted(given.begin(), given.end())) {
      sig.unsorted_dict_inputs =
          input_structure_.str([](const KerasTensor& t) { return "'" + t.layer()->name() + "'"; });
    }
  }
  for (const KerasTensor& t : inputs_) sig.input_specs.push_back(t.spec());
  for (const KerasTensor& t : outputs_) sig.output_specs.push_back(t.spec());
  return sig;
}

std::vector<std::string> FunctionalImpl::input_names() const {
  std::vector<std::string> out;
  for (const KerasTensor& t : inputs_) out.push_back(t.layer()->name());
  return out;
}

std::vector<std::string> FunctionalImpl::output_names() const {
  std::vector<std::string> out;
  for (const KerasTensor& t : outputs_) out.push_back(t.layer()->name());
  return out;
}

}  // namespace keras::models
