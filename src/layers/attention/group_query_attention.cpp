#include "keras/layers/attention/group_query_attention.h"

#include "keras/config/json.h"
#include "layers/attention/attention_util.h"

namespace keras::layers {

namespace {
MultiHeadAttentionOptions mha_options(const GroupQueryAttentionOptions& o) {
  return {.dropout = o.dropout,
          .use_bias = o.use_bias,
          .kernel_initializer = o.kernel_initializer,
          .bias_initializer = o.bias_initializer,
          .kernel_regularizer = o.kernel_regularizer,
          .bias_regularizer = o.bias_regularizer,
          .activity_regularizer = o.activity_regularizer,
          .kernel_constraint = o.kernel_constraint,
          .bias_constraint = o.bias_constraint,
          .seed = o.seed,
          .name = o.name,
          .use_gate = o.use_gate,
          .sliding_window = o.sliding_window};
}
}  // namespace

GroupQueryAttentionImpl::GroupQueryAttentionImpl(int64_t head_dim,
                                                 int64_t num_query_heads,
                                                 int64_t num_key_value_heads,
                                                 GroupQueryAttentionOptions options)
    : MultiHeadAttentionImpl(num_query_heads,
                             num_key_value_heads,
                             head_dim,
                             mha_options(options),
                             "grouped_query_attention") {
  KERAS_CHECK(num_key_value_heads > 0 && num_query_heads % num_key_value_heads == 0, ValueError,
              "`num_query_heads` must be divisible by `num_key_value_heads`.");
}

void GroupQueryAttentionImpl::build(const std::vector<Shape>& in) {
  check_input_count(in);
  KERAS_CHECK(in.at(0).size() == 3, ValueError, "Layer ", name(),
              " (GroupQueryAttention): query must be (batch, positions, features), got ",
              shape_str(in.at(0)));
  MultiHeadAttentionImpl::build(in);
}

std::vector<Layer::VariableGroup> GroupQueryAttentionImpl::saved_variables() const {
  std::vector<VariableGroup> groups = MultiHeadAttentionImpl::saved_variables();
  for (VariableGroup& g : groups) {
    if (g.path.ends_with("_dense/vars") && !g.path.starts_with("_")) g.path = "_" + g.path;
  }
  return groups;
}

Json GroupQueryAttentionImpl::get_config() const {
  Json c = Layer::get_config();
  const auto& o = options_;
  c["head_dim"] = key_dim_;
  c["num_query_heads"] = num_heads_;
  c["num_key_value_heads"] = kv_heads_;
  c["use_bias"] = o.use_bias;
  c["use_gate"] = o.use_gate;
  c["sliding_window"] = o.sliding_window ? Json(*o.sliding_window) : Json(nullptr);
  c["dropout"] = o.dropout;
  attention_util::write_common_config(
      c, o.kernel_initializer, o.bias_initializer, o.kernel_regularizer, o.bias_regularizer,
      o.activity_regularizer, o.kernel_constraint, o.bias_constraint);
  c["seed"] = o.seed ? Json(*o.seed) : Json(nullptr);
  return c;
}

std::shared_ptr<Layer> GroupQueryAttentionImpl::from_config(const Json& c) {
  const char* w = "GroupQueryAttention";
  GroupQueryAttentionOptions o;
  o.use_gate = config::get<bool>(c, "use_gate", false, w);
  o.sliding_window = attention_util::read_sliding_window(c, w);
  o.dropout = config::get<double>(c, "dropout", 0.0, w);
  o.use_bias = config::get<bool>(c, "use_bias", true, w);
  attention_util::read_common_config(
      c, o.kernel_initializer, o.bias_initializer, o.kernel_regularizer, o.bias_regularizer,
      o.activity_regularizer, o.kernel_constraint, o.bias_constraint);
  if (const Json* v = config::find(c, "seed"); v != nullptr && !v->is_null()) {
    o.seed = config::require<uint64_t>(c, "seed", w);
  }
  o.name = config::get<std::string>(c, "name", "", w);
  const int64_t head_dim = config::require<int64_t>(c, "head_dim", w);
  const int64_t nq = config::require<int64_t>(c, "num_query_heads", w);
  const int64_t nkv = config::require<int64_t>(c, "num_key_value_heads", w);
  KERAS_CHECK(nq < 65536 && nkv < 65536 && head_dim < (int64_t{1} << 24), ValueError, w,
              ": head counts or head_dim out of range");
  auto layer = std::make_shared<GroupQueryAttentionImpl>(head_dim, nq, nkv, std::move(o));
  layer->apply_base_config(c);
  return layer;
}

KerasTensors GroupQueryAttention::call_multi(const KerasTensor& query,
                                             const KerasTensor& value,
                                             const AttentionCallOptions& options) const {
  return call_attention(*operator->(), query, value, options);
}

KerasTensor GroupQueryAttention::operator()(const KerasTensor& query,
                                            const KerasTensor& value,
                                            const AttentionCallOptions& options) const {
  KERAS_CHECK(!options.return_attention_scores, ValueError,
              "GroupQueryAttention: with return_attention_scores the call has two outputs; use "
              "call_multi");
  return call_multi(query, value, options).at(0);
}

}  // namespace keras::layers
