// The per-call arguments shared by the attention layers (Attention, AdditiveAttention,
// MultiHeadAttention, GroupQueryAttention): each call (node) has its own key, attention_mask,
// return_attention_scores and use_causal_mask, as in Keras, so one layer may be called with a
// causal mask and again without, and a model runs (and saves) each node with its own.
#pragma once

#include <optional>
#include <string_view>
#include <vector>

#include "keras/layers/call_arguments.h"
#include "keras/layers/layer.h"

namespace keras::layers {

// The call arguments of the attention layers besides query and value.
struct AttentionCallOptions {
  KerasTensor key = {};             // MultiHeadAttention, GroupQueryAttention: default value
  KerasTensor attention_mask = {};  // bool (B, T, S): false = query t may not attend to s
  bool return_attention_scores = false;
  bool use_causal_mask = false;
};

// Which arguments one call takes (internal; see AttentionCallOptions).
struct AttentionSignature {
  bool has_key = false;
  bool has_attention_mask = false;
  bool return_attention_scores = false;
  bool use_causal_mask = false;
  bool operator==(const AttentionSignature&) const = default;
};

// Base of the attention layers: keeps each node's AttentionSignature, set before the symbolic
// call that creates the node, and runs node n with its own (CustomCallArguments).
class AttentionLayer : public Layer, public CustomCallArguments {
 public:
  Tensors call_node(const Node& node, const Tensors& inputs, bool training) final;
  bool same_call(const Node& a, const Node& b) const final;
  // The query's mask for the output only: the attention scores carry none (Keras 3 gives the
  // first output the first call argument's mask).
  Tensors compute_mask(const Tensors& inputs,
                       const Tensors& masks,
                       const Tensors& outputs) const override;
  // Sets the arguments of the next symbolic call (and of eager calls before any).
  void set_signature(const AttentionSignature& signature);
  // The arguments in effect: those of the node being run (call_node), else those of the next
  // node while it is being created, else node 0's (eager calls), else the defaults.
  const AttentionSignature& signature() const;
  // Node `index`'s arguments (node 0's when none were set, else the defaults).
  const AttentionSignature& signature_of(size_t node_index) const;

 protected:
  AttentionLayer(std::string name, std::string_view prefix) : Layer(std::move(name), prefix) {}

 private:
  ArgumentsByNode<AttentionSignature> arguments_;
};

// Sets the signature of `layer` from `options` and calls it on [query, value, key?,
// attention_mask?].
KerasTensors call_attention(AttentionLayer& layer,
                            const KerasTensor& query,
                            const KerasTensor& value,
                            const AttentionCallOptions& options);

}  // namespace keras::layers
