// Attention building blocks (the kernels behind keras.layers.MultiHeadAttention & co.).
#pragma once

#include <optional>

#include "keras/core/tensor.h"

namespace keras::ops {

// Softmax over the last axis of floating x with Keras's masking, in one pass: entries where
// `mask` is false take no part (Keras replaces them by -1e9) and give 0; a row masked
// everywhere gives zeros (as keras.layers.Softmax with a mask). mask: bool (or numbers kept
// where > 0.5), at most x's rank, broadcastable to x from the right (each dimension 1 or x's);
// it is never materialized at x's size. An undefined mask is a plain softmax. Gradient:
// softmax's, dx = y * (dy - sum(y * dy)), which is 0 at masked entries.
// uniform_empty_rows: a row masked everywhere gives 1/n everywhere instead (with no gradient),
// as keras.ops.dot_product_attention (which Keras's MultiHeadAttention runs when it returns no
// scores and has no dropout) gives.
Tensor masked_softmax(const Tensor& x, const Tensor& mask, bool uniform_empty_rows = false);

// keras.ops.dot_product_attention for query (B, T, N, H), key and value (B, S, K, H), N a
// multiple of K (each key/value head serves N / K query heads): softmax(q k^T * scale + bias)
// v, (B, T, N, H). scale: 1 / sqrt(H) when nullopt. bias (added to the (B, N, T, S) logits) and
// mask (bool, where false takes no part; a row masked everywhere attends uniformly, as JAX) are
// optional, of shape (B, 1 or N, T, S) or of lower rank, expanded as Keras does (a new axis 2
// when the rank is 3 and axis 1 is N, else a new axis 1, until rank 4). is_causal also masks
// the keys after each query (a lower triangle of (T, S)).
// Differentiable in query, key, value and bias. ValueError for other ranks or head counts.
Tensor dot_product_attention(const Tensor& query,
                             const Tensor& key,
                             const Tensor& value,
                             const Tensor& bias = {},
                             const Tensor& mask = {},
                             std::optional<double> scale = std::nullopt,
                             bool is_causal = false);

}  // namespace keras::ops
