// AdditiveAttention (keras.layers.AdditiveAttention): Bahdanau-style attention, scores
// sum(scale * tanh(query[:, :, None] + key[:, None]), -1) with the trainable `scale` (dim,)
// (glorot_uniform) when use_scale (the default). Inputs, masks, outputs and call arguments as
// Attention (attention.h).
#pragma once

#include "keras/layers/attention/attention.h"

namespace keras::layers {

struct AdditiveAttentionOptions {
  bool use_scale = true;
  double dropout = 0.0;
  std::optional<uint64_t> seed = std::nullopt;
  std::string name = {};
};

using AdditiveAttentionImpl = AttentionImpl;

class AdditiveAttention : public LayerHandle<AttentionImpl> {
 public:
  explicit AdditiveAttention(AdditiveAttentionOptions o = {})
      : LayerHandle(std::make_shared<AttentionImpl>(AttentionOptions{.use_scale = o.use_scale,
                                                                     .score_mode = "dot",
                                                                     .dropout = o.dropout,
                                                                     .seed = o.seed,
                                                                     .name = std::move(o.name)},
                                                    true)) {}
  using LayerRef::call_multi;
  using LayerRef::operator();
  KerasTensors call_multi(const KerasTensors& inputs, const AttentionCallOptions& options) const;
  KerasTensor operator()(const KerasTensors& inputs, const AttentionCallOptions& options) const;
};

}  // namespace keras::layers
