// keras.ops' NumPy functions completed: aliases (absolute, true_divide, fabs), allclose, the real
// parts of complex functions (real, imag, angle), ldexp, nextafter, select, view; append,
// array_split, diagflat, vander, eye, tri, ndim, nonzero, unique (shape.h); the windows
// (bartlett, blackman, hamming, hanning), corrcoef, histogram, trapezoid (math.h).
#include <algorithm>
#include <cmath>
#include <cstring>
#include <limits>
#include <numbers>
#include <numeric>

#include "keras/core/error.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/math.h"
#include "keras/ops/numpy.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "ops/floating.h"
#include "ops/host_kernel.h"

namespace keras::ops {

Tensor absolute(const Tensor& x) {
  return abs(x);
}
Tensor true_divide(const Tensor& a, const Tensor& b) {
  return divide(a, b);
}
Tensor fabs(const Tensor& x) {
  return abs(floating(x));
}

Tensor allclose(const Tensor& a, const Tensor& b, double rtol, double atol, bool equal_nan) {
  return all(isclose(a, b, rtol, atol, equal_nan));
}

Tensor real(const Tensor& x) {
  return x;
}
Tensor imag(const Tensor& x) {
  return zeros_like(x);
}
Tensor angle(const Tensor& x) {
  const Tensor f = x.dtype() == int64 ? cast(x, float32) : floating(x);
  // Constant in x: its gradient is zero, as JAX's for real inputs.
  const Tensor pi = scalar_like(std::numbers::pi, f), zero = scalar_like(0.0, f);
  const Tensor nan = scalar_like(std::numeric_limits<double>::quiet_NaN(), f);
  return stop_gradient(where(isnan(f), nan, where(signbit(f), pi, zero)));
}

Tensor ldexp(const Tensor& x1, const Tensor& x2) {
  KERAS_CHECK(
      is_integer(x2.dtype()), TypeError,
      "ldexp exponent must be an integer type. Received: x2 dtype=", dtype_name(x2.dtype()));
  const Tensor x = floating(x1);
  // Powers of two are exact in float32 and float64 (std::pow), so x * 2^e is exact too.
  return multiply(x, power(scalar_like(2.0, x), cast(x2, x.dtype())));
}

namespace {

template <class T>
void next_after(const Tensor& a, const Tensor& b, const Tensor& y) {
  const T* pa = a.data<T>();
  const T* pb = b.data<T>();
  T* py = y.data<T>();
  for (int64_t i = 0; i < y.size(); ++i) py[i] = std::nextafter(pa[i], pb[i]);
}

}  // namespace

Tensor nextafter(const Tensor& x1, const Tensor& x2) {
  const DType dtype = floating_result_type(x1.dtype(), x2.dtype());
  const Shape shape = broadcast_shapes(x1.shape(), x2.shape());
  const Tensor a = broadcast_to(cast(x1, dtype), shape), b = broadcast_to(cast(x2, dtype), shape);
  const Tensor out = Tensor::empty(shape, dtype, a.device());
  internal::launch_on_host({a, b}, {out}, [](const Tensors& in, const Tensors& y) {
    if (y[0].dtype() == float64) {
      next_after<double>(in[0], in[1], y[0]);
    } else {
      next_after<float>(in[0], in[1], y[0]);
    }
  });
  return out;
}

Tensor select(const Tensors& condlist, const Tensors& choicelist, const Tensor& default_value) {
  KERAS_CHECK(condlist.size() == choicelist.size(), ValueError,
              "condlist must have length equal to choicelist (", condlist.size(), " vs ",
              choicelist.size(), ")");
  KERAS_CHECK(!condlist.empty(), ValueError,
              "condlist and choicelist must not be empty. Received: condlist = [], choicelist = "
              "[]");
  DType dtype = choicelist[0].dtype();
  for (const Tensor& c : choicelist) dtype = result_type(dtype, c.dtype());
  if (default_value.defined()) dtype = result_type(dtype, default_value.dtype());
  Tensor result = default_value.defined() ? cast(default_value, dtype)
                                          : keras::full({}, 0.0, dtype, choicelist[0].device());
  for (size_t i = condlist.size(); i-- > 0;) {
    const Tensor& c = condlist[i];
    const Tensor cond = c.dtype() == bool_ ? c : not_equal(c, zeros_like(c));
    result = where(cond, cast(choicelist[i], dtype), result);
  }
  return result;
}

Tensor view(const Tensor& x, std::optional<DType> dtype_in) {
  const DType dtype = dtype_in.value_or(x.dtype());
  KERAS_CHECK(x.dtype() != string_ && dtype != string_, TypeError,
              "view does not take string tensors");
  const size_t old_size = dtype_size(x.dtype()), new_size = dtype_size(dtype);
  Shape shape = x.shape();
  if (old_size != new_size) {
    KERAS_CHECK(x.rank() > 0, ValueError,
                "Cannot view a scalar as a different dtype if item sizes are different.");
    const int64_t bytes = shape.back() * static_cast<int64_t>(old_size);
    KERAS_CHECK(bytes % static_cast<int64_t>(new_size) == 0, ValueError,
                "Cannot view array of shape ", shape_str(x.shape()), " and dtype ",
                dtype_name(x.dtype()), " as dtype ", dtype_name(dtype),
                " because the total number of bytes is not divisible by the new itemsize.");
    shape.back() = bytes / static_cast<int64_t>(new_size);
  }
  if (dtype == x.dtype()) return x;
  const Tensor out = Tensor::empty(shape, dtype, x.device());
  internal::launch_on_host({x}, {out}, [](const Tensors& in, const Tensors& y) {
    std::memcpy(y[0].host_data(), in[0].host_data(), y[0].nbytes());
    if (y[0].dtype() == bool_) {  // a bool holds 0 or 1: any other byte reads as true
      auto* p = static_cast<unsigned char*>(y[0].host_data());
      for (int64_t i = 0; i < y[0].size(); ++i) p[i] = p[i] != 0 ? 1 : 0;
    }
  });
  return out;
}

// ---- shape.h ----

Tensor append(const Tensor& x1, const Tensor& x2, std::optional<int> axis) {
  if (!axis) return concatenate({ravel(x1), ravel(x2)}, 0);
  KERAS_CHECK(x1.rank() == x2.rank(), ValueError,
              "Cannot concatenate arrays with different numbers of dimensions: got ",
              shape_str(x1.shape()), ", ", shape_str(x2.shape()), ".");
  return concatenate({x1, x2}, *axis);
}

Tensors array_split(const Tensor& x, int64_t sections, int axis) {
  KERAS_CHECK(sections > 0, ValueError,
              "Argument `indices_or_sections` must be a positive integer. Received: "
              "indices_or_sections=",
              sections);
  const int64_t size = x.dim(axis);
  std::vector<int64_t> indices;
  int64_t at = 0;
  for (int64_t i = 0; i + 1 < sections; ++i)
    indices.push_back(at += size / sections + (i < size % sections ? 1 : 0));
  return split(x, indices, axis);
}

Tensor diagflat(const Tensor& x, int k) {
  return diag(ravel(x), k);
}

Tensor vander(const Tensor& x, std::optional<int64_t> N, bool increasing) {
  KERAS_CHECK(x.rank() == 1, ValueError,
              "Input tensor must be 1-dimensional. Received: input.shape=", shape_str(x.shape()));
  KERAS_CHECK(!N || *N >= 0, ValueError,
              "Argument 'N' must be nonnegative. Received: N=", N.value_or(0));
  const int64_t n = N.value_or(x.shape()[0]);
  std::vector<double> powers(static_cast<size_t>(n));
  for (int64_t i = 0; i < n; ++i)
    powers[static_cast<size_t>(i)] = static_cast<double>(increasing ? i : n - 1 - i);
  const Tensor exponents = cast(Tensor::from_vector(powers, {1, n}, x.device()), x.dtype());
  return power(expand_dims(x, 1), exponents);
}

namespace {

// Ones where column - row <= k (tri) or == k (eye).
Tensor band(int64_t n, std::optional<int64_t> m_in, int k, DType dtype, bool diagonal_only) {
  const int64_t m = m_in.value_or(n);
  KERAS_CHECK(n >= 0 && m >= 0, ValueError, "negative dimensions are not allowed, got N=", n,
              " and M=", m);
  std::vector<double> v(static_cast<size_t>(n * m));
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < m; ++j) {
      const int64_t d = j - i;
      v[static_cast<size_t>(i * m + j)] = (diagonal_only ? d == k : d <= k) ? 1.0 : 0.0;
    }
  }
  return cast(Tensor::from_vector(v, {n, m}), dtype);
}

}  // namespace

Tensor eye(int64_t N, std::optional<int64_t> M, int k, DType dtype) {
  return band(N, M, k, dtype, true);
}
Tensor tri(int64_t N, std::optional<int64_t> M, int k, DType dtype) {
  return band(N, M, k, dtype, false);
}

Tensor ndim(const Tensor& x) {
  return Tensor::scalar<int32_t>(x.rank(), x.device());
}

Tensors nonzero(const Tensor& x) {
  KERAS_CHECK(x.rank() > 0, ValueError,
              "Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() "
              "instead.");
  // The counts decide the shapes: read on the host now.
  const std::vector<uint8_t> flags = internal::values_on_host<uint8_t>(not_equal(x, zeros_like(x)));
  const int r = x.rank();
  std::vector<std::vector<int32_t>> coords(static_cast<size_t>(r));
  for (int64_t i = 0; i < x.size(); ++i) {
    if (!flags[static_cast<size_t>(i)]) continue;
    int64_t rest = i;
    for (int d = r; d-- > 0;) {
      const int64_t size = x.shape()[static_cast<size_t>(d)];
      coords[static_cast<size_t>(d)].push_back(static_cast<int32_t>(rest % size));
      rest /= size;
    }
  }
  Tensors out;
  for (const std::vector<int32_t>& c : coords)
    out.push_back(Tensor::from_vector(c, {static_cast<int64_t>(c.size())}, x.device()));
  return out;
}

namespace {

// Three-way comparison of two rows of `width` values, NaN after every number (NaNs compare
// equal here, for the order; they are never merged).
int compare_rows(const double* a, const double* b, int64_t width) {
  for (int64_t j = 0; j < width; ++j) {
    const bool na = std::isnan(a[j]), nb = std::isnan(b[j]);
    if (na || nb) {
      if (na != nb) return na ? 1 : -1;
      continue;
    }
    if (a[j] != b[j]) return a[j] < b[j] ? -1 : 1;
  }
  return 0;
}
bool same_rows(const double* a, const double* b, int64_t width) {
  for (int64_t j = 0; j < width; ++j) {
    if (!(a[j] == b[j])) return false;  // NaN is never equal
  }
  return true;
}

}  // namespace

Tensors unique(const Tensor& x,
               bool /*sorted: the output is always sorted, one of the orders JAX allows*/,
               bool return_index,
               bool return_inverse,
               bool return_counts,
               std::optional<int> axis,
               std::optional<int64_t> size,
               std::optional<double> fill_value) {
  KERAS_CHECK(!size || *size >= 0, ValueError, "unique: size must be non-negative, got ",
              size.value_or(0));
  KERAS_CHECK(!axis || x.rank() > 0, ValueError, "unique: an axis needs an input of rank >= 1");
  const int a = axis ? normalize_axis(*axis, x.rank()) : 0;
  // The slices along the axis as rows (no axis: every element a row of one).
  const Tensor rows_t = axis ? moveaxis(x, {a}, {0}) : ravel(x);
  const int64_t n = axis ? x.shape()[static_cast<size_t>(a)] : x.size();
  const int64_t width = n == 0 ? 0 : rows_t.size() / n;
  // int64 beyond 2^53 would round in float64: such values are compared rounded.
  const std::vector<double> h = internal::values_on_host<double>(rows_t);
  const double* v = h.data();
  std::vector<int64_t> order(static_cast<size_t>(n));
  std::iota(order.begin(), order.end(), int64_t{0});
  std::stable_sort(order.begin(), order.end(), [&](int64_t i, int64_t j) {
    return compare_rows(v + i * width, v + j * width, width) < 0;
  });
  std::vector<int64_t> firsts;  // the first original row of each unique one
  std::vector<int32_t> counts, inverse(static_cast<size_t>(n));
  for (size_t s = 0; s < order.size(); ++s) {
    const int64_t i = order[s];
    if (firsts.empty() || !same_rows(v + firsts.back() * width, v + i * width, width)) {
      firsts.push_back(i);
      counts.push_back(0);
    }
    ++counts.back();
    inverse[static_cast<size_t>(i)] = static_cast<int32_t>(firsts.size() - 1);
  }
  const auto found = static_cast<int64_t>(firsts.size());
  const int64_t m = size.value_or(found);
  std::vector<int32_t> index(static_cast<size_t>(m),
                             firsts.empty() ? 0 : static_cast<int32_t>(firsts[0]));
  std::vector<int32_t> padded_counts(static_cast<size_t>(m), 0);
  std::vector<int64_t> take_rows(static_cast<size_t>(m), firsts.empty() ? 0 : firsts[0]);
  for (int64_t u = 0; u < std::min(m, found); ++u) {
    index[static_cast<size_t>(u)] = static_cast<int32_t>(firsts[static_cast<size_t>(u)]);
    padded_counts[static_cast<size_t>(u)] = counts[static_cast<size_t>(u)];
    take_rows[static_cast<size_t>(u)] = firsts[static_cast<size_t>(u)];
  }
  Tensor values;
  if (n == 0) {
    Shape s = rows_t.shape();
    s[0] = m;
    values = zeros(s, x.dtype(), x.device());
  } else {
    values = take(rows_t, Tensor::from_vector(take_rows, {m}, x.device()));
  }
  if (m > found && fill_value && n > 0) {
    Shape s = values.shape();
    std::vector<uint8_t> pad_flags(static_cast<size_t>(m));
    for (int64_t u = found; u < m; ++u) pad_flags[static_cast<size_t>(u)] = 1;
    s.assign(s.size(), 1);
    s[0] = m;
    const Tensor is_pad = cast(Tensor::from_vector(pad_flags, s, x.device()), bool_);
    values = where(is_pad, keras::full({}, *fill_value, x.dtype(), x.device()), values);
  }
  if (axis) values = moveaxis(values, {0}, {a});
  values = stop_gradient(values);
  Tensors out{values};
  if (return_index) out.push_back(Tensor::from_vector(index, {m}, x.device()));
  if (return_inverse) {
    const Shape s = axis ? Shape{n} : x.shape();
    out.push_back(Tensor::from_vector(inverse, s, x.device()));
  }
  if (return_counts) out.push_back(Tensor::from_vector(padded_counts, {m}, x.device()));
  return out;
}

// ---- math.h ----

namespace {

// NumPy's symmetric windows over r = n / (M - 1), n = 1 - M, 3 - M, ..., M - 1.
template <class F>
Tensor window(int64_t M, F f) {
  if (M <= 0) return zeros({0}, float32);
  if (M == 1) return ones({1}, float32);
  std::vector<double> w(static_cast<size_t>(M));
  for (int64_t i = 0; i < M; ++i) {
    const double n = static_cast<double>(2 * i + 1 - M);
    w[static_cast<size_t>(i)] = f(n / static_cast<double>(M - 1));
  }
  return cast(Tensor::from_vector(w, {M}), float32);
}

}  // namespace

Tensor bartlett(int64_t M) {
  return window(M, [](double r) { return 1.0 - std::abs(r); });
}
Tensor blackman(int64_t M) {
  constexpr double kPi = std::numbers::pi;
  return window(
      M, [](double r) { return 0.42 + 0.5 * std::cos(kPi * r) + 0.08 * std::cos(2 * kPi * r); });
}
Tensor hamming(int64_t M) {
  return window(M, [](double r) { return 0.54 + 0.46 * std::cos(std::numbers::pi * r); });
}
Tensor hanning(int64_t M) {
  return window(M, [](double r) { return 0.5 + 0.5 * std::cos(std::numbers::pi * r); });
}

Tensor corrcoef(const Tensor& x_in) {
  KERAS_CHECK(x_in.rank() <= 2, ValueError, "m has more than 2 dimensions");
  Tensor x = floating(x_in);
  if (x.rank() < 2) x = reshape(x, {1, x.size()});
  const double n = static_cast<double>(x.shape()[1]);
  const Tensor centred = subtract(x, mean(x, {1}, true));
  const Tensor cov = divide(matmul_t(centred, centred, false, true), n - 1.0);
  const Tensor stddev = sqrt(diagonal(cov));
  const Tensor r = divide(divide(cov, expand_dims(stddev, 1)), expand_dims(stddev, 0));
  const Tensor clipped = clip(r, -1.0, 1.0);
  return x_in.rank() < 2 ? reshape(clipped, {}) : clipped;
}

std::pair<Tensor, Tensor> histogram(const Tensor& x,
                                    int64_t bins,
                                    std::optional<std::pair<double, double>> range) {
  KERAS_CHECK(x.rank() <= 1, ValueError,
              "Input tensor must be 1-dimensional. Received: input.shape=", shape_str(x.shape()));
  KERAS_CHECK(bins >= 0, ValueError,
              "Argument `bins` should be a non-negative integer. Received: bins=", bins);
  if (range) {
    KERAS_CHECK(range->first < range->second, ValueError,
                "The second element of `range` must be greater than the first. Received: "
                "range=(",
                range->first, ", ", range->second, ")");
  }
  const DType dtype = is_floating(x.dtype()) ? x.dtype() : float32;
  // The range and the counts come from the values.
  const std::vector<double> v = internal::values_on_host<double>(cast(ravel(x), dtype));
  double lo = 0.0, hi = 1.0;
  if (range) {
    std::tie(lo, hi) = *range;
  } else if (!v.empty()) {
    const auto [mn, mx] = std::minmax_element(v.begin(), v.end());
    lo = *mn;
    hi = *mx;
  }
  if (lo == hi) {
    lo -= 0.5;
    hi += 0.5;
  }
  // The edges in the result's dtype, then the bins found among those rounded edges (as JAX).
  const Tensor edges = linspace(lo, hi, bins + 1, true, dtype);
  const Tensor he = ops::copy(cast(edges, float64).cpu());
  const std::span<const double> e = he.span<double>();
  std::vector<double> counts(static_cast<size_t>(bins), 0.0);
  for (double value : v) {
    if (!(value >= e.front() && value <= e.back()) || bins == 0) continue;
    auto bin = std::upper_bound(e.begin(), e.end(), value) - e.begin() - 1;
    if (value == e.back()) bin = bins - 1;
    if (bin >= 0 && bin < bins) counts[static_cast<size_t>(bin)] += 1.0;
  }
  return {cast(Tensor::from_vector(counts, {bins}, x.device()), dtype), edges.to(x.device())};
}

Tensor trapezoid(const Tensor& y_in, const Tensor& x_in, double dx, int axis) {
  const DType dtype =
      x_in.defined() ? floating_result_type(y_in.dtype(), x_in.dtype()) : floating(y_in).dtype();
  const Tensor y = cast(y_in, dtype);
  const int a = normalize_axis(axis, y.rank());
  const int64_t n = y.shape()[static_cast<size_t>(a)];
  const Tensor pairs = n < 2 ? multiply(slice_axis(y, a, 0, 0), 0.0)
                             : add(slice_axis(y, a, 1, n - 1), slice_axis(y, a, 0, n - 1));
  if (!x_in.defined()) return multiply(sum(pairs, {a}), dx * 0.5);
  Tensor x = cast(x_in, dtype);
  if (x.rank() == 1) {
    KERAS_CHECK(x.shape()[0] == n, ValueError, "trapezoid: x has ", x.shape()[0],
                " sample points for ", n, " values along axis ", axis);
    Shape s(static_cast<size_t>(y.rank()), 1);
    s[static_cast<size_t>(a)] = n;
    x = reshape(x, s);
  }
  const Tensor d = n < 2 ? slice_axis(x, a, 0, 0) : diff(x, 1, a);
  return multiply(sum(multiply(pairs, d), {a}), 0.5);
}

}  // namespace keras::ops
