// Attention building blocks (the kernels behind keras.layers.MultiHeadAttention & co.).
#pragma once

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

}  // namespace keras::ops
