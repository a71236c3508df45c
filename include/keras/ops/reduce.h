// Reductions (keras.ops.sum, mean, max, min, prod, argmax, argmin). `axes` empty = all axes;
// negative axes count from the end. max/min pass the gradient to the (first-found, all tied)
// extreme elements.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops {

Tensor sum(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor mean(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// max and min: NaN where a NaN is reduced (NumPy's and Keras's max, not nanmax).
Tensor max(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor min(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor prod(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
inline Tensor sum(const Tensor& x, int axis, bool keepdims = false) {
  return sum(x, std::vector<int>{axis}, keepdims);
}
inline Tensor mean(const Tensor& x, int axis, bool keepdims = false) {
  return mean(x, std::vector<int>{axis}, keepdims);
}
inline Tensor max(const Tensor& x, int axis, bool keepdims = false) {
  return max(x, std::vector<int>{axis}, keepdims);
}
inline Tensor min(const Tensor& x, int axis, bool keepdims = false) {
  return min(x, std::vector<int>{axis}, keepdims);
}
// log(sum(exp(x))) along `axes` without overflow (keras.ops.logsumexp); -inf where every
// element is -inf.
Tensor logsumexp(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// Whether any / all elements along `axes` are true (non-zero): bool results, as keras.ops.any
// and keras.ops.all (an empty reduction gives false / true).
Tensor any(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor all(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// keras.ops.amax / amin: max / min under NumPy's other names.
Tensor amax(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor amin(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// keras.ops.var / std: the population variance (mean of squared deviations) and its square root;
// integer inputs give float32.
Tensor var(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// keras.ops.ptp: max - min (in x's dtype); count_nonzero: the elements != 0, as int32 (NaN
// counts, -0 does not).
Tensor ptp(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor count_nonzero(const Tensor& x, std::vector<int> axes = {});
Tensor std(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// keras.ops.cumsum / cumprod along `axis` (nullopt: x flattened); bool inputs count as int32.
// Differentiable (cumprod as products of the running values).
Tensor cumsum(const Tensor& x, std::optional<int> axis = std::nullopt);
Tensor cumprod(const Tensor& x, std::optional<int> axis = std::nullopt);
// keras.ops.nansum, nanprod, nanmean, nanmax, nanmin: the reductions with NaN left out (as 0 in
// a sum, 1 in a product; nanmean of integers is float32); an all-NaN slice gives 0, 1 or NaN
// (nanmean, nanmax, nanmin), as NumPy. Integers reduce as the plain reductions do.
Tensor nansum(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor nanprod(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor nanmean(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor nanmax(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor nanmin(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// keras.ops.nanvar / nanstd: var and std over the non-NaN elements (NaN for an all-NaN slice;
// integers as var and std). nancumsum / nancumprod: cumsum and cumprod with NaN counted as 0 and
// 1. nanargmax / nanargmin: argmax and argmin ignoring NaN, -1 for an all-NaN slice (JAX's).
Tensor nanvar(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor nanstd(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
Tensor nancumsum(const Tensor& x, std::optional<int> axis = std::nullopt);
Tensor nancumprod(const Tensor& x, std::optional<int> axis = std::nullopt);
Tensor nanargmax(const Tensor& x, int axis = -1, bool keepdims = false);
Tensor nanargmin(const Tensor& x, int axis = -1, bool keepdims = false);
// keras.ops.average (NumPy's): the mean over `axis` (none: every element) without weights, else
// sum(x w) / sum(w) over it, weights of x's shape or, with an axis, a vector of that axis's
// length. Integers average in float32. ValueError for weights of another shape.
Tensor average(const Tensor& x, std::optional<int> axis = std::nullopt, const Tensor& weights = {});
// keras.ops.quantile: the q-th quantiles (each q in [0, 1]) of x over `axes` (empty: all), by
// NumPy's `method`: "linear" (interpolated), "lower", "higher", "midpoint", "nearest" (the lower
// on a tie, as JAX) or "inverted_cdf". A list of q puts its axis first; a scalar q (`qs` of
// rank 0) adds none. NaN where the slice has a NaN. Integers give float32. Differentiable
// through the sorted values. ValueError for q outside [0, 1], an unknown method or an empty
// slice.
Tensor quantile(const Tensor& x,
                const Tensor& qs,
                std::vector<int> axes = {},
                const std::string& method = "linear",
                bool keepdims = false);
// percentile: quantile at qs / 100; median: quantile at 0.5 ("linear").
Tensor percentile(const Tensor& x,
                  const Tensor& qs,
                  std::vector<int> axes = {},
                  const std::string& method = "linear",
                  bool keepdims = false);
Tensor median(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);
// One q, no q axis.
Tensor quantile(const Tensor& x,
                double q,
                std::vector<int> axes = {},
                const std::string& method = "linear",
                bool keepdims = false);
Tensor percentile(const Tensor& x,
                  double q,
                  std::vector<int> axes = {},
                  const std::string& method = "linear",
                  bool keepdims = false);
// keras.ops.nanquantile / nanpercentile / nanmedian: quantile, percentile and median over the
// non-NaN elements of each slice (the methods and q's as quantile's), NaN for an all-NaN slice.
// Integers give float32. Differentiable through the sorted values. ValueError as quantile's.
Tensor nanquantile(const Tensor& x,
                   const Tensor& qs,
                   std::vector<int> axes = {},
                   const std::string& method = "linear",
                   bool keepdims = false);
Tensor nanquantile(const Tensor& x,
                   double q,
                   std::vector<int> axes = {},
                   const std::string& method = "linear",
                   bool keepdims = false);
Tensor nanpercentile(const Tensor& x,
                     const Tensor& qs,
                     std::vector<int> axes = {},
                     const std::string& method = "linear",
                     bool keepdims = false);
Tensor nanpercentile(const Tensor& x,
                     double q,
                     std::vector<int> axes = {},
                     const std::string& method = "linear",
                     bool keepdims = false);
Tensor nanmedian(const Tensor& x, std::vector<int> axes = {}, bool keepdims = false);

// int32 indices (Keras returns int32) of the first extreme, or of the first NaN (as NumPy's and
// JAX's); not differentiable.
Tensor argmax(const Tensor& x, int axis = -1, bool keepdims = false);
Tensor argmin(const Tensor& x, int axis = -1, bool keepdims = false);

}  // namespace keras::ops
