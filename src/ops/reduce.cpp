#include "keras/ops/reduce.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <string>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "keras/ops/sort.h"
#include "ops/floating.h"
#include "ops/host_kernel.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;
using backend::ReduceOp;

namespace {

std::vector<int> normalize_axes(std::vector<int> axes, int rank) {
  if (axes.empty()) {
    for (int d = 0; d < rank; ++d) axes.push_back(d);
  }
  for (int& a : axes) a = normalize_axis(a, rank);
  std::sort(axes.begin(), axes.end());
  axes.erase(std::unique(axes.begin(), axes.end()), axes.end());
  return axes;
}

// Shape of x with `axes` kept as size 1.
Shape keep_shape(const Shape& s, const std::vector<int>& axes) {
  Shape out = s;
  for (int a : axes) out[a] = 1;
  return out;
}

Shape drop_shape(const Shape& s, const std::vector<int>& axes) {
  Shape out;
  for (int d = 0; d < static_cast<int>(s.size()); ++d) {
    if (!std::binary_search(axes.begin(), axes.end(), d)) out.push_back(s[d]);
  }
  return out;
}

Tensor reduce(ReduceOp op, const Tensor& x_in, std::vector<int> axes_in, bool keepdims) {
  const Tensor x = x_in.dtype() == bool_ ? cast(x_in, int32) : x_in;
  const std::vector<int> axes = normalize_axes(std::move(axes_in), x.rank());
  if (op == ReduceOp::max || op == ReduceOp::min) {
    for (int a : axes) {
      KERAS_CHECK(x.shape()[a] > 0, ValueError, "zero-size array to reduction operation ",
                  op == ReduceOp::max ? "max" : "min", " which has no identity");
    }
  }
  const Shape kept = keep_shape(x.shape(), axes);
  Tensor y = Tensor::empty(keepdims ? kept : drop_shape(x.shape(), axes), x.dtype(), x.device());
  backend::Backend& be = backend::backend_for(x);
  launch([&be, op, x, y, axes] { be.reduce(op, x, axes, y); });
  if (!is_floating(x.dtype())) return y;
  const Shape x_shape = x.shape();
  switch (op) {
    case ReduceOp::sum:
      autodiff::record("sum", {x}, y, [x_shape, kept](const Tensor& dy) {
        return Grads{broadcast_to(dy.reshape(kept), x_shape)};
      });
      break;
    case ReduceOp::mean: {
      const double count = static_cast<double>(x.size()) / std::max<int64_t>(1, y.size());
      autodiff::record("mean", {x}, y, [x_shape, kept, count](const Tensor& dy) {
        return Grads{broadcast_to(divide(dy.reshape(kept), count), x_shape)};
      });
      break;
    }
    case ReduceOp::max:
    case ReduceOp::min:  // ties share the gradient equally, as in JAX and TensorFlow
      autodiff::record("max", {x}, y, [x, y, kept, axes](const Tensor& dy) {
        Tensor mask = cast(equal(x, y.reshape(kept)), x.dtype());
        Tensor count = sum(mask, axes, true);
        return Grads{multiply(mask, divide(dy.reshape(kept), count))};
      });
      break;
    case ReduceOp::prod:  // d/dx_i = product of the other elements (exact with zeros)
      autodiff::record("prod", {x}, y, [x, kept, axes](const Tensor& dy) {
        Tensor is_zero = equal(x, scalar_like(0.0, x));
        Tensor nonzero = where(is_zero, ones_like(x), x);
        Tensor prod_nonzero = prod(nonzero, axes, true);
        Tensor zeros_count = sum(cast(is_zero, x.dtype()), axes, true);
        Tensor none_zero = equal(zeros_count, scalar_like(0.0, zeros_count));
        Tensor one_zero = equal(zeros_count, scalar_like(1.0, zeros_count));
        Tensor others = where(none_zero, divide(prod_nonzero, nonzero),
                              where(logical_and(is_zero, one_zero),
                                    broadcast_to(prod_nonzero, x.shape()), zeros_like(x)));
        return Grads{multiply(dy.reshape(kept), others)};
      });
      break;
  }
  return y;
}

Tensor arg_reduce(backend::ArgReduceOp op, const Tensor& x, int axis, bool keepdims) {
  axis = normalize_axis(axis, x.rank());
  KERAS_CHECK(x.shape()[axis] > 0, ValueError, "attempt to get argmax/argmin of an empty sequence");
  Shape out = x.shape();
  if (keepdims) {
    out[axis] = 1;
  } else {
    out.erase(out.begin() + axis);
  }
  Tensor y = Tensor::empty(out, int64, x.device());
  backend::Backend& be = backend::backend_for(x);
  launch([&be, op, x, axis, y] { be.arg_reduce(op, x, axis, y); });
  return cast(y, int32);
}

}  // namespace

Tensor sum(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return reduce(ReduceOp::sum, x, std::move(axes), keepdims);
}
Tensor mean(const Tensor& x, std::vector<int> axes, bool keepdims) {
  const Tensor xf = floating(x);
  return reduce(ReduceOp::mean, xf, std::move(axes), keepdims);
}
Tensor max(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return reduce(ReduceOp::max, x, std::move(axes), keepdims);
}
Tensor min(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return reduce(ReduceOp::min, x, std::move(axes), keepdims);
}
Tensor amax(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return max(x, std::move(axes), keepdims);
}
Tensor amin(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return min(x, std::move(axes), keepdims);
}
Tensor var(const Tensor& x, std::vector<int> axes, bool keepdims) {
  const Tensor xf = floating(x);
  const Tensor centred = subtract(xf, mean(xf, axes, true));
  return mean(square(centred), std::move(axes), keepdims);
}
Tensor std(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return sqrt(var(x, std::move(axes), keepdims));
}
namespace {

// Inclusive scan along `axis` in log2(n) steps (Hillis and Steele): each adds (or multiplies)
// the running values shifted by 1, 2, 4, ... positions, `identity` shifted in. Ops only, so
// differentiable.
Tensor scan(const Tensor& x_in, std::optional<int> axis, bool product) {
  const Tensor x = x_in.dtype() == bool_ ? cast(x_in, int32) : x_in;
  if (!axis) return scan(reshape(x, {x.size()}), 0, product);
  const int a = normalize_axis(*axis, x.rank());
  const int64_t n = x.shape()[static_cast<size_t>(a)];
  Tensor y = x;
  for (int64_t s = 1; s < n; s *= 2) {
    std::vector<std::pair<int64_t, int64_t>> pads(static_cast<size_t>(x.rank()), {0, 0});
    pads[static_cast<size_t>(a)] = {s, 0};
    const Tensor shifted = pad(slice_axis(y, a, 0, n - s), pads, product ? 1.0 : 0.0);
    y = product ? multiply(y, shifted) : add(y, shifted);
  }
  return y;
}

}  // namespace

Tensor cumsum(const Tensor& x, std::optional<int> axis) {
  return scan(x, axis, false);
}
Tensor cumprod(const Tensor& x, std::optional<int> axis) {
  return scan(x, axis, true);
}
Tensor prod(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return reduce(ReduceOp::prod, x, std::move(axes), keepdims);
}
Tensor logsumexp(const Tensor& x, std::vector<int> axes, bool keepdims) {
  // Shifted by the maximum, held constant (the value does not depend on it); a maximum that is
  // not finite shifts by 0, as JAX's: a row of -inf gives log(0) = -inf, one with +inf gives
  // +inf, not inf - inf = NaN (a NaN maximum: NaN either way).
  const Tensor minus_inf = scalar_like(-std::numeric_limits<double>::infinity(), x);
  Tensor m = stop_gradient(max(x, axes, true));
  m = where(isfinite(m), m, scalar_like(0.0, m));
  // exp(-inf) is exactly 0 here: the float32 CPU exp clamps its argument at -87.3.
  const Tensor e = where(equal(x, minus_inf), scalar_like(0.0, x), exp(subtract(x, m)));
  const Tensor out = log(sum(e, std::move(axes), keepdims));
  return add(out, reshape(m, out.shape()));
}
Tensor ptp(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return subtract(max(x, axes, keepdims), min(x, axes, keepdims));
}
Tensor count_nonzero(const Tensor& x, std::vector<int> axes) {
  return sum(cast(not_equal(x, scalar_like(0, x)), int32), std::move(axes));
}
Tensor any(const Tensor& x, std::vector<int> axes, bool keepdims) {
  // A count of the true elements (a sum has an identity, so empty reductions work).
  return cast(reduce(ReduceOp::sum, cast(x, bool_), std::move(axes), keepdims), bool_);
}
Tensor all(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return logical_not(any(logical_not(x), std::move(axes), keepdims));
}
Tensor argmax(const Tensor& x, int axis, bool keepdims) {
  return arg_reduce(backend::ArgReduceOp::argmax, x, axis, keepdims);
}
Tensor argmin(const Tensor& x, int axis, bool keepdims) {
  return arg_reduce(backend::ArgReduceOp::argmin, x, axis, keepdims);
}

Tensor nansum(const Tensor& x, std::vector<int> axes, bool keepdims) {
  if (!is_floating(x.dtype())) return sum(x, std::move(axes), keepdims);
  return sum(where(isnan(x), scalar_like(0.0, x), x), std::move(axes), keepdims);
}
Tensor nanprod(const Tensor& x, std::vector<int> axes, bool keepdims) {
  if (!is_floating(x.dtype())) return prod(x, std::move(axes), keepdims);
  return prod(where(isnan(x), scalar_like(1.0, x), x), std::move(axes), keepdims);
}
Tensor nanmean(const Tensor& x, std::vector<int> axes, bool keepdims) {
  if (!is_floating(x.dtype())) return mean(x, std::move(axes), keepdims);
  const Tensor count = sum(cast(logical_not(isnan(x)), x.dtype()), axes, keepdims);
  return divide(nansum(x, std::move(axes), keepdims), count);  // 0 / 0 for all NaN
}

Tensor nanvar(const Tensor& x, std::vector<int> axes, bool keepdims) {
  if (!is_floating(x.dtype())) return var(x, std::move(axes), keepdims);
  const Tensor centred = subtract(x, nanmean(x, axes, true));
  return nanmean(multiply(centred, centred), std::move(axes), keepdims);
}
Tensor nanstd(const Tensor& x, std::vector<int> axes, bool keepdims) {
  if (!is_floating(x.dtype())) return std(x, std::move(axes), keepdims);
  return sqrt(nanvar(x, std::move(axes), keepdims));
}
Tensor nancumsum(const Tensor& x, std::optional<int> axis) {
  if (!is_floating(x.dtype())) return cumsum(x, axis);
  return cumsum(where(isnan(x), scalar_like(0.0, x), x), axis);
}
Tensor nancumprod(const Tensor& x, std::optional<int> axis) {
  if (!is_floating(x.dtype())) return cumprod(x, axis);
  return cumprod(where(isnan(x), scalar_like(1.0, x), x), axis);
}

namespace {

// argmax or argmin with NaN as the worst value, -1 where the slice is all NaN.
Tensor nan_arg(const Tensor& x, int axis, bool keepdims, bool largest) {
  const auto op = largest ? backend::ArgReduceOp::argmax : backend::ArgReduceOp::argmin;
  if (!is_floating(x.dtype())) return arg_reduce(op, x, axis, keepdims);
  const Tensor nan = isnan(x);
  const Tensor worst = scalar_like(largest ? -INFINITY : INFINITY, x);
  const Tensor index = arg_reduce(op, where(nan, worst, x), axis, keepdims);
  const Tensor all_nan = all(nan, {axis}, keepdims);
  return where(all_nan, scalar_like(-1, index), index);
}

}  // namespace

Tensor nanargmax(const Tensor& x, int axis, bool keepdims) {
  return nan_arg(x, axis, keepdims, true);
}
Tensor nanargmin(const Tensor& x, int axis, bool keepdims) {
  return nan_arg(x, axis, keepdims, false);
}

Tensor average(const Tensor& x_in, std::optional<int> axis, const Tensor& weights) {
  const Tensor x = is_floating(x_in.dtype()) ? x_in : cast(x_in, float32);
  const std::vector<int> axes = axis ? std::vector<int>{*axis} : std::vector<int>{};
  if (!weights.defined()) return mean(x, axes);
  Tensor w = cast(weights, x.dtype());
  if (w.shape() != x.shape()) {
    KERAS_CHECK(axis && w.rank() == 1, ValueError, "average: weights of shape ",
                shape_str(w.shape()), " differ from the input's ", shape_str(x.shape()),
                "; give an axis and 1-D weights of its length");
    const int a = *axis < 0 ? *axis + x.rank() : *axis;
    KERAS_CHECK(a >= 0 && a < x.rank() && w.shape()[0] == x.shape()[a], ValueError,
                "average: 1-D weights must have the length of axis ", *axis, " of shape ",
                shape_str(x.shape()), ", got ", w.shape()[0]);
    Shape along(static_cast<size_t>(x.rank()), 1);
    along[static_cast<size_t>(a)] = w.shape()[0];
    w = reshape(w, along);
  }
  return divide(sum(multiply(x, w), axes), sum(broadcast_to(w, x.shape()), axes));
}

namespace {

// max or min with NaN left out; NaN where every element is NaN.
Tensor nan_extreme(const Tensor& x, std::vector<int> axes, bool keepdims, bool largest) {
  if (!is_floating(x.dtype())) {
    return largest ? max(x, std::move(axes), keepdims) : min(x, std::move(axes), keepdims);
  }
  const double inf = std::numeric_limits<double>::infinity();
  const Tensor nan = isnan(x);
  const Tensor filled = where(nan, scalar_like(largest ? -inf : inf, x), x);
  const Tensor m = largest ? max(filled, axes, keepdims) : min(filled, axes, keepdims);
  return where(all(nan, std::move(axes), keepdims),
               scalar_like(std::numeric_limits<double>::quiet_NaN(), m), m);
}

// Where the q-th quantile of n sorted values lies: between positions lo and hi, weight w on hi.
struct QuantilePoint {
  int64_t lo = 0, hi = 0;
  double w = 0;
};

QuantilePoint quantile_point(double q, int64_t n, const std::string& method) {
  const double p = q * static_cast<double>(n - 1);
  const auto lo = static_cast<int64_t>(std::floor(p));
  const int64_t hi = std::min(n - 1, static_cast<int64_t>(std::ceil(p)));
  const double frac = p - static_cast<double>(lo);
  if (method == "linear") return {lo, hi, frac};
  if (method == "lower") return {lo, lo, 0};
  if (method == "higher") return {hi, hi, 0};
  if (method == "midpoint") return {lo, hi, lo == hi ? 0.0 : 0.5};
  if (method == "nearest") {  // a tie goes to the lower position, as JAX
    const int64_t i = frac <= 0.5 ? lo : hi;
    return {i, i, 0};
  }
  // inverted_cdf: the first value whose empirical CDF reaches q.
  const auto i = std::clamp<int64_t>(
      static_cast<int64_t>(std::ceil(q * static_cast<double>(n))) - 1, 0, n - 1);
  return {i, i, 0};
}

// The positions of quantile q among the first `count` of n sorted values (NaN after them), for
// each slice: count is (kept..., 1), the results (kept..., qs) in count's dtype. lo and hi are
// clamped to [0, n - 1] (an all-NaN slice reads a NaN there).
struct QuantilePoints {
  Tensor lo, hi, w;
};
QuantilePoints quantile_points(const Tensor& count,
                               const std::vector<double>& qs,
                               int64_t n,
                               const std::string& method) {
  const Tensor q = cast(Tensor::from_vector(qs, {static_cast<int64_t>(qs.size())}), count.dtype());
  const Tensor last = subtract(count, 1.0);
  const Tensor p = multiply(q, last);
  const double top = static_cast<double>(n - 1);
  Tensor lo = clip(floor(p), 0, top);
  Tensor hi = clip(minimum(ceil(p), last), 0, top);
  const Tensor frac = subtract(p, floor(p));
  Tensor w = zeros_like(p);
  if (method == "linear") {
    w = frac;
  } else if (method == "lower") {
    hi = lo;
  } else if (method == "higher") {
    lo = hi;
  } else if (method == "midpoint") {
    w = where(equal(lo, hi), zeros_like(p), full_like(p, 0.5));
  } else if (method == "nearest") {  // a tie goes to the lower position, as JAX
    lo = hi = where(less_equal(frac, scalar_like(0.5, frac)), lo, hi);
  } else {  // inverted_cdf: the first value whose empirical CDF reaches q
    lo = hi = clip(minimum(subtract(ceil(multiply(q, count)), 1.0), last), 0, top);
  }
  return {lo, hi, w};
}

Tensor quantile_of(const Tensor& x_in,
                   const std::vector<double>& qs,
                   bool q_axis,
                   std::vector<int> axes_in,
                   const std::string& method,
                   bool keepdims,
                   bool skip_nan = false) {
  KERAS_CHECK(method == "linear" || method == "lower" || method == "higher" ||
                  method == "midpoint" || method == "nearest" || method == "inverted_cdf",
              ValueError,
              "quantile: method can only be 'linear', 'lower', 'higher', 'midpoint', 'nearest' or "
              "'inverted_cdf', got '",
              method.substr(0, 50), "'");
  for (double q : qs) {
    KERAS_CHECK(q >= 0 && q <= 1, ValueError,
                "quantile: quantiles must be in the range [0, 1], got ", q);
  }
  const Tensor x = floating(x_in);
  const int rank = x.rank();
  const std::vector<int> axes = normalize_axes(std::move(axes_in), rank);
  // The reduced axes last, flattened into one of n values, sorted (NaN last).
  std::vector<int> perm;
  Shape kept;
  for (int d = 0; d < rank; ++d) {
    if (!std::binary_search(axes.begin(), axes.end(), d)) {
      perm.push_back(d);
      kept.push_back(x.shape()[static_cast<size_t>(d)]);
    }
  }
  int64_t n = 1;
  for (int a : axes) {
    perm.push_back(a);
    n *= x.shape()[static_cast<size_t>(a)];
  }
  KERAS_CHECK(n > 0, ValueError, "quantile: the reduced axes of a tensor of shape ",
              shape_str(x.shape()), " hold no values");
  Shape flat_shape = kept;
  flat_shape.push_back(n);
  const Tensor sorted = sort(reshape(rank > 0 ? transpose(x, perm) : x, flat_shape), -1);
  const auto count = static_cast<int64_t>(qs.size());
  std::vector<int64_t> lo, hi;
  std::vector<double> w;
  for (double q : qs) {
    const QuantilePoint p = quantile_point(q, n, method);
    lo.push_back(p.lo);
    hi.push_back(p.hi);
    w.push_back(p.w);
  }
  const int last = static_cast<int>(kept.size());
  if (skip_nan) {  // per-slice positions among the values before the NaNs
    const Tensor valid = sum(cast(logical_not(isnan(sorted)), x.dtype()), {last}, true);
    const QuantilePoints p = quantile_points(valid, qs, n, method);
    const Tensor low = take_along_axis(sorted, cast(p.lo, int64), last);
    const Tensor high = take_along_axis(sorted, cast(p.hi, int64), last);
    Tensor y = add(low, multiply(subtract(high, low), p.w));
    y = where(equal(valid, zeros_like(valid)),
              scalar_like(std::numeric_limits<double>::quiet_NaN(), y), y);
    Shape out = keepdims ? keep_shape(x.shape(), axes) : kept;
    if (q_axis) {
      y = moveaxis(y, {last}, {0});
      out.insert(out.begin(), count);
    }
    return reshape(y, out);
  }
  const Tensor low = take(sorted, Tensor::from_vector(lo, {count}), last);
  Tensor y = low;
  if (std::any_of(w.begin(), w.end(), [](double v) { return v != 0; })) {
    const Tensor high = take(sorted, Tensor::from_vector(hi, {count}), last);
    const Tensor weight = cast(Tensor::from_vector(w, {count}), x.dtype());
    y = add(low, multiply(subtract(high, low), weight));
  }
  const Tensor has_nan = isnan(slice_axis(sorted, last, n - 1, 1));
  y = where(has_nan, scalar_like(std::numeric_limits<double>::quiet_NaN(), y), y);
  // (kept..., q) -> (q, kept...) or (kept...), then the reduced axes back as 1 for keepdims.
  Shape out = keepdims ? keep_shape(x.shape(), axes) : kept;
  if (q_axis) {
    y = moveaxis(y, {last}, {0});
    out.insert(out.begin(), count);
  }
  return reshape(y, out);
}

}  // namespace

Tensor nanmax(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return nan_extreme(x, std::move(axes), keepdims, true);
}
Tensor nanmin(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return nan_extreme(x, std::move(axes), keepdims, false);
}
Tensor quantile(const Tensor& x,
                const Tensor& qs,
                std::vector<int> axes,
                const std::string& method,
                bool keepdims) {
  KERAS_CHECK(qs.rank() <= 1, ValueError, "quantile: q must be a number or a 1-D list, got shape ",
              shape_str(qs.shape()));
  return quantile_of(x, internal::values_on_host<double>(qs), qs.rank() == 1, std::move(axes),
                     method, keepdims);
}
Tensor quantile(
    const Tensor& x, double q, std::vector<int> axes, const std::string& method, bool keepdims) {
  return quantile_of(x, {q}, false, std::move(axes), method, keepdims);
}
Tensor percentile(const Tensor& x,
                  const Tensor& qs,
                  std::vector<int> axes,
                  const std::string& method,
                  bool keepdims) {
  return quantile(x, divide(cast(qs, float64), 100.0), std::move(axes), method, keepdims);
}
Tensor percentile(
    const Tensor& x, double q, std::vector<int> axes, const std::string& method, bool keepdims) {
  return quantile(x, q / 100, std::move(axes), method, keepdims);
}
Tensor median(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return quantile(x, 0.5, std::move(axes), "linear", keepdims);
}
Tensor nanquantile(const Tensor& x,
                   const Tensor& qs,
                   std::vector<int> axes,
                   const std::string& method,
                   bool keepdims) {
  KERAS_CHECK(qs.rank() <= 1, ValueError,
              "nanquantile: q must be a number or a 1-D list, got shape ", shape_str(qs.shape()));
  return quantile_of(x, internal::values_on_host<double>(qs), qs.rank() == 1, std::move(axes),
                     method, keepdims, true);
}
Tensor nanquantile(
    const Tensor& x, double q, std::vector<int> axes, const std::string& method, bool keepdims) {
  return quantile_of(x, {q}, false, std::move(axes), method, keepdims, true);
}
Tensor nanpercentile(const Tensor& x,
                     const Tensor& qs,
                     std::vector<int> axes,
                     const std::string& method,
                     bool keepdims) {
  return nanquantile(x, divide(cast(qs, float64), 100.0), std::move(axes), method, keepdims);
}
Tensor nanpercentile(
    const Tensor& x, double q, std::vector<int> axes, const std::string& method, bool keepdims) {
  return nanquantile(x, q / 100, std::move(axes), method, keepdims);
}
Tensor nanmedian(const Tensor& x, std::vector<int> axes, bool keepdims) {
  return nanquantile(x, 0.5, std::move(axes), "linear", keepdims);
}

}  // namespace keras::ops
