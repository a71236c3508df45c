// Contiguous fast paths; anything else falls back to the reference loops.
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <vector>

#if defined(__x86_64__)
#include <immintrin.h>
#endif

#include "backend/cpu/cpu_backend.h"
#include "backend/cpu/fast_math.h"
#include "backend/cpu/parallel.h"
#include "backend/cpu/rmsprop_f32.h"
#include "backend/cpu/vec16.h"
#include "backend/masked_rows.h"
#include "backend/row_updates.h"
#include "backend/unary_math.h"

namespace keras::backend {
namespace {

// How an operand of a broadcast binary op lines up with the output.
enum class Layout { full, scalar, row, column, other };

// row: the operand is y's trailing dims (repeated over leading rows);
// column: the operand is y's leading dims followed by 1s (repeated over trailing columns).
Layout classify(const Shape& s, const Shape& y, int64_t* inner) {
  const int64_t n = num_elements(s);
  if (n == num_elements(y) && (s == y || n == 1))
    return n == 1 && num_elements(y) != 1 ? Layout::scalar : Layout::full;
  if (n == 1) return Layout::scalar;
  // Strip leading 1s of s and compare its tail with y's tail.
  size_t first = 0;
  while (first < s.size() && s[first] == 1) ++first;
  const size_t tail = s.size() - first;
  if (tail <= y.size() && std::equal(s.begin() + first, s.end(), y.end() - tail)) {
    *inner = n;
    return Layout::row;
  }
  // Leading dims equal, the rest 1.
  size_t last = s.size();
  while (last > 0 && s[last - 1] == 1) --last;
  const size_t lead = y.size() - s.size();
  if (lead == 0 && std::equal(s.begin(), s.begin() + last, y.begin())) {
    *inner = num_elements(y) / n;
    return Layout::column;
  }
  return Layout::other;
}

template <BinaryOp kOp, class T, class R>
void binary_loops(
    Layout la, Layout lb, const T* a, const T* b, R* y, int64_t n, int64_t ia, int64_t ib) {
  auto op = [](T x, T z) { return static_cast<R>(binary_scalar<kOp, T>(x, z)); };
  if (la == Layout::full && lb == Layout::full) {
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], b[i]);
  } else if (la == Layout::full && lb == Layout::scalar) {
    const T s = b[0];
    for (int64_t i = 0; i < n; ++i) y[i] = op(a[i], s);
  } else if (la == Layout::scalar && lb == Layout::full) {
    const T s = a[0];
    for (int64_t i = 0; i < n; ++i) y[i] = op(s, b[i]);
  } else if (la == Layout::full && lb == Layout::row) {
    for (int64_t r = 0; r < n; r += ib) {
      const T* ar = a + r;
      R* yr = y + r;
      for (int64_t j = 0; j < ib; ++j) yr[j] = op(ar[j], b[j]);
    }
  } else if (la == Layout::row && lb == Layout::full) {
    for (int64_t r = 0; r < n; r += ia) {
      const T* br = b + r;
      R* yr = y + r;
      for (int64_t j = 0; j < ia; ++j) yr[j] = op(a[j], br[j]);
    }
  } else if (la == Layout::full && lb == Layout::column) {
    for (int64_t r = 0; r * ib < n; ++r) {
      const T s = b[r];
      for (int64_t j = 0; j < ib; ++j) y[r * ib + j] = op(a[r * ib + j], s);
    }
  } else {  // la == column, lb == full
    for (int64_t r = 0; r * ia < n; ++r) {
      const T s = a[r];
      for (int64_t j = 0; j < ia; ++j) y[r * ia + j] = op(s, b[r * ia + j]);
    }
  }
}

bool fast_pair(Layout la, Layout lb) {
  if (la == Layout::full) return lb != Layout::other;
  if (lb == Layout::full) return la != Layout::other;
  return false;
}

}  // namespace

void CpuBackend::fill(const Tensor& y, double value) {
  if (value == 0.0) {
    std::memset(y.raw_data(), 0, y.nbytes());
    return;
  }
  ReferenceBackend::fill(y, value);
}

void CpuBackend::binary(BinaryOp op, const Tensor& a, const Tensor& b, const Tensor& y) {
  if (y.size() == 0) return;
  int64_t ia = 0, ib = 0;
  const Layout la = classify(a.shape(), y.shape(), &ia);
  const Layout lb = classify(b.shape(), y.shape(), &ib);
  if (!fast_pair(la, lb)) {
    ReferenceBackend::binary(op, a, b, y);
    return;
  }
  visit_dtype(a.dtype(), [&]<class T>() {
    visit_binary_op(op, [&]<BinaryOp kOp>() {
      using R = decltype(binary_scalar<kOp, T>(T(), T()));
      const T* pa = static_cast<const T*>(a.raw_data());
      const T* pb = static_cast<const T*>(b.raw_data());
      R* py = static_cast<R*>(y.raw_data());
      // Chunks start on whole rows of a row or column operand, where its pattern restarts.
      const int64_t granule = la == Layout::row || la == Layout::column   ? ia
                              : lb == Layout::row || lb == Layout::column ? ib
                                                                          : 1;
      auto at = [](const T* p, Layout l, int64_t inner, int64_t start) {
        return l == Layout::full ? p + start : l == Layout::column ? p + start / inner : p;
      };
      parallel_chunks(y.size(), granule, [&](int64_t begin, int64_t end) {
        binary_loops<kOp, T, R>(la, lb, at(pa, la, ia, begin), at(pb, lb, ib, begin), py + begin,
                                end - begin, ia, ib);
      });
    });
  });
}

void CpuBackend::unary(UnaryOp op, const Tensor& x, const Tensor& y, UnaryParams p) {
  if (!is_floating(x.dtype())) {
    ReferenceBackend::unary(op, x, y, p);
    return;
  }
  const int64_t n = x.size();
  if (x.dtype() == DType::float32) {  // vectorizable float32 versions of the costly functions
    const float* in = static_cast<const float*>(x.raw_data());
    float* out = static_cast<float*>(y.raw_data());
    switch (op) {
      case UnaryOp::exp:
        for (int64_t i = 0; i < n; ++i) out[i] = fast::exp(in[i]);
        return;
      case UnaryOp::sigmoid:
        for (int64_t i = 0; i < n; ++i) out[i] = fast::sigmoid(in[i]);
        return;
      case UnaryOp::tanh:
        for (int64_t i = 0; i < n; ++i) out[i] = fast::tanh(in[i]);
        return;
      default:
        break;
    }
  }
  visit_floating(x, "unary", [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    visit_unary_op(op, [&]<UnaryOp kOp>() {
      parallel_chunks(n, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) out[i] = unary_forward<kOp, T>(in[i], p);
      });
    });
  });
}

void CpuBackend::unary_backward(UnaryOp op,
                                const Tensor& x,
                                const Tensor& y,
                                const Tensor& dy,
                                const Tensor& dx,
                                UnaryParams p) {
  visit_floating(x, "unary_backward", [&]<class T>() {
    const T* xs = static_cast<const T*>(x.raw_data());
    const T* ys = static_cast<const T*>(y.raw_data());
    const T* g = static_cast<const T*>(dy.raw_data());
    T* out = static_cast<T*>(dx.raw_data());
    const int64_t n = x.size();
    visit_unary_op(op, [&]<UnaryOp kOp>() {
      parallel_chunks(n, 1, [&](int64_t begin, int64_t end) {
        for (int64_t i = begin; i < end; ++i) {
          out[i] = g[i] * unary_derivative<kOp, T>(xs[i], ys[i], p);
        }
      });
    });
  });
}

void CpuBackend::broadcast_to(const Tensor& x, const Tensor& y) {
  if (y.size() == 0) return;
  int64_t inner = 0;
  const Layout layout = classify(x.shape(), y.shape(), &inner);
  const size_t elem = dtype_size(x.dtype());
  const char* in = static_cast<const char*>(x.raw_data());
  char* out = static_cast<char*>(y.raw_data());
  const int64_t n = y.size();
  switch (layout) {
    case Layout::full:
      std::memcpy(out, in, y.nbytes());
      return;
    case Layout::scalar:
      for (int64_t i = 0; i < n; ++i) std::memcpy(out + i * elem, in, elem);
      return;
    case Layout::row:  // x repeats over leading rows
      for (int64_t r = 0; r < n; r += inner) std::memcpy(out + r * elem, in, inner * elem);
      return;
    case Layout::column:  // each x element repeats `inner` times
      for (int64_t r = 0; r * inner < n; ++r) {
        for (int64_t j = 0; j < inner; ++j)
          std::memcpy(out + (r * inner + j) * elem, in + r * elem, elem);
      }
      return;
    case Layout::other:
      ReferenceBackend::broadcast_to(x, y);
      return;
  }
}

namespace {

// Max or min over a block of consecutive axes (GlobalMaxPooling's middle axis): x as (outer,
// reduced, inner), inner contiguous and vectorizable. The reference's rule exactly: starting from
// the lowest (highest) value, a = a < v ? v : a, so a NaN is passed over and an all-NaN float32
// row gives -inf (the reference's double lowest, rounded). False when the axes are not such a
// block.
bool max_min_over_block(ReduceOp op, const Tensor& x, std::span<const int> axes, const Tensor& y) {
  if (axes.empty() || axes[0] < 0) return false;  // the Backend's axes: sorted, non-negative
  for (size_t i = 1; i < axes.size(); ++i) {
    if (axes[i] != axes[0] + static_cast<int>(i)) return false;
  }
  const Shape& s = x.shape();
  int64_t outer = 1, reduced = 1, inner = 1;
  for (int d = 0; d < x.rank(); ++d) {
    const int64_t n = s[static_cast<size_t>(d)];
    if (d < axes.front()) {
      outer *= n;
    } else if (d <= axes.back()) {
      reduced *= n;
    } else {
      inner *= n;
    }
  }
  const bool is_max = op == ReduceOp::max;
  visit_floating(x, "reduce", [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    using Limits = std::numeric_limits<T>;
    const T init = Limits::has_infinity ? (is_max ? -Limits::infinity() : Limits::infinity())
                                        : (is_max ? Limits::lowest() : Limits::max());
    for (int64_t o = 0; o < outer; ++o) {
      T* dst = out + o * inner;
      std::fill(dst, dst + inner, init);
      for (int64_t i = 0; i < reduced; ++i) {
        const T* src = in + (o * reduced + i) * inner;
        if (is_max) {
          for (int64_t j = 0; j < inner; ++j) dst[j] = running_max(dst[j], src[j]);
        } else {
          for (int64_t j = 0; j < inner; ++j) dst[j] = running_min(dst[j], src[j]);
        }
      }
    }
  });
  return true;
}

// Sums over the leading axes of large tensors (a convolution's bias gradient: a million rows of
// channels) in blocks of rows, in parallel, each block summed in row order and the blocks' sums
// then in block order: the same bits on any number of threads. (Row by row on one thread was
// 0.35 ms of shared_vision's 19 ms training step, per convolution, with the other thread idle.)
constexpr int64_t kBlockedSumMin = int64_t{1} << 18;  // elements
constexpr int64_t kBlockedSumRows = 256;

template <class T>
void sum_leading_in_blocks(const T* in, int64_t rows, int64_t cols, T* out) {
  const int64_t blocks = (rows + kBlockedSumRows - 1) / kBlockedSumRows;
  thread_local std::vector<T> partial_buffer;
  partial_buffer.resize(static_cast<size_t>(blocks * cols));
  T* partial = partial_buffer.data();
  parallel_chunks(
      blocks, 1,
      [&](int64_t b0, int64_t b1) {
        for (int64_t b = b0; b < b1; ++b) {
          T* acc = partial + b * cols;
          const int64_t r0 = b * kBlockedSumRows, r1 = std::min(rows, r0 + kBlockedSumRows);
          std::copy(in + r0 * cols, in + (r0 + 1) * cols, acc);
          for (int64_t r = r0 + 1; r < r1; ++r) {
            const T* row = in + r * cols;
            for (int64_t j = 0; j < cols; ++j) acc[j] += row[j];
          }
        }
      },
      2);
  std::copy(partial, partial + cols, out);
  for (int64_t b = 1; b < blocks; ++b) {
    const T* acc = partial + b * cols;
    for (int64_t j = 0; j < cols; ++j) out[j] += acc[j];
  }
}

}  // namespace

void CpuBackend::reduce(ReduceOp op, const Tensor& x, std::span<const int> axes, const Tensor& y) {
  if (axes.empty()) {  // nothing to reduce
    if (op == ReduceOp::mean || op == ReduceOp::sum || op == ReduceOp::max || op == ReduceOp::min ||
        op == ReduceOp::prod) {
      std::memcpy(y.raw_data(), x.raw_data(), x.nbytes());
      return;
    }
  }
  // Fast paths for float sums/means over a contiguous block of leading or trailing axes.
  const int r = x.rank();
  bool leading = !axes.empty(), trailing = !axes.empty();
  for (size_t i = 0; i < axes.size(); ++i) {
    leading = leading && axes[i] == static_cast<int>(i);
    trailing = trailing && axes[i] == r - static_cast<int>(axes.size()) + static_cast<int>(i);
  }
  if (is_floating(x.dtype()) && (op == ReduceOp::max || op == ReduceOp::min) && x.size() > 0 &&
      max_min_over_block(op, x, axes, y)) {
    return;
  }
  if (!is_floating(x.dtype()) || (op != ReduceOp::sum && op != ReduceOp::mean) ||
      !(leading || trailing) || x.size() == 0) {
    ReferenceBackend::reduce(op, x, axes, y);
    return;
  }
  int64_t reduced = 1;
  for (int a : axes) reduced *= x.shape()[a];
  const int64_t kept = x.size() / reduced;
  visit_floating(x, "reduce", [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    const T scale = op == ReduceOp::mean ? T(1) / static_cast<T>(reduced) : T(1);
    if (leading) {  // out[j] = sum_i in[i, j]
      if (reduced * kept >= kBlockedSumMin && reduced >= 2 * kBlockedSumRows) {
        sum_leading_in_blocks(in, reduced, kept, out);
      } else {
        for (int64_t j = 0; j < kept; ++j) out[j] = in[j];
        for (int64_t i = 1; i < reduced; ++i) {
          const T* row = in + i * kept;
          for (int64_t j = 0; j < kept; ++j) out[j] += row[j];
        }
      }
      if (op == ReduceOp::mean) {
        for (int64_t j = 0; j < kept; ++j) out[j] *= scale;
      }
    } else {  // out[i] = sum_j in[i, j]
      for (int64_t i = 0; i < kept; ++i) {
        const T* row = in + i * reduced;
        T acc = 0;
        for (int64_t j = 0; j < reduced; ++j) acc += row[j];
        out[i] = acc * scale;
      }
    }
  });
}

namespace {

#if defined(__x86_64__)
// Rows of 6 to 16 floats (a classifier's classes), each in one masked vector from load to store:
// no scalar chains for the maximum and the sum (most of the generic loop's time at 10 classes:
// 18-21 -> 13.5 ns a row). Shorter rows are faster in the generic loop. Any NaN or infinity in
// a row makes the row NaN, as in the generic loop.
// GCC 12's AVX-512 reductions start from _mm512_undefined_ps(), which -Wmaybe-uninitialized
// takes for a read of an uninitialized value (a false positive: GCC bug 105593).
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
KERAS_AVX512 void softmax_short_rows(const float* in, float* out, int64_t rows, int64_t n) {
  const __mmask16 mask = vec16::first_lanes16(n);
  const __m512 lowest = _mm512_set1_ps(-std::numeric_limits<float>::infinity());
  for (int64_t r = 0; r < rows; ++r) {
    const __m512 x = _mm512_mask_loadu_ps(lowest, mask, in + r * n);
    alignas(64) float t[16];
    // The lanes past n get 0, not -inf - max: exp would make them subnormal (slow to compute).
    _mm512_store_ps(t, _mm512_maskz_sub_ps(mask, x, _mm512_set1_ps(_mm512_reduce_max_ps(x))));
    for (float& v : t) v = fast::exp(v);  // one vector: this function is compiled for AVX-512
    const __m512 e = _mm512_load_ps(t);
    const float inv = 1.0f / _mm512_mask_reduce_add_ps(mask, e);
    _mm512_mask_storeu_ps(out + r * n, mask, e * _mm512_set1_ps(inv));
  }
}
#pragma GCC diagnostic pop
#endif

}  // namespace

void CpuBackend::softmax(const Tensor& x, const Tensor& y) {
  visit_floating(x, "softmax", [&]<class T>() {
    const int64_t n = x.shape().back();
    const int64_t rows = n == 0 ? 0 : x.size() / n;
    const T* in = static_cast<const T*>(x.raw_data());
    T* out = static_cast<T*>(y.raw_data());
#if defined(__x86_64__)
    if constexpr (std::is_same_v<T, float>) {
      if (n >= 6 && n <= 16 && vec16::cpu_has_avx512()) {
        softmax_short_rows(in, out, rows, n);
        return;
      }
    }
#endif
    // exp over [begin, end) of out in place, in one loop that vectorizes.
    auto exp_in_place = [out](int64_t begin, int64_t end) {
      for (int64_t i = begin; i < end; ++i) {
        if constexpr (std::is_same_v<T, float>) {
          out[i] = fast::exp(out[i]);
        } else {
          out[i] = std::exp(out[i]);
        }
      }
    };
    // Short rows (a classifier's few classes): the exponentials of all rows in one long loop
    // rather than a few at a time per row. Rows in blocks, so that the block stays in L1.
    const int64_t block = n > 0 && n < 64 ? 2048 / n : 1;
    for (int64_t r0 = 0; r0 < rows; r0 += block) {
      const int64_t r1 = std::min(rows, r0 + block);
      for (int64_t r = r0; r < r1; ++r) {
        const T* xr = in + r * n;
        T* yr = out + r * n;
        T mx = xr[0];
        for (int64_t i = 1; i < n; ++i) mx = xr[i] > mx ? xr[i] : mx;
        for (int64_t i = 0; i < n; ++i) yr[i] = xr[i] - mx;
      }
      exp_in_place(r0 * n, r1 * n);
      for (int64_t r = r0; r < r1; ++r) {
        T* yr = out + r * n;
        T sum = 0;
        for (int64_t i = 0; i < n; ++i) sum += yr[i];
        const T inv = T(1) / sum;
        for (int64_t i = 0; i < n; ++i) yr[i] *= inv;
      }
    }
  });
}

void CpuBackend::masked_softmax(const Tensor& x,
                                const Tensor& mask,
                                const Tensor& y,
                                bool uniform_empty_rows) {
  visit_floating(x, "masked_softmax", [&]<class T>() {
    const T* in = static_cast<const T*>(x.raw_data());
    const bool* m = static_cast<const bool*>(mask.raw_data());
    T* out = static_cast<T*>(y.raw_data());
    for_each_masked_row(x, mask, [&](int64_t o, int64_t mo, int64_t ms, int64_t n) {
      const T* xr = in + o;
      const bool* mr = m + mo;
      T* yr = out + o;
      T mx = -std::numeric_limits<T>::infinity();
      for (int64_t i = 0; i < n; ++i) mx = mr[i * ms] && xr[i] > mx ? xr[i] : mx;
      T sum = 0;
      for (int64_t i = 0; i < n; ++i) {
        T e = 0;
        if (mr[i * ms]) {
          if constexpr (std::is_same_v<T, float>) {
            e = fast::exp(xr[i] - mx);
          } else {
            e = std::exp(xr[i] - mx);
          }
        }
        yr[i] = e;
        sum += e;
      }
      if (sum > 0) {
        const T inv = T(1) / sum;
        for (int64_t i = 0; i < n; ++i) yr[i] *= inv;
      } else {  // masked everywhere
        const T fill = uniform_empty_rows ? T(1) / static_cast<T>(n) : T(0);
        for (int64_t i = 0; i < n; ++i) yr[i] = fill;
      }
    });
  });
}

void CpuBackend::softmax_backward(const Tensor& y, const Tensor& dy, const Tensor& dx) {
  visit_floating(y, "softmax_backward", [&]<class T>() {
    const int64_t n = y.shape().back();
    const int64_t rows = n == 0 ? 0 : y.size() / n;
    const T* py = static_cast<const T*>(y.raw_data());
    const T* g = static_cast<const T*>(dy.raw_data());
    T* out = static_cast<T*>(dx.raw_data());
    for (int64_t r = 0; r < rows; ++r) {
      const int64_t o = r * n;
      T dot = 0;
      for (int64_t i = 0; i < n; ++i) dot += py[o + i] * g[o + i];
      for (int64_t i = 0; i < n; ++i) out[o + i] = py[o + i] * (g[o + i] - dot);
    }
  });
}

void CpuBackend::rmsprop_update(const Tensor& w,
                                const Tensor& g,
                                const Tensor& velocity,
                                const Tensor& momentum,
                                const Tensor& average_gradient,
                                const RmspropParams& p) {
  if (w.dtype() != DType::float32 || momentum.defined() || average_gradient.defined()) {
    ReferenceBackend::rmsprop_update(w, g, velocity, momentum, average_gradient, p);
    return;
  }
  rows::rmsprop_f32(static_cast<float*>(w.raw_data()), static_cast<const float*>(g.raw_data()),
                    static_cast<float*>(velocity.raw_data()), w.size(), p);
}

void CpuBackend::adam_update(const Tensor& w,
                             const Tensor& g,
                             const Tensor& m,
                             const Tensor& v,
                             const Tensor& v_hat,
                             const AdamParams& p) {
  if (w.dtype() != DType::float32 || v_hat.defined()) {
    ReferenceBackend::adam_update(w, g, m, v, v_hat, p);
    return;
  }
  const double t = static_cast<double>(p.step);
  const float alpha = static_cast<float>(p.learning_rate * std::sqrt(1.0 - std::pow(p.beta_2, t)) /
                                         (1.0 - std::pow(p.beta_1, t)));
  const float b1 = static_cast<float>(1.0 - p.beta_1), b2 = static_cast<float>(1.0 - p.beta_2);
  const float eps = static_cast<float>(p.epsilon);
  const float decay = static_cast<float>(p.weight_decay * p.learning_rate);
  float* pw = static_cast<float*>(w.raw_data());
  const float* pg = static_cast<const float*>(g.raw_data());
  float* pm = static_cast<float*>(m.raw_data());
  float* pv = static_cast<float*>(v.raw_data());
  const int64_t n = w.size();
  for (int64_t i = 0; i < n; ++i) {
    const float wi = pw[i] - pw[i] * decay;
    const float grad = pg[i];
    const float mi = pm[i] + (grad - pm[i]) * b1;
    const float vi = pv[i] + (grad * grad - pv[i]) * b2;
    pm[i] = mi;
    pv[i] = vi;
    pw[i] = wi - alpha * mi / (std::sqrt(vi) + eps);
  }
}

}  // namespace keras::backend
