#include "keras/ops/sort.h"

#include <algorithm>

#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/host_kernel.h"

namespace keras::ops {
namespace {

// The int64 indices that sort x along `axis` (normalized).
Tensor sort_indices(const Tensor& x, int axis, bool descending) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "sort: cannot sort a scalar");
  const int a = normalize_axis(axis, x.rank());
  Tensor y = Tensor::empty(x.shape(), int64, x.device());
  backend::Backend& be = backend::backend_for(x);
  autodiff::launch([&be, x, a, descending, y] { be.argsort(x, a, descending, y); });
  return y;
}

}  // namespace

Tensor argsort(const Tensor& x, int axis) {
  return cast(sort_indices(x, axis, false), int32);
}

Tensor sort(const Tensor& x, int axis) {
  return take_along_axis(x, sort_indices(x, axis, false), axis);
}

std::pair<Tensor, Tensor> top_k(const Tensor& x, int64_t k, bool /*sorted*/) {
  KERAS_CHECK(x.rank() >= 1, ValueError, "top_k: x must have at least one dimension");
  const int64_t n = x.shape().back();
  KERAS_CHECK(k >= 0 && k <= n, ValueError, "top_k: k must be in [0, ", n,
              "] (the last dimension of x, shape ", shape_str(x.shape()), "), got ", k);
  const Tensor indices = slice_axis(sort_indices(x, -1, true), -1, 0, k);
  return {take_along_axis(x, indices, -1), cast(indices, int32)};
}

namespace {

// a < b with NaN after every number (NumPy's sort order), elementwise.
Tensor nan_last_less(const Tensor& a, const Tensor& b) {
  return logical_or(less(a, b), logical_and(isnan(b), logical_not(isnan(a))));
}

// How many entries of the 1-D `seq` `pred(value, entry)` holds for, for each value (int32).
template <class F>
Tensor count_along(const Tensor& values, const Tensor& seq, F&& pred) {
  const DType dtype = result_type(values.dtype(), seq.dtype());
  const Tensor v = expand_dims(cast(values, dtype), -1);
  return sum(cast(pred(v, cast(seq, dtype)), int32), {-1});
}

}  // namespace

Tensor isin(const Tensor& x1, const Tensor& x2, bool /*assume_unique*/, bool invert) {
  const DType dtype = result_type(x1.dtype(), x2.dtype());
  const Tensor found =
      any(equal(expand_dims(cast(x1, dtype), -1), reshape(cast(x2, dtype), {x2.size()})), {-1});
  return invert ? logical_not(found) : found;
}

Tensor digitize(const Tensor& x, const Tensor& bins) {
  KERAS_CHECK(bins.rank() == 1, ValueError, "digitize: `bins` must be 1-D, got shape ",
              shape_str(bins.shape()));
  const std::vector<double> v = internal::values_on_host<double>(bins);
  const bool increasing = std::is_sorted(v.begin(), v.end());
  KERAS_CHECK(increasing || std::is_sorted(v.rbegin(), v.rend()), ValueError,
              "digitize: `bins` must be monotonically increasing or decreasing");
  if (increasing) {  // the bins at or below x; NaN after them all
    return count_along(x, bins, [](const Tensor& xv, const Tensor& bv) {
      return logical_not(nan_last_less(xv, bv));
    });
  }
  return count_along(x, bins, [](const Tensor& xv, const Tensor& bv) {
    return nan_last_less(xv, bv);  // the bins above x
  });
}

Tensor searchsorted(const Tensor& sorted_sequence, const Tensor& values, const std::string& side) {
  KERAS_CHECK(sorted_sequence.rank() == 1, ValueError,
              "searchsorted: `sorted_sequence` must be 1-D, got shape ",
              shape_str(sorted_sequence.shape()));
  KERAS_CHECK(side == "left" || side == "right", ValueError,
              "searchsorted: `side` must be 'left' or 'right', got '", side.substr(0, 20), "'");
  if (side == "left") {  // the entries before the value
    return count_along(values, sorted_sequence, [](const Tensor& value, const Tensor& entry) {
      return nan_last_less(entry, value);
    });
  }
  return count_along(values, sorted_sequence, [](const Tensor& value, const Tensor& entry) {
    return logical_not(nan_last_less(value, entry));  // the entries not after it
  });
}

}  // namespace keras::ops

namespace keras::ops {

Tensor argpartition(const Tensor& x_in, int64_t kth, std::optional<int> axis) {
  const Tensor x = axis ? x_in : reshape(x_in, {-1});
  KERAS_CHECK(x.rank() >= 1, ValueError, "argpartition: cannot partition a scalar");
  const int a = normalize_axis(axis.value_or(0), x.rank());
  const int64_t n = x.shape()[static_cast<size_t>(a)];
  KERAS_CHECK(kth >= -n && kth < n, ValueError, "argpartition: kth ", kth,
              " is out of bounds for an axis of size ", n);
  if (kth < 0) kth += n;
  const Tensor order = sort_indices(x, a, false);
  // Rank of each element in the stable order (the inverse permutation); the elements ranked
  // above kth follow in their index order (a stable sort of the selection flags).
  const Tensor rank = sort_indices(order, a, false);
  const Tensor chosen = less_equal(rank, scalar_like(static_cast<double>(kth), rank));
  const Tensor rest = sort_indices(cast(chosen, int32), a, false);
  return cast(
      concatenate({slice_axis(order, a, 0, kth + 1), slice_axis(rest, a, 0, n - kth - 1)}, a),
      int32);
}

}  // namespace keras::ops
