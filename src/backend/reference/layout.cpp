#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numeric>
#include <type_traits>
#include <vector>

#include "backend/reference/reference_backend.h"
#include "backend/strided.h"
#include "backend/unary_math.h"

namespace keras::backend {
namespace {

// Maps each element of x to the offset of its reduced position in y.
std::vector<int64_t> reduced_strides(const Shape& xs, std::span<const int> axes) {
  Shape kept = xs;
  for (int a : axes) kept[a] = 1;
  return broadcast_strides(kept, xs);
}

}  // namespace

void ReferenceBackend::reduce(ReduceOp op,
                              const Tensor& x,
                              std::span<const int> axes,
                              const Tensor& y) {
  const std::vector<int64_t> strides[1] = {reduced_strides(x.shape(), axes)};
  int64_t count = 1;
  for (int a : axes) count *= x.shape()[a];
  visit_dtype(x.dtype(), [&]<class T>() {
    using Acc = std::conditional_t<std::is_floating_point_v<T>, double, int64_t>;
    std::vector<Acc> acc(static_cast<size_t>(y.size()));
    Acc init = 0;
    if (op == ReduceOp::prod) init = 1;
    using Limits = std::numeric_limits<Acc>;
    if (op == ReduceOp::max) init = Limits::has_infinity ? -Limits::infinity() : Limits::lowest();
    if (op == ReduceOp::min) init = Limits::has_infinity ? Limits::infinity() : Limits::max();
    std::fill(acc.begin(), acc.end(), init);
    const T* in = static_cast<const T*>(x.raw_data());
    MultiIndex<1> it(x.shape(), strides);
    for (int64_t i = 0; i < x.size(); ++i, it.next()) {
      Acc& a = acc[static_cast<size_t>(it.offset(0))];
      const Acc v = static_cast<Acc>(in[i]);
      switch (op) {
        case ReduceOp::sum:
        case ReduceOp::mean:
          a += v;
          break;
        case ReduceOp::prod:
          a *= v;
          break;
        case ReduceOp::max:
          a = running_max(a, v);
          break;
        case ReduceOp::min:
          a = running_min(a, v);
          break;
      }
    }
    T* out = static_cast<T*>(y.raw_data());
    for (int64_t i = 0; i < y.size(); ++i) {
      Acc v = acc[static_cast<size_t>(i)];
      if (op == ReduceOp::mean) {
        if constexpr (std::is_floating_point_v<Acc>) {
          v /= static_cast<Acc>(count);  // no elements: 0 / 0 = NaN, as NumPy and Keras
        } else {
          v = count > 0 ? v / static_cast<Acc>(count) : Acc(0);
        }
      }
      out[i] = static_cast<T>(v);
    }
  });
}

void ReferenceBackend::arg_reduce(ArgReduceOp op, const Tensor& x, int axis, const Tensor& y) {
  if (y.size() == 0) return;
  const int64_t n = x.shape()[axis];
  int64_t inner = 1;
  for (int d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  const int64_t outer = n == 0 ? 0 : x.size() / (n * inner);
  int64_t* out = static_cast<int64_t*>(y.raw_data());
  visit_dtype(x.dtype(), [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = in + o * n * inner + i;
        int64_t best = 0;
        for (int64_t k = 1; k < n; ++k) {
          // The first NaN, as NumPy's and JAX's argmax and argmin.
          const T v = p[k * inner], b = p[best * inner];
          if (b != b) break;
          const bool better = v != v || (op == ArgReduceOp::argmax ? v > b : v < b);
          if (better) best = k;
        }
        out[o * inner + i] = best;
      }
    }
  });
}

void ReferenceBackend::argsort(const Tensor& x, int axis, bool descending, const Tensor& y) {
  if (y.size() == 0) return;
  const int64_t n = x.shape()[axis];
  int64_t inner = 1;
  for (int d = axis + 1; d < x.rank(); ++d) inner *= x.shape()[d];
  const int64_t outer = x.size() / (n * inner);
  int64_t* out = static_cast<int64_t*>(y.raw_data());
  std::vector<int64_t> order(static_cast<size_t>(n));
  visit_dtype(x.dtype(), [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    // a before b in ascending order, NaN after every number.
    auto less = [](T a, T b) {
      if constexpr (std::is_floating_point_v<T>) {
        if (std::isnan(a)) return false;
        if (std::isnan(b)) return true;
      }
      return a < b;
    };
    // Descending (top_k) also puts +0 before -0, as JAX's top_k does.
    auto greater = [&less](T a, T b) {
      if constexpr (std::is_floating_point_v<T>) {
        if (a == 0 && b == 0) return std::signbit(b) && !std::signbit(a);
      }
      return less(b, a);
    };
    for (int64_t o = 0; o < outer; ++o) {
      for (int64_t i = 0; i < inner; ++i) {
        const T* p = in + o * n * inner + i;
        std::iota(order.begin(), order.end(), int64_t{0});
        std::stable_sort(order.begin(), order.end(), [&](int64_t a, int64_t b) {
          return descending ? greater(p[a * inner], p[b * inner])
                            : less(p[a * inner], p[b * inner]);
        });
        for (int64_t k = 0; k < n; ++k)
          out[(o * n + k) * inner + i] = order[static_cast<size_t>(k)];
      }
    }
  });
}

void ReferenceBackend::transpose(const Tensor& x, std::span<const int> perm, const Tensor& y) {
  const std::vector<int64_t> xs = contiguous_strides(x.shape());
  std::vector<int64_t> permuted(perm.size());
  for (size_t i = 0; i < perm.size(); ++i) permuted[i] = xs[static_cast<size_t>(perm[i])];
  const std::vector<int64_t> strides[1] = {permuted};
  const size_t elem = dtype_size(x.dtype());
  const char* in = static_cast<const char*>(x.raw_data());
  char* out = static_cast<char*>(y.raw_data());
  MultiIndex<1> it(y.shape(), strides);
  for (int64_t i = 0; i < y.size(); ++i, it.next()) {
    std::memcpy(out + i * elem, in + it.offset(0) * elem, elem);
  }
}

void ReferenceBackend::broadcast_to(const Tensor& x, const Tensor& y) {
  const std::vector<int64_t> strides[1] = {broadcast_strides(x.shape(), y.shape())};
  const size_t elem = dtype_size(x.dtype());
  const char* in = static_cast<const char*>(x.raw_data());
  char* out = static_cast<char*>(y.raw_data());
  MultiIndex<1> it(y.shape(), strides);
  for (int64_t i = 0; i < y.size(); ++i, it.next()) {
    std::memcpy(out + i * elem, in + it.offset(0) * elem, elem);
  }
}

void ReferenceBackend::concat(std::span<const Tensor> xs, int axis, const Tensor& y) {
  const size_t elem = dtype_size(y.dtype());
  const AxisSplit ys = split_at(y.shape(), axis);
  int64_t offset = 0;
  for (const Tensor& x : xs) {
    const AxisSplit s = split_at(x.shape(), axis);
    const size_t chunk = static_cast<size_t>(s.n * s.inner) * elem;
    for (int64_t o = 0; o < s.outer; ++o) {
      std::memcpy(static_cast<char*>(y.raw_data()) + ((o * ys.n + offset) * ys.inner) * elem,
                  static_cast<const char*>(x.raw_data()) + o * chunk, chunk);
    }
    offset += s.n;
  }
}

void ReferenceBackend::slice_axis(const Tensor& x, int axis, int64_t start, const Tensor& y) {
  const size_t elem = dtype_size(y.dtype());
  const AxisSplit xs = split_at(x.shape(), axis);
  const AxisSplit ys = split_at(y.shape(), axis);
  const size_t chunk = static_cast<size_t>(ys.n * ys.inner) * elem;
  for (int64_t o = 0; o < ys.outer; ++o) {
    std::memcpy(static_cast<char*>(y.raw_data()) + o * chunk,
                static_cast<const char*>(x.raw_data()) + ((o * xs.n + start) * xs.inner) * elem,
                chunk);
  }
}

void ReferenceBackend::slice_axis_backward(const Tensor& dy,
                                           int axis,
                                           int64_t start,
                                           const Tensor& dx) {
  std::memset(dx.raw_data(), 0, dx.nbytes());
  const size_t elem = dtype_size(dx.dtype());
  const AxisSplit xs = split_at(dx.shape(), axis);
  const AxisSplit ys = split_at(dy.shape(), axis);
  const size_t chunk = static_cast<size_t>(ys.n * ys.inner) * elem;
  for (int64_t o = 0; o < ys.outer; ++o) {
    std::memcpy(static_cast<char*>(dx.raw_data()) + ((o * xs.n + start) * xs.inner) * elem,
                static_cast<const char*>(dy.raw_data()) + o * chunk, chunk);
  }
}

namespace {

template <class F>
void for_each_index(const Tensor& indices, int64_t limit, const char* kernel, F&& f) {
  auto run = [&]<class I>() {
    const I* idx = static_cast<const I*>(indices.raw_data());
    for (int64_t i = 0; i < indices.size(); ++i) {
      const int64_t k = static_cast<int64_t>(idx[i]);
      KERAS_CHECK(k >= 0 && k < limit, IndexError, kernel, ": index ", k, " is out of range [0, ",
                  limit, ")");
      f(i, k);
    }
  };
  if (indices.dtype() == DType::int32) {
    run.template operator()<int32_t>();
  } else if (indices.dtype() == DType::int64) {
    run.template operator()<int64_t>();
  } else {
    throw TypeError(str(kernel, ": indices must be int32 or int64, got ", indices.dtype()));
  }
}

}  // namespace

namespace {

// "[1,0]": the multi-index of flat position `flat` in `shape`, as TensorFlow prints it.
std::string index_str(int64_t flat, const Shape& shape) {
  std::vector<int64_t> idx(shape.size());
  for (size_t d = shape.size(); d-- > 0;) {
    const int64_t n = shape[d] > 0 ? shape[d] : 1;
    idx[d] = flat % n;
    flat /= n;
  }
  std::string s = "[";
  for (size_t d = 0; d < idx.size(); ++d) s += str(d ? "," : "", idx[d]);
  return s + "]";
}

}  // namespace

void ReferenceBackend::gather(const Tensor& params,
                              const Tensor& indices,
                              const Tensor& y,
                              const GatherParams& p) {
  const int64_t rows = params.shape()[0];
  const int64_t row = rows == 0 ? 0 : params.size() / rows;
  const size_t bytes = static_cast<size_t>(row) * dtype_size(params.dtype());
  const auto* src = static_cast<const char*>(params.raw_data());
  auto* dst = static_cast<char*>(y.raw_data());
  visit_dtype(indices.dtype(), [&]<class I>() {
    if constexpr (std::is_same_v<I, bool>) {
      throw TypeError(str("gather: indices must be integers or floats, got ", indices.dtype()));
    } else {
      const I* idx = static_cast<const I*>(indices.raw_data());
      for (int64_t i = 0; i < indices.size(); ++i) {
        int64_t k;
        bool in_range;
        if constexpr (std::is_floating_point_v<I>) {
          const double t = std::trunc(static_cast<double>(idx[i]));  // NaN compares false
          in_range = t >= 0 && t < static_cast<double>(rows);
          k = in_range ? static_cast<int64_t>(t) : 0;
        } else {
          k = static_cast<int64_t>(idx[i]);
          in_range = k >= 0 && k < rows;
        }
        if (!in_range) [[unlikely]] {
          if (p.context.empty()) {
            throw IndexError(str("gather: index ", +idx[i], " is out of range [0, ", rows, ")"));
          }
          throw IndexError(str(p.context, "indices", index_str(i, indices.shape()), " = ", +idx[i],
                               " is not in [0, ", rows, ")"));
        }
        std::memcpy(dst + i * bytes, src + k * bytes, bytes);
      }
    }
  });
}

void ReferenceBackend::scatter_add(const Tensor& dy, const Tensor& indices, const Tensor& dparams) {
  const int64_t rows = dparams.shape()[0];
  const int64_t row = rows == 0 ? 0 : dparams.size() / rows;
  visit_floating(dparams, "scatter_add", [&]<class T>() {
    const T* src = static_cast<const T*>(dy.raw_data());
    T* dst = static_cast<T*>(dparams.raw_data());
    for_each_index(indices, rows, "scatter_add", [&](int64_t i, int64_t k) {
      for (int64_t j = 0; j < row; ++j) dst[k * row + j] += src[i * row + j];
    });
  });
}

void ReferenceBackend::one_hot(const Tensor& indices, const Tensor& y) {
  const int64_t depth = y.shape().back();
  std::memset(y.raw_data(), 0, y.nbytes());
  visit_dtype(y.dtype(), [&]<class T>() {
    T* out = static_cast<T*>(y.raw_data());
    for_each_index(indices, depth, "one_hot",
                   [&](int64_t i, int64_t k) { out[i * depth + k] = T(1); });
  });
}

}  // namespace keras::backend
