#include "keras/layers/attention/attention.h"

#include "keras/config/json.h"
#include "keras/layers/attention/additive_attention.h"
#include "keras/ops/attention.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "layers/attention/attention_util.h"

namespace keras::layers {

AttentionImpl::AttentionImpl(AttentionOptions options, bool additive)
    : AttentionLayer(options.name, additive ? "additive_attention" : "attention"),
      options_(std::move(options)),
      additive_(additive) {
  KERAS_CHECK(options_.score_mode == "dot" || options_.score_mode == "concat", ValueError,
              "Invalid value for argument score_mode. Expected one of {'dot', 'concat'}. "
              "Received: score_mode=",
              options_.score_mode);
  KERAS_CHECK(options_.dropout >= 0 && options_.dropout < 1, ValueError,
              "Invalid value received for argument `dropout`. Expected a float value between 0 "
              "and 1. Received: dropout=",
              options_.dropout);
  if (options_.seed) generator_.emplace(*options_.seed);
}

void AttentionImpl::build(const std::vector<Shape>& in) {
  compute_output_shape(in);
  if (additive_) {
    if (options_.use_scale) scale_ = add_weight("scale", {in[0].back()}, "glorot_uniform");
    return;
  }
  if (options_.use_scale) scale_ = add_weight("scale", {}, "ones");
  if (options_.score_mode == "concat")
    concat_score_weight_ = add_weight("concat_score_weight", {}, "ones");
}

Tensor AttentionImpl::scores(const Tensor& q, const Tensor& k) const {
  if (!additive_ && options_.score_mode == "dot") {
    Tensor s = ops::matmul_t(q, k, false, true);  // one batched GEMM over the batch
    return scale_.defined() ? ops::multiply(s, scale_.value()) : s;
  }
  Tensor sum = ops::add(ops::expand_dims(q, -2), ops::expand_dims(k, -3));  // (B, T, S, dim)
  if (additive_) {
    Tensor t = ops::tanh(sum);
    return ops::sum(scale_.defined() ? ops::multiply(scale_.value(), t) : t, {-1});
  }
  if (scale_.defined()) sum = ops::multiply(scale_.value(), sum);
  return ops::multiply(concat_score_weight_.value(), ops::sum(ops::tanh(sum), {-1}));
}

Tensors AttentionImpl::call(const Tensors& inputs, bool training) {
  if (inputs[0].rank() > 3) {
    // Keras attends over the second-to-last axis, the leading axes batch: run on
    // (batch', positions, features) with batch' their product, masks reshaped alike.
    auto flat = [](const Tensor& t) {
      Tensor f = ops::reshape(t, {-1, t.dim(t.rank() - 2), t.dim(t.rank() - 1)});
      if (t.keras_mask().defined()) f.set_keras_mask(ops::reshape(t.keras_mask(), {-1, f.dim(1)}));
      return f;
    };
    Tensors flat_inputs;
    for (const Tensor& t : inputs) flat_inputs.push_back(flat(t));
    Tensors out = call(flat_inputs, training);
    Shape lead(inputs[0].shape().begin(), inputs[0].shape().end() - 1);
    for (Tensor& o : out) {
      Shape shape = lead;
      shape.push_back(o.dim(2));
      o = ops::reshape(o, shape);
    }
    return out;
  }
  const AttentionSignature& s = signature();
  auto as_float = [&](const Tensor& t) { return t.dtype() == dtype() ? t : ops::cast(t, dtype()); };
  const Tensor q = as_float(inputs[0]), v = as_float(inputs[1]);
  const Tensor k = inputs.size() > 2 ? as_float(inputs[2]) : v;
  auto as_bool = [](const Tensor& m) { return m.dtype() == bool_ ? m : ops::cast(m, bool_); };
  Tensor mask;
  if (inputs[1].keras_mask().defined()) {
    mask = ops::expand_dims(as_bool(inputs[1].keras_mask()), -2);  // (B, 1, S)
  }
  if (s.use_causal_mask) {
    // As Keras's _calculate_score_mask: the value's mask and the causal band only; the query's
    // mask zeroes the output below, not the scores.
    Tensor causal = attention_util::band_mask(q.dim(q.rank() - 2), v.dim(v.rank() - 2), true,
                                              std::nullopt, q.device());
    mask = mask.defined() ? ops::logical_and(mask, causal) : causal;
  }
  const Tensor weights = ops::masked_softmax(scores(q, k), mask, /*uniform_empty_rows=*/true);
  Tensor dropped = weights;
  if (training && options_.dropout > 0) {
    dropped = random::dropout(weights, options_.dropout, generator_ ? &*generator_ : nullptr);
  }
  Tensor out = ops::matmul_t(dropped, v, false, false);
  if (inputs[0].keras_mask().defined()) {
    const Tensor qm = ops::expand_dims(as_bool(inputs[0].keras_mask()), -1);
    out = ops::where(qm, out, ops::zeros_like(out));
  }
  if (s.return_attention_scores) return {out, dropped};  // Keras returns the dropped-out weights
  return {out};
}

std::vector<Shape> AttentionImpl::compute_output_shape(const std::vector<Shape>& in) const {
  KERAS_CHECK(in.size() != 1, ValueError, class_name(),
              " layer must be called on a list of inputs, namely [query, value] or [query, value, "
              "key]. Received: inputs=",
              shape_str(in[0]), ".");
  KERAS_CHECK(in.size() == 2 || in.size() == 3, ValueError, class_name(),
              " layer accepts inputs list of length 2 or 3, namely [query, value] or [query, "
              "value, key]. Received length: ",
              in.size(), ".");
  for (const Shape& s : in) {
    KERAS_CHECK(s.size() >= 3 && s.size() == in[0].size(), ValueError, "Layer ", name(), " (",
                class_name(),
                "): query, value and key must be of one rank, at least 3 (batch, ..., positions, "
                "features); got ",
                shape_str(in[0]), ", ", shape_str(in[1]), in.size() > 2 ? ", " : "",
                in.size() > 2 ? shape_str(in[2]) : "");
  }
  const Shape& key = in.size() > 2 ? in[2] : in[1];
  const size_t pos = key.size() - 2;
  KERAS_CHECK(key[pos] == in[1][pos] || key[pos] == kNone || in[1][pos] == kNone, ValueError,
              "Layer ", name(), ": key ", shape_str(key), " and value ", shape_str(in[1]),
              " must have the same number of positions");
  const bool scores = signature().return_attention_scores;
  Shape out(in[0].begin(), in[0].end() - 1);
  Shape score_shape = out;
  out.push_back(in[1].back());
  if (!scores) return {out};
  score_shape.push_back(in[1][pos]);
  return {out, score_shape};
}

Json AttentionImpl::get_config() const {
  Json c = Layer::get_config();
  c["use_scale"] = options_.use_scale;
  if (!additive_) c["score_mode"] = options_.score_mode;
  c["dropout"] = options_.dropout;
  c["seed"] = options_.seed ? Json(*options_.seed) : Json(nullptr);
  return c;
}

namespace {
AttentionOptions read_options(const Json& c, const char* w, bool additive) {
  AttentionOptions o{
      .use_scale = config::get<bool>(c, "use_scale", additive, w),
      .score_mode = additive ? "dot" : config::get<std::string>(c, "score_mode", "dot", w),
      .dropout = config::get<double>(c, "dropout", 0.0, w),
      .name = config::get<std::string>(c, "name", "", w)};
  if (const Json* v = config::find(c, "seed"); v != nullptr && !v->is_null()) {
    o.seed = config::require<uint64_t>(c, "seed", w);
  }
  return o;
}
}  // namespace

std::shared_ptr<Layer> AttentionImpl::from_config(const Json& c) {
  auto layer = std::make_shared<AttentionImpl>(read_options(c, "Attention", false), false);
  layer->apply_base_config(c);
  return layer;
}

std::shared_ptr<Layer> AttentionImpl::additive_from_config(const Json& c) {
  auto layer = std::make_shared<AttentionImpl>(read_options(c, "AdditiveAttention", true), true);
  layer->apply_base_config(c);
  return layer;
}

SavedCallTensors AttentionImpl::bind_saved_call(const Json& args, const Json& kwargs) {
  static const std::vector<std::string> kSignature = {"inputs", "mask", "training",
                                                      "return_attention_scores", "use_causal_mask"};
  // "mask" (a list of tensors, or None) is read here; bind checks every other argument.
  const Json* mask = kwargs.is_object() ? config::find(kwargs, "mask") : nullptr;
  if (mask == nullptr && args.is_array() && args.size() > 1) mask = &args[1];
  Json plain_kwargs = kwargs.is_object() ? kwargs : Json::object();
  plain_kwargs.erase("mask");
  Json plain_args = args.is_array() ? args : Json::array();
  if (plain_args.size() > 1) plain_args[1] = nullptr;
  const attention_util::BoundCall b =
      attention_util::bind(*this, kSignature, plain_args, plain_kwargs);
  set_signature({.return_attention_scores = b.flag("return_attention_scores"),
                 .use_causal_mask = b.flag("use_causal_mask")});
  const Json* inputs = kwargs.is_object() ? config::find(kwargs, "inputs") : nullptr;
  if (inputs == nullptr && args.is_array() && !args.empty()) inputs = &args[0];
  KERAS_CHECK(
      inputs != nullptr && inputs->is_array() && (inputs->size() == 2 || inputs->size() == 3),
      ValueError, "Functional config: layer '", name(), "' (", class_name(),
      ") must be called on a list [query, value] or [query, value, key]");
  SavedCallTensors out;
  for (const Json& t : *inputs) out.inputs.push_back(&t);
  if (mask != nullptr && mask->is_array()) {
    for (const Json& m : *mask) out.masks.push_back(m.is_null() ? nullptr : &m);
  } else {
    KERAS_CHECK(mask == nullptr || mask->is_null(), ValueError, "Functional config: layer '",
                name(), "': 'mask' must be a list with one mask per input");
  }
  return out;
}

Json AttentionImpl::saved_call(const Node& node,
                               const std::vector<Json>& inputs,
                               const std::vector<Json>& masks) const {
  const AttentionSignature& s = signature_of(static_cast<size_t>(node.index));
  Json kwargs = Json::object();
  if (s.return_attention_scores) kwargs["return_attention_scores"] = true;
  if (s.use_causal_mask) kwargs["use_causal_mask"] = true;
  if (!masks.empty()) {  // one per input, as Keras writes them
    Json list = Json::array();
    for (size_t i = 0; i < inputs.size(); ++i)
      list.push_back(i < masks.size() ? masks[i] : Json(nullptr));
    kwargs["mask"] = list;
  }
  return Json{{"args", Json::array({Json(inputs)})}, {"kwargs", kwargs}};
}

namespace {
KerasTensors call_list(AttentionImpl& impl,
                       const KerasTensors& inputs,
                       const AttentionCallOptions& o) {
  KERAS_CHECK(!o.key.defined() && !o.attention_mask.defined(), ValueError, impl.class_name(),
              ": give the key as the third input; attention_mask is not an argument of this layer");
  impl.set_signature(
      {.return_attention_scores = o.return_attention_scores, .use_causal_mask = o.use_causal_mask});
  return impl(inputs);
}
}  // namespace

KerasTensors Attention::call_multi(const KerasTensors& inputs,
                                   const AttentionCallOptions& options) const {
  return call_list(*operator->(), inputs, options);
}
KerasTensor Attention::operator()(const KerasTensors& inputs,
                                  const AttentionCallOptions& options) const {
  KERAS_CHECK(!options.return_attention_scores, ValueError,
              "Attention: with return_attention_scores the call has two outputs; use call_multi");
  return call_multi(inputs, options).at(0);
}
KerasTensors AdditiveAttention::call_multi(const KerasTensors& inputs,
                                           const AttentionCallOptions& options) const {
  return call_list(*operator->(), inputs, options);
}
KerasTensor AdditiveAttention::operator()(const KerasTensors& inputs,
                                          const AttentionCallOptions& options) const {
  KERAS_CHECK(!options.return_attention_scores, ValueError,
              "AdditiveAttention: with return_attention_scores the call has two outputs; use "
              "call_multi");
  return call_multi(inputs, options).at(0);
}

}  // namespace keras::layers
