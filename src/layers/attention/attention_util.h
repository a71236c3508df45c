// Shared pieces of the attention layers: head layouts for the batched GEMMs, Keras's mask
// combination, config and saved-call helpers.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "keras/config/json.h"
#include "keras/core/tensor.h"
#include "keras/layers/layer.h"

namespace keras::layers::attention_util {

// ValueError unless value and key agree on every dimension but the last (Keras's words).
void check_key_value(const Shape& value, const Shape& key);

// Keras's attention axes of a query of rank `rank` (batch, positions..., features): by default
// every position axis; negative axes count from the projected rank (rank + 1) as Keras does.
// Strictly increasing, within 1..rank-2, else ValueError.
std::vector<int> normalize_attention_axes(const std::optional<std::vector<int>>& axes,
                                          int rank,
                                          const std::string& layer);

// A projected tensor (B, d1..dk, heads, dim) seen as (G, positions, dim) with G = B x
// non-attention positions x heads and positions = the attention axes' sizes multiplied, the
// layout one batched GEMM takes.
struct HeadLayout {
  HeadLayout(const Shape& projected, const std::vector<int>& axes);
  Tensor to_groups(const Tensor& x) const;
  // (G, positions, dim) back to (B, d1..dk, heads, dim).
  Tensor from_groups(const Tensor& x, int64_t dim) const;
  // Keras's scores shape against key layout k: (B, non-attention..., heads, q axes..., k axes...).
  Shape scores_shape(const HeadLayout& k) const;
  // The same with the query and key attention axes each flattened into one.
  Shape flat_scores_shape(const HeadLayout& k) const;

  Shape shape;
  std::vector<int> perm;      // (B, non-attention..., heads, attention..., dim)
  Shape lead;                 // B, non-attention sizes
  std::vector<int64_t> attn;  // attention sizes
  int64_t outer = 1, heads = 1, positions = 1;
};

// The mask in the flat scores layout (see HeadLayout): Keras's expansion of a (B, T..., S...)
// mask to the scores' rank, with the attention axes flattened (broadcast first when there are
// several). Undefined stays undefined.
Tensor flat_mask(const Tensor& mask, const Shape& keras_scores, const std::vector<int>& axes);

// (1, T, S) bool: row >= column where `causal`, and |row - column| < sliding_window when given.
Tensor band_mask(
    int64_t t, int64_t s, bool causal, std::optional<int64_t> sliding_window, Device device);

// Keras's _compute_attention_mask: query's Keras mask [..., None] & value's [..., None, :]
// (& key's, when key is defined) & the causal mask (row >= column) & the sliding-window band
// (|row - column| < sliding_window) & attention_mask. Undefined when nothing masks.
Tensor combined_mask(const Tensor& query,
                     const Tensor& value,
                     const Tensor& key,
                     const Tensor& attention_mask,
                     bool use_causal_mask,
                     std::optional<int64_t> sliding_window = std::nullopt);

// Keras's scores shape (B, non-attention..., heads, q axes..., v axes...) from input shapes.
Shape scores_shape(const Shape& query,
                   const Shape& value,
                   int64_t heads,
                   const std::vector<int>& axes);

std::optional<std::vector<int>> read_attention_axes(const Json& config, const char* what);
// The config's sliding_window: null = none; else a positive integer (ValueError otherwise).
std::optional<int64_t> read_sliding_window(const Json& config, const char* what);

void write_common_config(Json& c,
                         const initializers::Initializer& kernel_initializer,
                         const initializers::Initializer& bias_initializer,
                         const regularizers::Regularizer& kernel_regularizer,
                         const regularizers::Regularizer& bias_regularizer,
                         const regularizers::Regularizer& activity_regularizer,
                         const constraints::Constraint& kernel_constraint,
                         const constraints::Constraint& bias_constraint);
void read_common_config(const Json& c,
                        initializers::Initializer& kernel_initializer,
                        initializers::Initializer& bias_initializer,
                        regularizers::Regularizer& kernel_regularizer,
                        regularizers::Regularizer& bias_regularizer,
                        regularizers::Regularizer& activity_regularizer,
                        constraints::Constraint& kernel_constraint,
                        constraints::Constraint& bias_constraint);

// A saved call's arguments by the names of the layer's Keras call signature.
class BoundCall {
 public:
  BoundCall(const Layer& layer, std::map<std::string, const Json*> named)
      : layer_(&layer), named_(std::move(named)) {}
  // The tensor argument, or null when absent or None.
  const Json* tensor(const std::string& name) const;
  const Json* required(const std::string& name) const;
  bool flag(const std::string& name) const;

 private:
  const Layer* layer_;
  std::map<std::string, const Json*> named_;
};
// Names positional `args` by `signature`, adds `kwargs`; ValueError for an unknown name, for an
// explicit *_mask tensor (keras.cpp takes the inputs' own masks) and for a duplicate.
BoundCall bind(const Layer& layer,
               const std::vector<std::string>& signature,
               const Json& args,
               const Json& kwargs);

}  // namespace keras::layers::attention_util
