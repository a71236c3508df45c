// GroupQueryAttention (keras.layers.GroupQueryAttention, alias GroupedQueryAttention):
// multi-head attention where num_query_heads query heads share num_key_value_heads key/value
// heads (query head h uses key/value head h / (num_query_heads / num_key_value_heads)).
//
//   auto y = layers::GroupQueryAttention(16, 8, 2)(x, x, {.use_causal_mask = true});
//
// Query (B, T, dim), value (B, S, dim_v), key (B, S, dim_k) (default value); output (B, T, dim),
// scores (B, num_query_heads, T, S). Weights (Keras's order and shapes): query/kernel (dim,
// num_query_heads, head_dim), query/bias, key/kernel (dim_k, num_key_value_heads, head_dim),
// key/bias, value/kernel (dim_v, num_key_value_heads, head_dim), value/bias,
// attention_output/kernel (num_query_heads, head_dim, dim), attention_output/bias (dim), saved
// under _query_dense/vars, _key_dense/vars, _value_dense/vars, _output_dense/vars as Keras 3
// does (with use_gate, gate/kernel (dim, num_query_heads, head_dim) and gate/bias under
// _gate_dense/vars). Masks, call arguments, use_gate, sliding_window and the computation as
// MultiHeadAttention (multi_head_attention.h):
// the shared key/value heads are not repeated, each serves its query heads in one batched GEMM.
#pragma once

#include "keras/layers/attention/multi_head_attention.h"

namespace keras::layers {

struct GroupQueryAttentionOptions {
  double dropout = 0.0;
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::optional<uint64_t> seed = std::nullopt;
  std::string name = {};
  bool use_gate = false;  // gate/kernel (dim, num_query_heads, head_dim), as MultiHeadAttention
  std::optional<int64_t> sliding_window = std::nullopt;  // attend only where |t - s| < w
};

class GroupQueryAttentionImpl final : public MultiHeadAttentionImpl {
 public:
  GroupQueryAttentionImpl(int64_t head_dim,
                          int64_t num_query_heads,
                          int64_t num_key_value_heads,
                          GroupQueryAttentionOptions options);
  std::string class_name() const override { return "GroupQueryAttention"; }
  void build(const std::vector<Shape>& input_shapes) override;
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<VariableGroup> saved_variables() const override;

 protected:
  bool clears_input_masks() const override { return false; }
};

class GroupQueryAttention : public LayerHandle<GroupQueryAttentionImpl> {
 public:
  GroupQueryAttention(int64_t head_dim,
                      int64_t num_query_heads,
                      int64_t num_key_value_heads,
                      GroupQueryAttentionOptions options = {})
      : LayerHandle(std::make_shared<GroupQueryAttentionImpl>(
            head_dim, num_query_heads, num_key_value_heads, std::move(options))) {}
  using LayerRef::call_multi;
  using LayerRef::operator();
  KerasTensor operator()(const KerasTensor& query,
                         const KerasTensor& value,
                         const AttentionCallOptions& options = {}) const;
  KerasTensors call_multi(const KerasTensor& query,
                          const KerasTensor& value,
                          const AttentionCallOptions& options = {}) const;
};

}  // namespace keras::layers
