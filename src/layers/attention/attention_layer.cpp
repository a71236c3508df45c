#include "keras/layers/attention/attention_layer.h"

namespace keras::layers {

namespace {
const AttentionSignature kDefaultCall{};
}  // namespace

void AttentionLayer::set_signature(const AttentionSignature& s) {
  arguments_.set(inbound_nodes().size(), s);
}

const AttentionSignature& AttentionLayer::signature_of(size_t index) const {
  // A node made by a plain Layer call (no set_signature) takes node 0's arguments.
  return arguments_.of(index, index > 0 ? arguments_.of(0, kDefaultCall) : kDefaultCall);
}

const AttentionSignature& AttentionLayer::signature() const {
  return arguments_.current(inbound_nodes().size(), signature_of(0));
}

Tensors AttentionLayer::compute_mask(const Tensors& inputs,
                                     const Tensors& masks,
                                     const Tensors& outputs) const {
  Tensors out = Layer::compute_mask(inputs, masks, outputs);
  for (size_t i = 1; i < out.size(); ++i) out[i] = Tensor();
  return out;
}

Tensors AttentionLayer::call_node(const Node& node, const Tensors& inputs, bool training) {
  const ArgumentsByNode<AttentionSignature>::Scope scope(
      arguments_, signature_of(static_cast<size_t>(node.index)));
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
