// Sorting along an axis (keras.ops.sort, argsort, top_k). Stable: equal values keep their order;
// NaN counts as the largest value (NumPy's sort puts it last, JAX's top_k first).
#pragma once

#include <utility>

#include "keras/core/tensor.h"

namespace keras::ops {

// x sorted ascending along `axis`. Differentiable (the gradient goes back to where each value
// came from).
Tensor sort(const Tensor& x, int axis = -1);
// The int32 indices that sort x ascending along `axis`.
Tensor argsort(const Tensor& x, int axis = -1);
// The k largest values along the last axis, largest first (equal values: the lower index
// first), and their int32 indices: keras.ops.top_k(x, k). `sorted` is accepted as in Keras; the
// values always come sorted. ValueError unless 0 <= k <= the last dimension.
std::pair<Tensor, Tensor> top_k(const Tensor& x, int64_t k, bool sorted = true);

}  // namespace keras::ops
