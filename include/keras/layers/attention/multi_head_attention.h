// MultiHeadAttention (keras.layers.MultiHeadAttention): scaled dot-product attention with
// num_heads heads, projections as Keras 3's EinsumDense sublayers.
//
//   auto x = layers::MultiHeadAttention(4, 32)(query, value);                 // key = value
//   auto y = layers::MultiHeadAttention(2, 16)(x, x, {.use_causal_mask = true});
//   auto [out, scores] = two(mha.call_multi(q, v, {.return_attention_scores = true}));
//
// Shapes: query (B, T..., dim_q), value (B, S..., dim_v), key (B, S..., dim_k) (default value).
// Output (B, T..., dim_q) or (B, T..., *output_shape); attention scores (B, <non-attention axes>,
// num_heads, <query attention axes>, <key attention axes>), e.g. (B, num_heads, T, S).
// Weights, in Keras's order and with its shapes: query/kernel (dim_q, num_heads, key_dim),
// query/bias (num_heads, key_dim), key/kernel (dim_k, num_heads, key_dim), key/bias,
// value/kernel (dim_v, num_heads, value_dim), value/bias (num_heads, value_dim),
// attention_output/kernel (num_heads, value_dim, *output_shape), attention_output/bias
// (*output_shape) (no biases when use_bias is false). Saved as Keras 3 saves its sublayers
// (query_dense/vars, key_dense/vars, value_dense/vars, output_dense/vars; legacy .h5 names
// "<name>/query/kernel", ...).
//
// Masks, as Keras 3 combines them (_compute_attention_mask): the Keras masks of query (B, T)
// and value (B, S) (and key, when given) give query_mask[..., None] & value_mask[..., None, :],
// ANDed with the causal mask (row >= column) when use_causal_mask and with attention_mask (B, T,
// S) when given; masked scores take no part in the softmax (one fused masked_softmax over all
// heads). A query row masked everywhere gives zeros, except where Keras 3 runs
// ops.dot_product_attention (no dropout, no returned scores, 3-D query), which gives equal
// weights there: keras.cpp follows both. The outputs carry the query's mask.
// As Keras 3's call does, MultiHeadAttention (not GroupQueryAttention) then removes the masks of
// its query, value and key tensors: in a model, a later layer reading the same tensor sees no
// mask (Keras 3 runs nodes in its order; so does keras.cpp).
//
// Computation: one GEMM per projection over all positions, one batched GEMM over batch x heads
// for the scores and one for the context, no loop over heads.
//
// Each call (node) has its own arguments (key given or not, attention_mask given or not,
// use_causal_mask, return_attention_scores), as in Keras: one layer may be called with a causal
// mask and again without, and a model runs (and saves) each node with its own. Eager calls
// (layer({q, v})) take the arguments of its first symbolic call (or those set_signature gave
// before any), else the defaults: inputs [query, value, key?, attention_mask?].
//
// use_gate (Keras 3.15): a sigmoid gate, projected from the query like the value heads (weights
// gate/kernel (dim_q, num_heads, value_dim) and gate/bias (num_heads, value_dim), saved under
// _gate_dense/vars, between key and value in the weights' order), multiplies each head's
// attention output before the output projection. sliding_window w (Keras 3.15): query position t
// attends only to key positions s with |t - s| < w (a symmetric band; with use_causal_mask, the
// causal sliding window), ANDed with the other masks like the causal mask.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/layers/attention/attention_layer.h"

namespace keras::layers {

struct MultiHeadAttentionOptions {
  std::optional<int64_t> value_dim = std::nullopt;  // default key_dim
  double dropout = 0.0;                             // on the attention probabilities
  bool use_bias = true;
  std::optional<std::vector<int64_t>> output_shape = std::nullopt;  // default: query's last dim
  std::optional<std::vector<int>> attention_axes = std::nullopt;    // default: all but batch/last
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::optional<uint64_t> seed = std::nullopt;  // dropout's
  std::string name = {};
  bool use_gate = false;                                 // a sigmoid gate on each head's output
  std::optional<int64_t> sliding_window = std::nullopt;  // attend only where |t - s| < w
};

class MultiHeadAttentionImpl : public AttentionLayer {
 public:
  MultiHeadAttentionImpl(int64_t num_heads, int64_t key_dim, MultiHeadAttentionOptions options);
  std::string class_name() const override { return "MultiHeadAttention"; }
  bool batch_independent() const override { return true; }
  bool supports_masking() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  Json get_config() const override;
  Json get_build_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<VariableGroup> saved_variables() const override;
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }
  SavedCallTensors bind_saved_call(const Json& args, const Json& kwargs) override;
  Json saved_call(const Node& node,
                  const std::vector<Json>& inputs,
                  const std::vector<Json>& masks) const override;
  int64_t num_heads() const { return num_heads_; }
  int64_t key_dim() const { return key_dim_; }
  int64_t value_dim() const { return value_dim_; }

 protected:
  // ValueError unless `in` has the call's inputs: query, value, then key and attention_mask when
  // the call passes them.
  void check_input_count(const std::vector<Shape>& in) const;
  // For GroupQueryAttention: num_heads query heads sharing kv_heads key/value heads.
  MultiHeadAttentionImpl(int64_t num_heads,
                         int64_t kv_heads,
                         int64_t key_dim,
                         MultiHeadAttentionOptions options,
                         std::string_view prefix);
  // The projection of x (B, ..., C) by kernel (C, heads, dim) and bias (heads, dim).
  static Tensor project(const Tensor& x, const Variable& kernel, const Variable& bias);
  // Attention of projected q (B, T..., Nq, dk), k (B, S..., N, dk), v (B, S..., N, dv) with the
  // combined boolean mask (undefined = none): context (B, T..., Nq, dv) and the probabilities in
  // Keras's scores layout. Query heads share key/value heads in groups of Nq / N.
  struct Attended {
    Tensor context, scores;
  };
  Attended attend(const Tensor& q,
                  const Tensor& k,
                  const Tensor& v,
                  const Tensor& mask,
                  bool training,
                  bool uniform_empty_rows);
  // Keras's _compute_attention_mask from the inputs' Keras masks, attention_mask and the causal
  // mask (undefined when there is nothing to mask).
  Tensor attention_mask(const Tensors& inputs) const;
  virtual bool clears_input_masks() const { return true; }

  int64_t num_heads_, kv_heads_, key_dim_, value_dim_;
  MultiHeadAttentionOptions options_;
  std::vector<int> axes_;  // attention axes of the query (1..rank-2), sorted, after build
  std::optional<Generator> generator_;
  Variable query_kernel_, query_bias_, key_kernel_, key_bias_, gate_kernel_, gate_bias_,
      value_kernel_, value_bias_, output_kernel_, output_bias_;
};

class MultiHeadAttention : public LayerHandle<MultiHeadAttentionImpl> {
 public:
  MultiHeadAttention(int64_t num_heads, int64_t key_dim, MultiHeadAttentionOptions options = {})
      : LayerHandle(
            std::make_shared<MultiHeadAttentionImpl>(num_heads, key_dim, std::move(options))) {}
  using LayerRef::call_multi;
  using LayerRef::operator();
  // The attention output (a ValueError when return_attention_scores is set: use call_multi).
  KerasTensor operator()(const KerasTensor& query,
                         const KerasTensor& value,
                         const AttentionCallOptions& options = {}) const;
  // [output] or [output, attention scores].
  KerasTensors call_multi(const KerasTensor& query,
                          const KerasTensor& value,
                          const AttentionCallOptions& options = {}) const;
};

}  // namespace keras::layers
