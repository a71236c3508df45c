// Sorting along an axis (keras.ops.sort, argsort, top_k). Stable: equal values keep their order;
// NaN counts as the largest value (NumPy's sort puts it last, JAX's top_k first).
#pragma once

#include <optional>
#include <string>
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
// keras.ops.argpartition: int32 indices along `axis` (nullopt: of x flattened) that put the
// element of sorted rank kth in its sorted place, as JAX orders them: first the indices of the
// kth + 1 smallest values in ascending order (equal values by index), then the other indices in
// increasing order. A negative kth counts from the end. Not differentiable. ValueError for kth
// outside [-n, n).
Tensor argpartition(const Tensor& x, int64_t kth, std::optional<int> axis = -1);

// keras.ops.digitize: for each x, the index i of the bin it falls in among the 1-D monotonic
// `bins` (increasing: bins[i-1] <= x < bins[i]; decreasing: bins[i-1] > x >= bins[i]); NaN
// after every bin (increasing) or before (decreasing), as NumPy. int32.
// keras.ops.searchsorted: for each of `values`, where it would go in the 1-D ascending
// `sorted_sequence` to keep it sorted ("left": before equal entries, "right": after), NaN
// ordered last, as NumPy. int32. Not differentiable. ValueError for bins or a sequence that
// are not 1-D, bins that are not monotonic, or another side.
Tensor digitize(const Tensor& x, const Tensor& bins);
// keras.ops.isin: for each element of x1, whether it equals an element of x2 (any shape; NaN
// equals nothing), or the opposite with invert. Bool, x1's shape; the values compared in their
// common dtype (result_type). assume_unique changes nothing (NumPy's hint for speed).
Tensor isin(const Tensor& x1, const Tensor& x2, bool assume_unique = false, bool invert = false);
Tensor searchsorted(const Tensor& sorted_sequence,
                    const Tensor& values,
                    const std::string& side = "left");

}  // namespace keras::ops
