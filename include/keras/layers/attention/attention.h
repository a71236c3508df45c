// Attention (keras.layers.Attention): Luong-style dot-product attention, or Bahdanau-style with
// score_mode "concat". AdditiveAttention is in additive_attention.h.
//
//   auto ctx = layers::Attention()({query, value});               // key = value
//   auto ctx2 = layers::Attention({.use_scale = true})({query, value, key});
//   auto outs = layers::Attention().call_multi({q, v}, {.return_attention_scores = true});
//
// Inputs [query (B, T, dim), value (B, S, dim_v), key (B, S, dim) (default value)]; output
// (B, T, dim_v), scores (B, T, S) (in training, the weights after dropout, as Keras returns them).
// Inputs of a higher rank, one for all, attend over their second-to-last axis, the leading axes
// batch ((B, H, W, C) gives scores (B, H, W, W)). Scores: "dot" query @ keyᵀ (times `scale` when
// use_scale); "concat" concat_score_weight * sum(tanh(scale * (query[:, :, None] + key[:, None])),
// -1). Weights (Keras's order): scale () when use_scale, concat_score_weight () for "concat". Masks
// as Keras 3: the value's Keras mask (and the causal mask when use_causal_mask) keeps keys out of
// the softmax (one fused masked_softmax); a row with no key left gets equal weights (Keras
// subtracts 1e9 from masked scores, which gives the same up to float32 rounding); the output is 0
// where the query's mask is false and carries that mask. Each call (node) has its own
// return_attention_scores and use_causal_mask, as in Keras (see multi_head_attention.h).
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/attention/multi_head_attention.h"

namespace keras::layers {

struct AttentionOptions {
  bool use_scale = false;
  std::string score_mode = "dot";  // or "concat"
  double dropout = 0.0;            // on the attention weights, in training
  std::optional<uint64_t> seed = std::nullopt;
  std::string name = {};
};

// Attention and AdditiveAttention (additive = true: scores sum(scale * tanh(q + k), -1) with
// scale (dim,) initialized glorot_uniform when use_scale).
class AttentionImpl : public AttentionLayer {
 public:
  AttentionImpl(AttentionOptions options, bool additive);
  std::string class_name() const override { return additive_ ? "AdditiveAttention" : "Attention"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  bool takes_mask_argument() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  static std::shared_ptr<Layer> additive_from_config(const Json& config);
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }
  SavedCallTensors bind_saved_call(const Json& args, const Json& kwargs) override;
  Json saved_call(const Node& node,
                  const std::vector<Json>& inputs,
                  const std::vector<Json>& masks) const override;

 private:
  Tensor scores(const Tensor& q, const Tensor& k) const;

  AttentionOptions options_;
  bool additive_;
  std::optional<Generator> generator_;
  Variable scale_, concat_score_weight_;
};

class Attention : public LayerHandle<AttentionImpl> {
 public:
  explicit Attention(AttentionOptions options = {})
      : LayerHandle(std::make_shared<AttentionImpl>(std::move(options), false)) {}
  using LayerRef::call_multi;
  using LayerRef::operator();
  // [output] or [output, scores]; options.key and options.attention_mask must be empty (give
  // the key as a third input).
  KerasTensors call_multi(const KerasTensors& inputs, const AttentionCallOptions& options) const;
  KerasTensor operator()(const KerasTensors& inputs, const AttentionCallOptions& options) const;
};

}  // namespace keras::layers
