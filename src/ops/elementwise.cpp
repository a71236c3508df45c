#include "keras/ops/elementwise.h"

#include <algorithm>
#include <cmath>
#include <limits>
#include <numbers>
#include <utility>

#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/ops/reduce.h"
#include "ops/floating.h"

namespace keras::ops {

using autodiff::Grads;
using autodiff::launch;
using backend::BinaryOp;
using backend::UnaryOp;

namespace {

int dtype_rank(DType d) {
  switch (d) {
    case DType::bool_:
      return 0;
    case DType::uint8:
      return 1;
    case DType::int32:
      return 2;
    case DType::int64:
      return 3;
    case DType::float32:
      return 4;
    case DType::float64:
      return 5;
    case DType::string:
      throw_string_dtype("arithmetic");
  }
  return 0;
}

bool needs_float(UnaryOp op) {
  switch (op) {
    case UnaryOp::neg:
    case UnaryOp::abs:
    case UnaryOp::sign:
    case UnaryOp::square:
    case UnaryOp::logical_not:
    case UnaryOp::relu:
    case UnaryOp::clip:
      return false;
    default:
      return true;
  }
}

Tensor binary_kernel(BinaryOp op, const Tensor& a, const Tensor& b, DType out_dtype) {
  Tensor y = Tensor::empty(broadcast_shapes(a.shape(), b.shape()), out_dtype, a.device());
  backend::Backend& be = backend::backend_for("elementwise op", {a, b});
  launch([&be, op, a, b, y] { be.binary(op, a, b, y); });
  return y;
}

// Casts both operands to their common dtype.
std::pair<Tensor, Tensor> promote(const Tensor& a, const Tensor& b) {
  const DType t = result_type(a.dtype(), b.dtype());
  return {cast(a, t), cast(b, t)};
}

Tensor arithmetic(BinaryOp op, const Tensor& a_in, const Tensor& b_in) {
  // Not a structured binding: the gradients capture a and b, which clang 14 cannot do.
  const std::pair<Tensor, Tensor> promoted = promote(a_in, b_in);
  const Tensor& a = promoted.first;
  const Tensor& b = promoted.second;
  Tensor y = binary_kernel(op, a, b, a.dtype());
  if (!is_floating(y.dtype())) return y;
  switch (op) {
    case BinaryOp::add:
      autodiff::record("add", {a, b}, y, [](const Tensor& dy) { return Grads{dy, dy}; });
      break;
    case BinaryOp::sub:
      autodiff::record("subtract", {a, b}, y, [](const Tensor& dy) {
        return Grads{dy, negative(dy)};
      });
      break;
    case BinaryOp::mul:
      autodiff::record("multiply", {a, b}, y, [a, b](const Tensor& dy) {
        return Grads{multiply(dy, b), multiply(dy, a)};
      });
      break;
    case BinaryOp::div:  // d/da = 1/b, d/db = -a/b² = -y/b
      autodiff::record("divide", {a, b}, y, [a, b, y](const Tensor& dy) {
        Tensor da = divide(dy, b);
        return Grads{da, negative(multiply(da, y))};
      });
      break;
    case BinaryOp::maximum:
    case BinaryOp::minimum:  // the gradient goes to the selected operand (a on ties)
      autodiff::record("maximum", {a, b}, y, [a, b, op](const Tensor& dy) {
        Tensor pick_a = op == BinaryOp::maximum ? greater_equal(a, b) : less_equal(a, b);
        Tensor zero = zeros_like(dy);
        return Grads{where(pick_a, dy, zero), where(pick_a, zero, dy)};
      });
      break;
    case BinaryOp::pow:  // d/da = b a^(b-1), d/db = y log(a)
      autodiff::record("power", {a, b}, y, [a, b, y](const Tensor& dy) {
        Tensor da = multiply(dy, multiply(b, power(a, subtract(b, scalar_like(1.0, b)))));
        Tensor db = multiply(dy, multiply(y, log(a)));
        return Grads{da, db};
      });
      break;
    case BinaryOp::floor_mod:  // a - floor(a / b) b: d/da = 1, d/db = -floor(a / b)
      autodiff::record("mod", {a, b}, y, [a, b](const Tensor& dy) {
        return Grads{dy, negative(multiply(dy, floor_divide(a, b)))};
      });
      break;
    case BinaryOp::arctan2:  // d/da = b / (a² + b²), d/db = -a / (a² + b²)
      autodiff::record("arctan2", {a, b}, y, [a, b](const Tensor& dy) {
        const Tensor s = divide(dy, add(square(a), square(b)));
        return Grads{multiply(s, b), negative(multiply(s, a))};
      });
      break;
    default:
      break;
  }
  return y;
}

Tensor compare(BinaryOp op, const Tensor& a_in, const Tensor& b_in) {
  auto [a, b] = promote(a_in, b_in);
  return binary_kernel(op, a, b, bool_);
}

}  // namespace

DType result_type(DType a, DType b) {
  return dtype_rank(a) >= dtype_rank(b) ? a : b;
}

Tensor scalar_like(double value, const Tensor& like) {
  return full({}, value, like.dtype(), like.device());
}

Tensor empty_like(const Tensor& x) {
  return Tensor::empty(x.shape(), x.dtype(), x.device());
}

Tensor full_like(const Tensor& x, double value) {
  Tensor y = empty_like(x);
  backend::Backend& be = backend::backend_for(x);
  launch([&be, y, value] { be.fill(y, value); });
  return y;
}
Tensor zeros_like(const Tensor& x) {
  return full_like(x, 0.0);
}
Tensor ones_like(const Tensor& x) {
  return full_like(x, 1.0);
}

Tensor cast(const Tensor& x, DType dtype) {
  if (x.dtype() == dtype) return x;
  Tensor y = Tensor::empty(x.shape(), dtype, x.device());
  backend::Backend& be = backend::backend_for(x);
  launch([&be, x, y] { be.cast(x, y); });
  if (is_floating(x.dtype()) && is_floating(dtype)) {
    const DType from = x.dtype();
    autodiff::record("cast", {x}, y, [from](const Tensor& dy) { return Grads{cast(dy, from)}; });
  }
  return y;
}

namespace {

std::pair<double, double> dtype_range(DType d) {
  return visit_dtype(d, []<class T>() {
    return std::pair<double, double>{static_cast<double>(std::numeric_limits<T>::lowest()),
                                     static_cast<double>(std::numeric_limits<T>::max())};
  });
}

}  // namespace

Tensor saturate_cast(const Tensor& x, DType dtype) {
  const auto [in_lo, in_hi] = dtype_range(x.dtype());
  const auto [out_lo, out_hi] = dtype_range(dtype);
  double lo = std::max(in_lo, out_lo), hi = std::min(in_hi, out_hi);
  if (x.dtype() == float32) {
    float l = static_cast<float>(lo), h = static_cast<float>(hi);
    if (l < out_lo) l = std::nextafter(l, 0.0f);
    if (h > out_hi) h = std::nextafter(h, 0.0f);
    lo = l;
    hi = h;
  }
  return cast(clip(x, lo, hi), dtype);
}

Tensor stop_gradient(const Tensor& x) {
  return x.reshape(x.shape());
}

Tensor add(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::add, a, b);
}
Tensor subtract(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::sub, a, b);
}
Tensor multiply(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::mul, a, b);
}
Tensor divide(const Tensor& a, const Tensor& b) {
  if (!is_floating(a.dtype()) && !is_floating(b.dtype())) {  // true division, as in NumPy
    return arithmetic(BinaryOp::div, cast(a, float32), cast(b, float32));
  }
  return arithmetic(BinaryOp::div, a, b);
}
Tensor maximum(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::maximum, a, b);
}
Tensor minimum(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::minimum, a, b);
}
Tensor power(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::pow, a, b);
}

Tensor add(const Tensor& a, double b) {
  return add(a, scalar_like(b, a));
}
Tensor subtract(const Tensor& a, double b) {
  return subtract(a, scalar_like(b, a));
}
Tensor subtract(double a, const Tensor& b) {
  return subtract(scalar_like(a, b), b);
}
Tensor multiply(const Tensor& a, double b) {
  return multiply(a, scalar_like(b, a));
}
Tensor divide(const Tensor& a, double b) {
  return divide(a, scalar_like(b, a));
}
Tensor divide(double a, const Tensor& b) {
  return divide(scalar_like(a, b), b);
}
Tensor maximum(const Tensor& a, double b) {
  return maximum(a, scalar_like(b, a));
}
Tensor minimum(const Tensor& a, double b) {
  return minimum(a, scalar_like(b, a));
}
Tensor power(const Tensor& a, double exponent) {
  return unary(UnaryOp::pow_scalar, a, {.a = exponent});
}

Tensor equal(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::equal, a, b);
}
Tensor not_equal(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::not_equal, a, b);
}
Tensor less(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::less, a, b);
}
Tensor less_equal(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::less_equal, a, b);
}
Tensor greater(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::greater, a, b);
}
Tensor greater_equal(const Tensor& a, const Tensor& b) {
  return compare(BinaryOp::greater_equal, a, b);
}
Tensor greater(const Tensor& a, double b) {
  return greater(a, scalar_like(b, a));
}
Tensor logical_and(const Tensor& a, const Tensor& b) {
  return binary_kernel(BinaryOp::logical_and, cast(a, bool_), cast(b, bool_), bool_);
}
Tensor logical_or(const Tensor& a, const Tensor& b) {
  return binary_kernel(BinaryOp::logical_or, cast(a, bool_), cast(b, bool_), bool_);
}
Tensor logical_not(const Tensor& x) {
  return unary(UnaryOp::logical_not, cast(x, bool_));
}

Tensor where(const Tensor& cond_in, const Tensor& a_in, const Tensor& b_in) {
  Tensor cond = cast(cond_in, bool_);
  const std::pair<Tensor, Tensor> promoted = promote(a_in, b_in);  // captured: no binding
  const Tensor& a = promoted.first;
  const Tensor& b = promoted.second;
  Tensor y = Tensor::empty(broadcast_shapes(cond.shape(), broadcast_shapes(a.shape(), b.shape())),
                           a.dtype(), a.device());
  backend::Backend& be = backend::backend_for("where", {cond, a, b});
  launch([&be, cond, a, b, y] { be.where(cond, a, b, y); });
  if (is_floating(y.dtype())) {
    autodiff::record("where", {a, b}, y, [cond](const Tensor& dy) {
      Tensor zero = zeros_like(dy);
      return Grads{where(cond, dy, zero), where(cond, zero, dy)};
    });
  }
  return y;
}

void assign(const Tensor& target, const Tensor& value_in) {
  KERAS_CHECK(broadcast_shapes(target.shape(), value_in.shape()) == target.shape(), ValueError,
              "assign: cannot assign a value of shape ", shape_str(value_in.shape()),
              " to a tensor of shape ", shape_str(target.shape()));
  const Tensor value = cast(value_in, target.dtype());
  backend::Backend& be = backend::backend_for("assign", {target, value});
  launch([&be, target, value] { be.broadcast_to(value, target); });
}

void assign_add(const Tensor& target, const Tensor& value_in) {
  KERAS_CHECK(broadcast_shapes(target.shape(), value_in.shape()) == target.shape(), ValueError,
              "assign_add: cannot add a value of shape ", shape_str(value_in.shape()),
              " to a tensor of shape ", shape_str(target.shape()));
  const Tensor value = cast(value_in, target.dtype());
  backend::Backend& be = backend::backend_for("assign_add", {target, value});
  // Elementwise kernels read element i before writing it, so y may alias a.
  launch([&be, target, value] { be.binary(BinaryOp::add, target, value, target); });
}

Tensor unary(UnaryOp op, const Tensor& x_in, backend::UnaryParams params) {
  const Tensor x = needs_float(op) && !is_floating(x_in.dtype()) ? cast(x_in, float32) : x_in;
  Tensor y = empty_like(x);
  backend::Backend& be = backend::backend_for(x);
  launch([&be, op, x, y, params] { be.unary(op, x, y, params); });
  if (is_floating(x.dtype())) {
    autodiff::record(backend::unary_op_name(op), {x}, y, [&be, op, x, y, params](const Tensor& dy) {
      Tensor dx = empty_like(x);
      launch([&be, op, x, y, dy, dx, params] { be.unary_backward(op, x, y, dy, dx, params); });
      return Grads{dx};
    });
  }
  return y;
}

Tensor negative(const Tensor& x) {
  return unary(UnaryOp::neg, x);
}
Tensor abs(const Tensor& x) {
  return unary(UnaryOp::abs, x);
}
Tensor sign(const Tensor& x) {
  return unary(UnaryOp::sign, x);
}
Tensor square(const Tensor& x) {
  return unary(UnaryOp::square, x);
}
Tensor sqrt(const Tensor& x) {
  return unary(UnaryOp::sqrt, x);
}
Tensor exp(const Tensor& x) {
  return unary(UnaryOp::exp, x);
}
Tensor log(const Tensor& x) {
  return unary(UnaryOp::log, x);
}
Tensor log1p(const Tensor& x) {
  return unary(UnaryOp::log1p, x);
}
Tensor reciprocal(const Tensor& x) {
  return unary(UnaryOp::reciprocal, x);
}
Tensor floor(const Tensor& x) {
  return unary(UnaryOp::floor, x);
}
Tensor round(const Tensor& x) {
  return unary(UnaryOp::round, x);
}
Tensor sin(const Tensor& x) {
  return unary(UnaryOp::sin, x);
}
Tensor cos(const Tensor& x) {
  return unary(UnaryOp::cos, x);
}
Tensor tan(const Tensor& x) {
  return unary(UnaryOp::tan, x);
}
Tensor arcsin(const Tensor& x) {
  return unary(UnaryOp::arcsin, x);
}
Tensor arccos(const Tensor& x) {
  return unary(UnaryOp::arccos, x);
}
Tensor arctan(const Tensor& x) {
  return unary(UnaryOp::arctan, x);
}
Tensor sinh(const Tensor& x) {
  return unary(UnaryOp::sinh, x);
}
Tensor cosh(const Tensor& x) {
  return unary(UnaryOp::cosh, x);
}
Tensor arcsinh(const Tensor& x) {
  return unary(UnaryOp::arcsinh, x);
}
Tensor arccosh(const Tensor& x) {
  return unary(UnaryOp::arccosh, x);
}
Tensor arctanh(const Tensor& x) {
  return unary(UnaryOp::arctanh, x);
}
Tensor ceil(const Tensor& x) {
  return unary(UnaryOp::ceil, x);
}
Tensor expm1(const Tensor& x) {
  return unary(UnaryOp::expm1, x);
}
Tensor log2(const Tensor& x) {
  return unary(UnaryOp::log2, x);
}
Tensor log10(const Tensor& x) {
  return unary(UnaryOp::log10, x);
}
Tensor exp2(const Tensor& x) {
  return unary(UnaryOp::exp2, x);
}
Tensor erf(const Tensor& x) {
  return unary(UnaryOp::erf, x);
}
Tensor trunc(const Tensor& x) {
  return is_floating(x.dtype()) ? unary(UnaryOp::trunc, x) : x;  // Keras: integers as they are
}
Tensor isnan(const Tensor& x) {
  return is_floating(x.dtype()) ? not_equal(x, x) : full(x.shape(), 0, bool_, x.device());
}
Tensor isinf(const Tensor& x) {
  if (!is_floating(x.dtype())) return full(x.shape(), 0, bool_, x.device());
  return equal(abs(x), scalar_like(std::numeric_limits<double>::infinity(), x));
}
Tensor isfinite(const Tensor& x) {
  if (!is_floating(x.dtype())) return full(x.shape(), 1, bool_, x.device());
  return less(abs(x), scalar_like(std::numeric_limits<double>::infinity(), x));  // NaN: false
}

// Integers go through the backend's exact integer divmod (0 where b is 0; the lowest value by -1
// wraps, as XLA's integers do); floats through NumPy's divmod. No gradient: a step function.
Tensor floor_divide(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::floor_divide, a, b);
}
Tensor floor_divide(const Tensor& a, double b) {
  return floor_divide(a, scalar_like(b, floating(a)));
}
Tensor mod(const Tensor& a, const Tensor& b) {
  return arithmetic(BinaryOp::floor_mod, a, b);
}
Tensor mod(const Tensor& a, double b) {
  return mod(a, scalar_like(b, floating(a)));
}
Tensor floor_divide(const Tensor& a, int b) {
  return floor_divide(a, scalar_like(b, a.dtype() == bool_ ? cast(a, int32) : a));
}
Tensor mod(const Tensor& a, int b) {
  return mod(a, scalar_like(b, a.dtype() == bool_ ? cast(a, int32) : a));
}

Tensor clip(const Tensor& x, double x_min, double x_max) {
  return unary(UnaryOp::clip, x, {.a = x_min, .b = x_max});
}
Tensor logaddexp(const Tensor& a, const Tensor& b) {
  // m + log(exp(a - m) + exp(b - m)) with m = max(a, b) held constant: the value does not depend
  // on m, so the gradient is exact, ties included (a maximum's would go to one side only).
  Tensor m = stop_gradient(maximum(a, b));
  const Tensor inf = scalar_like(-std::numeric_limits<double>::infinity(), m);
  m = where(equal(m, inf), scalar_like(0.0, m), m);
  return add(m, log(add(exp(subtract(a, m)), exp(subtract(b, m)))));
}

Tensor rsqrt(const Tensor& x) {
  KERAS_CHECK(is_floating(x.dtype()), TypeError, "rsqrt does not accept dtype ",
              dtype_name(x.dtype()), ". Accepted dtypes are subtypes of floating");
  return reciprocal(sqrt(x));
}
Tensor cbrt(const Tensor& x) {
  const Tensor f = floating(x);
  return multiply(sign(f), power(abs(f), scalar_like(1.0 / 3.0, f)));
}
Tensor deg2rad(const Tensor& x) {
  const Tensor f = floating(x);
  return multiply(f, scalar_like(std::numbers::pi / 180.0, f));
}
Tensor rad2deg(const Tensor& x) {
  const Tensor f = floating(x);
  return multiply(f, scalar_like(180.0 / std::numbers::pi, f));
}
Tensor erfc(const Tensor& x) {
  const Tensor f = floating(x);
  return subtract(scalar_like(1.0, f), erf(f));
}
Tensor sinc(const Tensor& x) {
  const Tensor f = floating(x);
  const Tensor zero = equal(f, scalar_like(0.0, f));
  const Tensor px = multiply(where(zero, scalar_like(1.0, f), f), scalar_like(std::numbers::pi, f));
  return where(zero, scalar_like(1.0, f), divide(sin(px), px));
}
Tensor signbit(const Tensor& x) {
  if (x.dtype() == bool_) return full(x.shape(), 0, bool_, x.device());
  if (!is_floating(x.dtype())) return less(x, scalar_like(0, x));
  const Tensor negative_zero =
      logical_and(equal(x, scalar_like(0.0, x)), less(reciprocal(x), scalar_like(0.0, x)));
  return logical_or(less(x, scalar_like(0.0, x)), negative_zero);
}
Tensor isneginf(const Tensor& x) {
  if (!is_floating(x.dtype())) return full(x.shape(), 0, bool_, x.device());
  return equal(x, scalar_like(-std::numeric_limits<double>::infinity(), x));
}
Tensor isposinf(const Tensor& x) {
  if (!is_floating(x.dtype())) return full(x.shape(), 0, bool_, x.device());
  return equal(x, scalar_like(std::numeric_limits<double>::infinity(), x));
}
Tensor logical_xor(const Tensor& a, const Tensor& b) {
  return not_equal(cast(a, bool_), cast(b, bool_));
}
Tensor hypot(const Tensor& a, const Tensor& b) {
  const DType dtype = floating_result_type(a.dtype(), b.dtype());
  const Tensor x = cast(a, dtype), y = cast(b, dtype);
  return sqrt(add(square(x), square(y)));
}
Tensor fmod(const Tensor& a, const Tensor& b) {
  // NumPy's mod has the sign of b; where that differs from a's, fmod is one b closer to zero.
  const Tensor r = mod(a, b);
  const Tensor zero = scalar_like(0, r);
  const Tensor other_sign =
      logical_and(not_equal(r, zero), not_equal(less(r, zero), less(cast(a, r.dtype()), zero)));
  return where(other_sign, subtract(r, cast(b, r.dtype())), r);
}
Tensor heaviside(const Tensor& a, const Tensor& b) {
  const DType dtype = floating_result_type(a.dtype(), b.dtype());
  const Tensor x = cast(a, dtype), h = cast(b, dtype);
  const Tensor step = where(greater(x, scalar_like(0.0, x)), scalar_like(1.0, x),
                            where(less(x, scalar_like(0.0, x)), scalar_like(0.0, x), h));
  return where(isnan(x), x, step);
}
Tensor divide_no_nan(const Tensor& a, const Tensor& b) {
  const DType dtype = floating_result_type(a.dtype(), b.dtype());
  const Tensor x = cast(a, dtype), y = cast(b, dtype);
  const Tensor zero = equal(y, scalar_like(0.0, y));
  const Tensor safe = where(zero, scalar_like(1.0, y), y);
  return where(zero, scalar_like(0.0, y), divide(x, safe));
}
Tensor arctan2(const Tensor& a, const Tensor& b) {
  const DType dtype = floating_result_type(a.dtype(), b.dtype());
  return arithmetic(BinaryOp::arctan2, cast(a, dtype), cast(b, dtype));
}
Tensor fmax(const Tensor& a_in, const Tensor& b_in) {
  const auto [a, b] = promote(a_in, b_in);
  return where(isnan(b), a, where(isnan(a), b, maximum(a, b)));
}
Tensor fmin(const Tensor& a_in, const Tensor& b_in) {
  const auto [a, b] = promote(a_in, b_in);
  return where(isnan(b), a, where(isnan(a), b, minimum(a, b)));
}
Tensor logaddexp2(const Tensor& a, const Tensor& b) {
  const DType dtype = floating_result_type(a.dtype(), b.dtype());
  const double ln2 = std::numbers::ln2;
  return divide(logaddexp(multiply(cast(a, dtype), ln2), multiply(cast(b, dtype), ln2)), ln2);
}
Tensor isclose(const Tensor& a_in, const Tensor& b_in, double rtol, double atol, bool equal_nan) {
  // Integers compare in float64, where they are exact (float32 would merge large neighbours).
  const DType promoted = result_type(a_in.dtype(), b_in.dtype());
  const DType dtype = is_floating(promoted) ? promoted : float64;
  const Tensor a = stop_gradient(cast(a_in, dtype)), b = stop_gradient(cast(b_in, dtype));
  Tensor close = less_equal(abs(subtract(a, b)), add(multiply(abs(b), rtol), atol));
  // An infinity is close only to itself (the test above is NaN or true for it).
  const Tensor infinite = logical_or(isinf(a), isinf(b));
  close = where(infinite, equal(a, b), close);
  if (equal_nan) close = logical_or(close, logical_and(isnan(a), isnan(b)));
  return close;
}

Tensor nan_to_num(const Tensor& x,
                  double nan,
                  std::optional<double> posinf,
                  std::optional<double> neginf) {
  if (!is_floating(x.dtype())) return x;
  const double largest =
      x.dtype() == float32 ? std::numeric_limits<float>::max() : std::numeric_limits<double>::max();
  Tensor y = where(isnan(x), scalar_like(nan, x), x);
  y = where(isposinf(x), scalar_like(posinf.value_or(largest), x), y);
  return where(isneginf(x), scalar_like(neginf.value_or(-largest), x), y);
}

}  // namespace keras::ops

namespace keras::ops {

Tensor isreal(const Tensor& x) {
  return full(x.shape(), 1.0, bool_, x.device());
}
Tensor conj(const Tensor& x) {
  return x;
}
Tensor conjugate(const Tensor& x) {
  return x;
}

}  // namespace keras::ops
