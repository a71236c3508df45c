#include "keras/layers/attention/attention_layer.h"

namespace keras::layers {

namespace {
const AttentionSignature kDefaultCall{};
}  // namespace

void AttentionLayer::set_signature(const AttentionSignature& s) {
  const size_t next = inbound_nodes().size();
  if (by_node_.size() <= next) by_node_.resize(next + 1);
  by_node_[next] = s;
}

const AttentionSignature& AttentionLayer::signature_of(size_t index) const {
  if (index < by_node_.size() && by_node_[index]) return *by_node_[index];
  // A node made by a plain Layer call (no set_signature) takes node 0's arguments.
  return index > 0 && !by_node_.empty() && by_node_[0] ? *by_node_[0] : kDefaultCall;
}

const AttentionSignature& AttentionLayer::signature() const {
  if (active_ != nullptr) return *active_;
  const size_t next = inbound_nodes().size();
  if (next < by_node_.size() && by_node_[next]) return *by_node_[next];
  return signature_of(0);
}

Tensors AttentionLayer::compute_mask(const Tensors& inputs,
                                     const Tensors& masks,
                                     const Tensors& outputs) const {
  Tensors out = Layer::compute_mask(inputs, masks, outputs);
  for (size_t i = 1; i < out.size(); ++i) out[i] = Tensor();
  return out;
}

Tensors AttentionLayer::call_node(const Node& node, const Tensors& inputs, bool training) {
  const AttentionSignature* outer = active_;
  active_ = &signature_of(static_cast<size_t>(node.index));
  struct Restore {
    const AttentionSignature*& slot;
    const AttentionSignature* value;
    ~Restore() { slot = value; }
  } restore{active_, outer};
  return call_with_masks(inputs, training);
}

bool AttentionLayer::same_call(const Node& a, const Node& b) const {
  return signature_of(static_cast<size_t>(a.index)) == signature_of(static_cast<size_t>(b.index));
}

KerasTensors call_attention(AttentionLayer& layer,
                            const KerasTensor& query,
                            const KerasTensor& value,
                            const AttentionCallOptions& o) {
  layer.set_signature({.has_key = o.key.defined(),
                       .has_attention_mask = o.attention_mask.defined(),
                       .return_attention_scores = o.return_attention_scores,
                       .use_causal_mask = o.use_causal_mask});
  KerasTensors inputs{query, value};
  if (o.key.defined()) inputs.push_back(o.key);
  if (o.attention_mask.defined()) inputs.push_back(o.attention_mask);
  return layer(inputs);
}

}  // namespace keras::layers
