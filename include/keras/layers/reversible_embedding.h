// ReversibleEmbedding (keras.layers.ReversibleEmbedding, Keras 3.13 on): an Embedding that can
// also be called in reverse, projecting vectors back to logits over the vocabulary, as language
// models with tied input and output embeddings do.
//
//   layers::ReversibleEmbedding embedding(1000, 64);
//   auto hidden = embedding(ids);                      // (batch, steps, 64), as Embedding
//   auto logits = embedding(hidden, {.reverse = true});  // (batch, steps, 1000)
//
// Forward calls are Embedding's (ids of any shape, mask_zero, IndexError for an id out of
// range). A reverse call takes floats (batch, ..., output_dim) and returns
// inputs @ transpose(embeddings) (tie_weights, the default) or inputs @ reverse_embeddings, a
// second weight (output_dim, input_dim) made with the same initializer; with logit_soft_cap c,
// tanh(logits / c) * c. reverse_dtype (a float dtype) casts inputs and kernel before the
// product, and is the reverse output's dtype. A reverse output carries no mask. Each call (node)
// keeps its own `reverse`, which functional models save in the node's kwargs as Keras does.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/layers/call_arguments.h"
#include "keras/layers/embedding.h"

namespace keras::layers {

struct ReversibleEmbeddingOptions {
  int64_t input_dim = 0;
  int64_t output_dim = 0;
  bool tie_weights = true;
  initializers::Initializer embeddings_initializer = "uniform";
  regularizers::Regularizer embeddings_regularizer = {};
  constraints::Constraint embeddings_constraint = {};
  bool mask_zero = false;
  std::optional<DType> reverse_dtype = std::nullopt;
  std::optional<double> logit_soft_cap = std::nullopt;  // > 0
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

// The call argument besides the inputs: `embedding(x, {.reverse = true})`.
struct ReversibleCallOptions {
  bool reverse = false;
};

class ReversibleEmbeddingImpl final : public EmbeddingImpl, public CustomCallArguments {
 public:
  explicit ReversibleEmbeddingImpl(ReversibleEmbeddingOptions options);
  std::string class_name() const override { return "ReversibleEmbedding"; }
  Json get_config() const override;
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  std::vector<DType> compute_output_dtype(const std::vector<DType>& input_dtypes,
                                          size_t num_outputs) const override;

  // Sets `reverse` for the next symbolic call (ReversibleEmbedding::operator() does).
  void set_next_reverse(bool reverse);
  // An eager reverse call (forward ones are the plain eager call).
  Tensor reverse(const Tensor& x);
  bool tie_weights() const { return tie_weights_; }
  // Undefined while tie_weights or unbuilt.
  const Variable& reverse_embeddings() const { return reverse_embeddings_; }

  SavedCallTensors bind_saved_call(const Json& args, const Json& kwargs) override;
  Json saved_call(const Node& node,
                  const std::vector<Json>& inputs,
                  const std::vector<Json>& masks) const override;
  Tensors call_node(const Node& node, const Tensors& inputs, bool training) override;
  bool same_call(const Node& a, const Node& b) const override;

 private:
  bool reverse_of(size_t node_index) const;
  bool reversing() const;  // the mode of the call being run or created

  // Its own options (the others are EmbeddingImpl's); the initializer also makes
  // reverse_embeddings.
  initializers::Initializer initializer_;
  bool tie_weights_;
  std::optional<DType> reverse_dtype_;
  std::optional<double> logit_soft_cap_;
  Variable reverse_embeddings_;
  ArgumentsByNode<bool> reverse_by_node_;  // each node's `reverse`; plain calls: forward
};

class ReversibleEmbedding : public LayerHandle<ReversibleEmbeddingImpl> {
 public:
  explicit ReversibleEmbedding(ReversibleEmbeddingOptions options)
      : LayerHandle(std::make_shared<ReversibleEmbeddingImpl>(std::move(options))) {}
  ReversibleEmbedding(int64_t input_dim,
                      int64_t output_dim,
                      ReversibleEmbeddingOptions options = {});
  using LayerRef::operator();
  KerasTensor operator()(const KerasTensor& x, const ReversibleCallOptions& options) const;
  Tensor operator()(const Tensor& x, const ReversibleCallOptions& options) const;
};

}  // namespace keras::layers
