#include "keras/layers/reversible_embedding.h"

#include <cmath>

#include "keras/config/json.h"
#include "keras/layers/node.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

EmbeddingOptions embedding_options(const ReversibleEmbeddingOptions& o) {
  return {.input_dim = o.input_dim,
          .output_dim = o.output_dim,
          .embeddings_initializer = o.embeddings_initializer,
          .embeddings_regularizer = o.embeddings_regularizer,
          .embeddings_constraint = o.embeddings_constraint,
          .mask_zero = o.mask_zero,
          .name = o.name.empty() ? unique_name("reversible_embedding") : o.name,
          .input_shape = o.input_shape};
}

}  // namespace

ReversibleEmbedding::ReversibleEmbedding(int64_t input_dim,
                                         int64_t output_dim,
                                         ReversibleEmbeddingOptions options)
    : ReversibleEmbedding([&] {
        internal::take_dims("ReversibleEmbedding", input_dim, output_dim, options.input_dim,
                            options.output_dim);
        return std::move(options);
      }()) {}

KerasTensor ReversibleEmbedding::operator()(const KerasTensor& x,
                                            const ReversibleCallOptions& options) const {
  impl().set_next_reverse(options.reverse);
  try {
    return LayerRef::operator()(x);
  } catch (...) {
    impl().set_next_reverse(false);  // no node was made: a later plain call is a forward one
    throw;
  }
}

Tensor ReversibleEmbedding::operator()(const Tensor& x,
                                       const ReversibleCallOptions& options) const {
  return options.reverse ? impl().reverse(x) : LayerRef::operator()(x);
}

ReversibleEmbeddingImpl::ReversibleEmbeddingImpl(ReversibleEmbeddingOptions options)
    : EmbeddingImpl(embedding_options(options)),
      initializer_(options.embeddings_initializer),
      tie_weights_(options.tie_weights),
      reverse_dtype_(options.reverse_dtype),
      logit_soft_cap_(options.logit_soft_cap) {
  KERAS_CHECK(!logit_soft_cap_ || *logit_soft_cap_ > 0, ValueError,
              "ReversibleEmbedding: logit_soft_cap must be positive, received ", *logit_soft_cap_);
  KERAS_CHECK(!reverse_dtype_ || is_floating(*reverse_dtype_), ValueError,
              "ReversibleEmbedding: reverse_dtype must be a floating dtype, received ",
              dtype_name(*reverse_dtype_));
}

void ReversibleEmbeddingImpl::build(const std::vector<Shape>& input_shapes) {
  EmbeddingImpl::build(input_shapes);
  if (!tie_weights_) {
    reverse_embeddings_ =
        add_weight("reverse_embeddings", {output_dim(), input_dim()}, initializer_, true);
  }
}

void ReversibleEmbeddingImpl::set_next_reverse(bool reverse) {
  reverse_by_node_.set(inbound_nodes().size(), reverse);
}

bool ReversibleEmbeddingImpl::reverse_of(size_t node_index) const {
  return reverse_by_node_.of(node_index, false);
}

bool ReversibleEmbeddingImpl::reversing() const {
  return reverse_by_node_.current(inbound_nodes().size(), false);
}

Tensor ReversibleEmbeddingImpl::reverse(const Tensor& x) {
  const ArgumentsByNode<bool>::Scope scope(reverse_by_node_, true);
  return Layer::operator()(Tensors{x}, false).at(0);
}

Tensors ReversibleEmbeddingImpl::call(const Tensors& inputs, bool training) {
  if (!reversing()) return EmbeddingImpl::call(inputs, training);
  Tensor x = inputs[0];
  KERAS_CHECK(is_floating(x.dtype()) && x.rank() >= 1 && x.shape().back() == output_dim(),
              ValueError, "Exception encountered when calling layer \"", name(),
              "\" (type ReversibleEmbedding): a reverse call takes floats of shape (..., ",
              output_dim(), "), received ", dtype_name(x.dtype()), " ", shape_str(x.shape()));
  Tensor kernel = tie_weights_ ? embeddings().value() : reverse_embeddings_.value();
  const DType dtype = reverse_dtype_.value_or(this->dtype());
  if (x.dtype() != dtype) x = ops::cast(x, dtype);
  if (kernel.dtype() != dtype) kernel = ops::cast(kernel, dtype);
  Shape out_shape = x.shape();
  out_shape.back() = input_dim();
  const Tensor rows = ops::reshape(x, {-1, output_dim()});
  Tensor logits = ops::reshape(ops::matmul_t(rows, kernel, false, tie_weights_), out_shape);
  if (logit_soft_cap_) {
    const double cap = *logit_soft_cap_;
    logits = ops::multiply(ops::tanh(ops::divide(logits, ops::scalar_like(cap, logits))),
                           ops::scalar_like(cap, logits));
  }
  return {logits};
}

std::vector<Shape> ReversibleEmbeddingImpl::compute_output_shape(
    const std::vector<Shape>& input_shapes) const {
  if (!reversing()) return EmbeddingImpl::compute_output_shape(input_shapes);
  Shape out = input_shapes.at(0);
  KERAS_CHECK(!out.empty() && (out.back() == kNone || out.back() == output_dim()), ValueError,
              "ReversibleEmbedding \"", name(), "\": a reverse call takes inputs of shape (..., ",
              output_dim(), "), received ", shape_str(out));
  out.back() = input_dim();
  return {out};
}

std::vector<DType> ReversibleEmbeddingImpl::compute_output_dtype(
    const std::vector<DType>& input_dtypes, size_t num_outputs) const {
  if (reversing() && reverse_dtype_) return {*reverse_dtype_};
  return EmbeddingImpl::compute_output_dtype(input_dtypes, num_outputs);
}

Json ReversibleEmbeddingImpl::get_config() const {
  Json config = EmbeddingImpl::get_config();
  config["tie_weights"] = tie_weights_;
  config["reverse_dtype"] = reverse_dtype_ ? Json(dtype_name(*reverse_dtype_)) : Json(nullptr);
  config["logit_soft_cap"] = logit_soft_cap_ ? Json(*logit_soft_cap_) : Json(nullptr);
  return config;
}

std::shared_ptr<Layer> ReversibleEmbeddingImpl::from_config(const Json& config) {
  const char* w = "ReversibleEmbedding";
  const EmbeddingOptions e = EmbeddingImpl::options_from_config(config, w);
  ReversibleEmbeddingOptions o{.input_dim = e.input_dim,
                               .output_dim = e.output_dim,
                               .tie_weights = config::get<bool>(config, "tie_weights", true, w),
                               .embeddings_initializer = e.embeddings_initializer,
                               .embeddings_regularizer = e.embeddings_regularizer,
                               .embeddings_constraint = e.embeddings_constraint,
                               .mask_zero = e.mask_zero,
                               .name = e.name};
  if (const Json* d = config::find(config, "reverse_dtype"); d != nullptr && !d->is_null()) {
    KERAS_CHECK(d->is_string(), ValueError, w, ": reverse_dtype must be a dtype name or null");
    o.reverse_dtype = dtype_from_name(d->get<std::string>());
  }
  if (const Json* c = config::find(config, "logit_soft_cap"); c != nullptr && !c->is_null()) {
    o.logit_soft_cap = config::get<double>(config, "logit_soft_cap", 0.0, w);
  }
  auto layer = std::make_shared<ReversibleEmbeddingImpl>(o);
  layer->apply_base_config(config);
  return layer;
}

// Keras's call(inputs, reverse=False): the node's "args" and "kwargs".
SavedCallTensors ReversibleEmbeddingImpl::bind_saved_call(const Json& args, const Json& kwargs) {
  KERAS_CHECK(args.is_array() && !args.empty() && args.size() <= 2, ValueError,
              "Functional config: layer \"", name(),
              "\" (ReversibleEmbedding) takes its inputs and `reverse` as positional arguments");
  const Json* reverse = args.size() == 2 ? &args[1] : nullptr;
  if (kwargs.is_object()) {
    for (const auto& [key, value] : kwargs.items()) {
      KERAS_CHECK(key == "reverse" && reverse == nullptr, ValueError, "Functional config: layer \"",
                  name(), "\" (ReversibleEmbedding) is called with the argument '",
                  key.substr(0, 100), "', which it does not take (or takes twice)");
      reverse = &value;
    }
  }
  KERAS_CHECK(reverse == nullptr || reverse->is_boolean(), ValueError,
              "Functional config: layer \"", name(), "\": `reverse` must be a boolean");
  set_next_reverse(reverse != nullptr && reverse->get<bool>());
  return {.inputs = {&args[0]}, .masks = {}};
}

Json ReversibleEmbeddingImpl::saved_call(const Node& node,
                                         const std::vector<Json>& inputs,
                                         const std::vector<Json>&) const {
  Json kwargs = Json::object();
  if (reverse_of(static_cast<size_t>(node.index))) kwargs["reverse"] = true;
  return Json{{"args", Json::array({inputs.at(0)})}, {"kwargs", kwargs}};
}

Tensors ReversibleEmbeddingImpl::call_node(const Node& node, const Tensors& inputs, bool training) {
  const ArgumentsByNode<bool>::Scope scope(reverse_by_node_,
                                           reverse_of(static_cast<size_t>(node.index)));
  return call_with_masks(inputs, training);
}

bool ReversibleEmbeddingImpl::same_call(const Node& a, const Node& b) const {
  return reverse_of(static_cast<size_t>(a.index)) == reverse_of(static_cast<size_t>(b.index));
}

}  // namespace keras::layers
