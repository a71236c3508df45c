#include "keras/ops/sort.h"

#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

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

}  // namespace keras::ops
