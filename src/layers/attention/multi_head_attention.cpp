#include "keras/layers/attention/multi_head_attention.h"

#include <algorithm>
#include <cmath>
#include <numeric>

#include "keras/config/json.h"
#include "keras/ops/attention.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/random.h"
#include "keras/ops/shape.h"
#include "layers/attention/attention_util.h"
#include "layers/config_util.h"

namespace keras::layers {

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t num_heads,
                                               int64_t key_dim,
                                               MultiHeadAttentionOptions options)
    : MultiHeadAttentionImpl(
          num_heads, num_heads, key_dim, std::move(options), "multi_head_attention") {}

MultiHeadAttentionImpl::MultiHeadAttentionImpl(int64_t num_heads,
                                               int64_t kv_heads,
                                               int64_t key_dim,
                                               MultiHeadAttentionOptions options,
                                               std::string_view prefix)
    : AttentionLayer(options.name, prefix),
      num_heads_(num_heads),
      kv_heads_(kv_heads),
      key_dim_(key_dim),
      value_dim_(options.value_dim.value_or(key_dim)),
      options_(std::move(options)) {
  KERAS_CHECK(num_heads > 0, ValueError,
              "Received an invalid value for argument `num_heads`, expected a positive integer. "
              "Received: num_heads=",
              num_heads);
  KERAS_CHECK(key_dim > 0, ValueError,
              "Received an invalid value for argument `key_dim`, expected a positive integer. "
              "Received: key_dim=",
              key_dim);
  KERAS_CHECK(!options_.value_dim || *options_.value_dim > 0, ValueError,
              "Received an invalid value for argument `value_dim`, expected a positive integer "
              "or `None`. Received: value_dim=",
              options_.value_dim.value_or(0));
  KERAS_CHECK(options_.dropout >= 0 && options_.dropout < 1, ValueError,
              "Invalid value received for argument `dropout`. Expected a float value between 0 "
              "and 1. Received: dropout=",
              options_.dropout);
  KERAS_CHECK(!options_.sliding_window || *options_.sliding_window > 0, ValueError,
              "`sliding_window` must be `None` or a positive integer. Received: sliding_window=",
              options_.sliding_window.value_or(0));
  if (options_.seed) generator_.emplace(*options_.seed);
  set_activity_regularizer(options_.activity_regularizer);
}

void MultiHeadAttentionImpl::check_input_count(const std::vector<Shape>& in) const {
  const AttentionSignature& s = signature();
  const size_t expected = 2 + size_t{s.has_key} + size_t{s.has_attention_mask};
  KERAS_CHECK(in.size() == expected, ValueError, "Layer ", name(), " (", class_name(), ") expects ",
              expected, " inputs (query, value", s.has_key ? ", key" : "",
              s.has_attention_mask ? ", attention_mask" : "", "), got ", in.size());
}

void MultiHeadAttentionImpl::build(const std::vector<Shape>& in) {
  check_input_count(in);
  const AttentionSignature& s = signature();
  const Shape& query = in.at(0);
  const Shape& value = in.at(1);
  const Shape& key = s.has_key ? in.at(2) : value;
  attention_util::check_key_value(value, key);
  const int rank = static_cast<int>(query.size());
  KERAS_CHECK(rank >= 3, ValueError, "Layer ", name(),
              " (MultiHeadAttention): query must have rank >= 3 (batch, positions..., features), "
              "got ",
              shape_str(query));
  axes_ = attention_util::normalize_attention_axes(options_.attention_axes, rank, name());
  const auto& o = options_;
  auto kernel = [&](const std::string& n, const Shape& shape) {
    return add_weight(n + "/kernel", shape, o.kernel_initializer, true, o.kernel_regularizer,
                      o.kernel_constraint);
  };
  auto bias = [&](const std::string& n, const Shape& shape) {
    return o.use_bias ? add_weight(n + "/bias", shape, o.bias_initializer, true, o.bias_regularizer,
                                   o.bias_constraint)
                      : Variable();
  };
  query_kernel_ = kernel("query", {query.back(), num_heads_, key_dim_});
  query_bias_ = bias("query", {num_heads_, key_dim_});
  key_kernel_ = kernel("key", {key.back(), kv_heads_, key_dim_});
  key_bias_ = bias("key", {kv_heads_, key_dim_});
  if (o.use_gate) {  // built between key and value, as Keras does
    gate_kernel_ = kernel("gate", {query.back(), num_heads_, value_dim_});
    gate_bias_ = bias("gate", {num_heads_, value_dim_});
  }
  value_kernel_ = kernel("value", {value.back(), kv_heads_, value_dim_});
  value_bias_ = bias("value", {kv_heads_, value_dim_});
  const std::vector<int64_t> out =
      o.output_shape ? *o.output_shape : std::vector<int64_t>{query.back()};
  Shape okernel{num_heads_, value_dim_};
  okernel.insert(okernel.end(), out.begin(), out.end());
  output_kernel_ = kernel("attention_output", okernel);
  output_bias_ = bias("attention_output", Shape(out.begin(), out.end()));
}

Tensor MultiHeadAttentionImpl::project(const Tensor& x,
                                       const Variable& kernel,
                                       const Variable& bias) {
  const Shape& ks = kernel.shape();
  Tensor y = ops::matmul(ops::reshape(x, {-1, ks[0]}),
                         ops::reshape(kernel.value(), {ks[0], ks[1] * ks[2]}));
  if (bias.defined()) y = ops::add(y, ops::reshape(bias.value(), {ks[1] * ks[2]}));
  Shape out(x.shape().begin(), x.shape().end() - 1);
  out.push_back(ks[1]);
  out.push_back(ks[2]);
  return ops::reshape(y, out);
}

Tensor MultiHeadAttentionImpl::attention_mask(const Tensors& inputs) const {
  const AttentionSignature& s = signature();
  return attention_util::combined_mask(inputs[0], inputs[1], s.has_key ? inputs[2] : Tensor(),
                                       s.has_attention_mask ? inputs[s.has_key ? 3 : 2] : Tensor(),
                                       s.use_causal_mask, options_.sliding_window);
}

MultiHeadAttentionImpl::Attended MultiHeadAttentionImpl::attend(const Tensor& q,
                                                                const Tensor& k,
                                                                const Tensor& v,
                                                                const Tensor& mask,
                                                                bool training,
                                                                bool uniform_empty_rows) {
  const attention_util::HeadLayout lq(q.shape(), axes_), lk(k.shape(), axes_);
  const int64_t groups = lq.heads / lk.heads;  // query heads per key/value head
  // (G, T, dk) and (G, S, dk), G = batch x non-attention positions x heads.
  Tensor qg = lq.to_groups(q), kg = lk.to_groups(k), vg = lk.to_groups(v);
  if (groups > 1) {  // query heads h * groups + j share key/value head h
    qg = ops::reshape(qg, {lk.outer * lk.heads, groups * lq.positions, q.shape().back()});
  }
  Tensor scores = ops::matmul_t(qg, kg, false, true);  // (G, T, S) or (G', groups*T, S)
  const Shape keras_scores = lq.scores_shape(lk);
  Tensor flat = ops::reshape(scores, lq.flat_scores_shape(lk));
  Tensor probs = ops::masked_softmax(flat, attention_util::flat_mask(mask, keras_scores, axes_),
                                     uniform_empty_rows);
  Tensor dropped = probs;
  if (training && options_.dropout > 0) {
    dropped = random::dropout(probs, options_.dropout, generator_ ? &*generator_ : nullptr);
  }
  Tensor ctx = ops::matmul(ops::reshape(dropped, scores.shape()), vg);  // (G, T, dv)
  if (groups > 1) ctx = ops::reshape(ctx, {lq.outer * lq.heads, lq.positions, v.shape().back()});
  return {lq.from_groups(ctx, v.shape().back()), ops::reshape(probs, keras_scores)};
}

Tensors MultiHeadAttentionImpl::call(const Tensors& inputs, bool training) {
  const AttentionSignature& s = signature();
  auto as_float = [&](const Tensor& t) { return t.dtype() == dtype() ? t : ops::cast(t, dtype()); };
  const Tensor query = as_float(inputs[0]), value = as_float(inputs[1]);
  const Tensor key = s.has_key ? as_float(inputs[2]) : value;
  const Tensor mask = attention_mask(inputs);
  const Tensor query_mask = inputs[0].keras_mask();
  if (clears_input_masks()) {  // Keras's MultiHeadAttention.call removes them (see header)
    for (size_t i = 0; i < 2 + size_t{s.has_key}; ++i) inputs[i].set_keras_mask(Tensor());
  }
  Tensor q = project(query, query_kernel_, query_bias_);
  q = ops::multiply(q, 1.0 / std::sqrt(static_cast<double>(key_dim_)));
  const Tensor k = project(key, key_kernel_, key_bias_);
  const Tensor v = project(value, value_kernel_, value_bias_);
  // Keras 3 runs ops.dot_product_attention (equal weights on fully masked rows) when it can.
  const bool uniform = options_.dropout == 0 && !s.return_attention_scores && query.rank() == 3;
  Attended a = attend(q, k, v, mask, training, uniform);
  if (gate_kernel_.defined()) {
    a.context = ops::multiply(a.context, ops::sigmoid(project(query, gate_kernel_, gate_bias_)));
  }
  const Shape& ks = output_kernel_.shape();
  const int64_t out_size = output_kernel_.value().size() / (ks[0] * ks[1]);
  Tensor y = ops::matmul(ops::reshape(a.context, {-1, ks[0] * ks[1]}),
                         ops::reshape(output_kernel_.value(), {ks[0] * ks[1], out_size}));
  if (output_bias_.defined()) y = ops::add(y, ops::reshape(output_bias_.value(), {out_size}));
  Shape out(query.shape().begin(), query.shape().end() - 1);
  out.insert(out.end(), ks.begin() + 2, ks.end());
  y = ops::reshape(y, out);
  Tensors outputs{y};
  if (s.return_attention_scores) outputs.push_back(a.scores);
  if (query_mask.defined()) y.set_keras_mask(query_mask);  // as Keras: not on the scores
  return outputs;
}

std::vector<Shape> MultiHeadAttentionImpl::compute_output_shape(
    const std::vector<Shape>& in) const {
  check_input_count(in);
  const AttentionSignature& s = signature();
  const Shape& query = in[0];
  const Shape& value = in[1];
  attention_util::check_key_value(value, s.has_key ? in[2] : value);
  Shape out = query;
  if (options_.output_shape) {
    out.pop_back();
    out.insert(out.end(), options_.output_shape->begin(), options_.output_shape->end());
  }
  if (!s.return_attention_scores) return {out};
  const std::vector<int> axes =
      axes_.empty() ? attention_util::normalize_attention_axes(
                          options_.attention_axes, static_cast<int>(query.size()), name())
                    : axes_;
  return {out, attention_util::scores_shape(query, value, num_heads_, axes)};
}

std::vector<Layer::VariableGroup> MultiHeadAttentionImpl::saved_variables() const {
  auto pair = [](const Variable& k, const Variable& b) {
    return b.defined() ? std::vector<Variable>{k, b} : std::vector<Variable>{k};
  };
  std::vector<VariableGroup> groups{{"vars", {}},
                                    {"_dropout_layer/vars", {}},
                                    {"_softmax/vars", {}},
                                    {"query_dense/vars", pair(query_kernel_, query_bias_)},
                                    {"key_dense/vars", pair(key_kernel_, key_bias_)},
                                    {"value_dense/vars", pair(value_kernel_, value_bias_)},
                                    {"output_dense/vars", pair(output_kernel_, output_bias_)}};
  // Keras 3 saves the gate under its private attribute (no public property names it).
  if (gate_kernel_.defined())
    groups.push_back({"_gate_dense/vars", pair(gate_kernel_, gate_bias_)});
  return groups;
}

Json MultiHeadAttentionImpl::get_config() const {
  Json c = Layer::get_config();
  const auto& o = options_;
  c["num_heads"] = num_heads_;
  c["key_dim"] = key_dim_;
  c["value_dim"] = value_dim_;
  c["dropout"] = o.dropout;
  c["use_bias"] = o.use_bias;
  c["use_gate"] = o.use_gate;
  c["output_shape"] = o.output_shape ? Json(*o.output_shape) : Json(nullptr);
  c["attention_axes"] = !axes_.empty()     ? Json(axes_)
                        : o.attention_axes ? Json(*o.attention_axes)
                                           : Json(nullptr);
  c["sliding_window"] = o.sliding_window ? Json(*o.sliding_window) : Json(nullptr);
  attention_util::write_common_config(
      c, o.kernel_initializer, o.bias_initializer, o.kernel_regularizer, o.bias_regularizer,
      o.activity_regularizer, o.kernel_constraint, o.bias_constraint);
  c["seed"] = o.seed ? Json(*o.seed) : Json(nullptr);
  return c;
}

Json MultiHeadAttentionImpl::get_build_config() const {
  const std::vector<Shape>& shapes = build_input_shapes();
  if (shapes.empty()) return nullptr;
  Json d{{"query_shape", config::shape_to_json(shapes[0])},
         {"value_shape", config::shape_to_json(shapes[1])}};
  if (signature_of(0).has_key) d["key_shape"] = config::shape_to_json(shapes[2]);
  return Json{{"shapes_dict", d}};
}

std::shared_ptr<Layer> MultiHeadAttentionImpl::from_config(const Json& c) {
  const char* w = "MultiHeadAttention";
  MultiHeadAttentionOptions o;
  o.use_gate = config::get<bool>(c, "use_gate", false, w);
  o.sliding_window = attention_util::read_sliding_window(c, w);
  if (const Json* v = config::find(c, "value_dim"); v != nullptr && !v->is_null()) {
    o.value_dim = config::require<int64_t>(c, "value_dim", w);
  }
  o.dropout = config::get<double>(c, "dropout", 0.0, w);
  o.use_bias = config::get<bool>(c, "use_bias", true, w);
  if (const Json* v = config::find(c, "output_shape"); v != nullptr && !v->is_null()) {
    o.output_shape = config_util::int_list(c, "output_shape", {}, w);
    for (int64_t d : *o.output_shape) {
      KERAS_CHECK(d > 0 && d < (int64_t{1} << 31), ValueError, w, ": invalid output_shape");
    }
  }
  o.attention_axes = attention_util::read_attention_axes(c, w);
  attention_util::read_common_config(
      c, o.kernel_initializer, o.bias_initializer, o.kernel_regularizer, o.bias_regularizer,
      o.activity_regularizer, o.kernel_constraint, o.bias_constraint);
  if (const Json* v = config::find(c, "seed"); v != nullptr && !v->is_null()) {
    o.seed = config::require<uint64_t>(c, "seed", w);
  }
  o.name = config::get<std::string>(c, "name", "", w);
  const int64_t heads = config::require<int64_t>(c, "num_heads", w);
  const int64_t key_dim = config::require<int64_t>(c, "key_dim", w);
  KERAS_CHECK(heads < 65536 && key_dim < (int64_t{1} << 24), ValueError, w,
              ": num_heads or key_dim out of range");
  auto layer = std::make_shared<MultiHeadAttentionImpl>(heads, key_dim, std::move(o));
  layer->apply_base_config(c);
  return layer;
}

SavedCallTensors MultiHeadAttentionImpl::bind_saved_call(const Json& args, const Json& kwargs) {
  static const std::vector<std::string> kSignature = {"query",
                                                      "value",
                                                      "key",
                                                      "query_mask",
                                                      "value_mask",
                                                      "key_mask",
                                                      "attention_mask",
                                                      "return_attention_scores",
                                                      "training",
                                                      "use_causal_mask"};
  attention_util::BoundCall b = attention_util::bind(*this, kSignature, args, kwargs);
  AttentionSignature s;
  s.has_key = b.tensor("key") != nullptr;
  s.has_attention_mask = b.tensor("attention_mask") != nullptr;
  s.return_attention_scores = b.flag("return_attention_scores");
  s.use_causal_mask = b.flag("use_causal_mask");
  set_signature(s);
  SavedCallTensors out{.inputs = {b.required("query"), b.required("value")}, .masks = {}};
  if (s.has_key) out.inputs.push_back(b.tensor("key"));
  if (s.has_attention_mask) out.inputs.push_back(b.tensor("attention_mask"));
  return out;
}

Json MultiHeadAttentionImpl::saved_call(const Node& node,
                                        const std::vector<Json>& inputs,
                                        const std::vector<Json>&) const {
  const AttentionSignature& s = signature_of(static_cast<size_t>(node.index));
  Json kwargs = Json::object();
  size_t i = 2;
  if (s.has_key) kwargs["key"] = inputs.at(i++);
  if (s.has_attention_mask) kwargs["attention_mask"] = inputs.at(i++);
  if (s.return_attention_scores) kwargs["return_attention_scores"] = true;
  if (s.use_causal_mask) kwargs["use_causal_mask"] = true;
  return Json{{"args", Json::array({inputs.at(0), inputs.at(1)})}, {"kwargs", kwargs}};
}

KerasTensors MultiHeadAttention::call_multi(const KerasTensor& query,
                                            const KerasTensor& value,
                                            const AttentionCallOptions& options) const {
  return call_attention(*operator->(), query, value, options);
}

KerasTensor MultiHeadAttention::operator()(const KerasTensor& query,
                                           const KerasTensor& value,
                                           const AttentionCallOptions& options) const {
  KERAS_CHECK(!options.return_attention_scores, ValueError,
              "MultiHeadAttention: with return_attention_scores the call has two outputs; use "
              "call_multi");
  return call_multi(query, value, options).at(0);
}

}  // namespace keras::layers
