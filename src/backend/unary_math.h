// Scalar definitions of every UnaryOp and its derivative, shared by all CPU-side backends so the
// reference and the fast loops agree on the formulas (Keras 3's definitions).
#pragma once

#include <cmath>
#include <cstdint>
#include <numbers>
#include <type_traits>
#include <utility>

#include "keras/backend/backend.h"

namespace keras::backend {

template <class T>
inline T sigmoid_scalar(T x) {
  return x >= T(0) ? T(1) / (T(1) + std::exp(-x)) : std::exp(x) / (T(1) + std::exp(x));
}

inline constexpr double kSeluAlpha = 1.6732632423543772848170429916717;
inline constexpr double kSeluScale = 1.0507009873554804934193349852946;

template <UnaryOp kOp, class T>
inline T unary_forward(T x, UnaryParams p) {
  using std::abs, std::exp, std::log, std::sqrt, std::tanh;
  if constexpr (kOp == UnaryOp::neg)
    return -x;
  else if constexpr (kOp == UnaryOp::abs)
    return x < T(0) ? -x : x;
  else if constexpr (kOp == UnaryOp::sign)  // NaN stays NaN, as NumPy's
    return x != x ? x : T((x > T(0)) - (x < T(0)));
  else if constexpr (kOp == UnaryOp::square)
    return x * x;
  else if constexpr (kOp == UnaryOp::sqrt)
    return sqrt(x);
  else if constexpr (kOp == UnaryOp::exp)
    return exp(x);
  else if constexpr (kOp == UnaryOp::log)
    return log(x);
  else if constexpr (kOp == UnaryOp::log1p)
    return std::log1p(x);
  else if constexpr (kOp == UnaryOp::reciprocal)
    return T(1) / x;
  else if constexpr (kOp == UnaryOp::floor)
    return std::floor(x);
  else if constexpr (kOp == UnaryOp::round)
    return std::nearbyint(x);               // half to even, as NumPy
  else if constexpr (kOp == UnaryOp::relu)  // NaN stays NaN, as Keras 3's (max(x, 0))
    return x > T(0) || x != x ? x : T(0);
  else if constexpr (kOp == UnaryOp::relu6)
    return x != x ? x : (x > T(0) ? (x < T(6) ? x : T(6)) : T(0));
  else if constexpr (kOp == UnaryOp::leaky_relu)
    return x > T(0) ? x : T(p.a) * x;
  else if constexpr (kOp == UnaryOp::sigmoid)
    return sigmoid_scalar(x);
  else if constexpr (kOp == UnaryOp::tanh)
    return tanh(x);
  else if constexpr (kOp == UnaryOp::softplus)
    return std::log1p(exp(-abs(x))) + (x > T(0) ? x : T(0));
  else if constexpr (kOp == UnaryOp::softsign)
    return x / (T(1) + abs(x));
  else if constexpr (kOp == UnaryOp::elu)
    return x > T(0) ? x : T(p.a) * std::expm1(x);
  else if constexpr (kOp == UnaryOp::selu)
    return x > T(0) ? T(kSeluScale) * x : T(kSeluScale * kSeluAlpha) * std::expm1(x);
  else if constexpr (kOp == UnaryOp::gelu)
    return T(0.5) * x * (T(1) + std::erf(x * T(std::numbers::sqrt2 / 2)));
  else if constexpr (kOp == UnaryOp::gelu_approximate) {
    const T c = T(0.7978845608028654);  // sqrt(2 / pi)
    return T(0.5) * x * (T(1) + tanh(c * (x + T(0.044715) * x * x * x)));
  } else if constexpr (kOp == UnaryOp::silu)
    return x * sigmoid_scalar(x);
  else if constexpr (kOp == UnaryOp::hard_sigmoid) {
    const T v = x / T(6) + T(0.5);
    return v < T(0) ? T(0) : (v > T(1) ? T(1) : v);
  } else if constexpr (kOp == UnaryOp::hard_silu) {
    const T v = x / T(6) + T(0.5);
    return x * (v < T(0) ? T(0) : (v > T(1) ? T(1) : v));
  } else if constexpr (kOp == UnaryOp::clip)
    return x < T(p.a) ? T(p.a) : (x > T(p.b) ? T(p.b) : x);
  else if constexpr (kOp == UnaryOp::pow_scalar)
    return std::pow(x, T(p.a));
  else if constexpr (kOp == UnaryOp::logical_not)
    return !x;
  else if constexpr (kOp == UnaryOp::sin)
    return std::sin(x);
  else if constexpr (kOp == UnaryOp::cos)
    return std::cos(x);
  else if constexpr (kOp == UnaryOp::tan)
    return std::tan(x);
  else if constexpr (kOp == UnaryOp::arcsin)
    return std::asin(x);
  else if constexpr (kOp == UnaryOp::arccos)
    return std::acos(x);
  else if constexpr (kOp == UnaryOp::arctan)
    return std::atan(x);
  else if constexpr (kOp == UnaryOp::sinh)
    return std::sinh(x);
  else if constexpr (kOp == UnaryOp::cosh)
    return std::cosh(x);
  else if constexpr (kOp == UnaryOp::arcsinh)
    return std::asinh(x);
  else if constexpr (kOp == UnaryOp::arccosh)
    return std::acosh(x);
  else if constexpr (kOp == UnaryOp::arctanh)
    return std::atanh(x);
  else if constexpr (kOp == UnaryOp::ceil)
    return std::ceil(x);
  else if constexpr (kOp == UnaryOp::trunc)
    return std::trunc(x);
  else if constexpr (kOp == UnaryOp::expm1)
    return std::expm1(x);
  else if constexpr (kOp == UnaryOp::log2)
    return std::log2(x);
  else if constexpr (kOp == UnaryOp::log10)
    return std::log10(x);
  else if constexpr (kOp == UnaryOp::exp2)
    return std::exp2(x);
  else if constexpr (kOp == UnaryOp::erf)
    return std::erf(x);
  else
    return x;
}

// f'(x), given x and y = f(x).
template <UnaryOp kOp, class T>
inline T unary_derivative(T x, T y, UnaryParams p) {
  if constexpr (kOp == UnaryOp::neg)
    return T(-1);
  else if constexpr (kOp == UnaryOp::abs)
    return T((x > T(0)) - (x < T(0)));
  else if constexpr (kOp == UnaryOp::square)
    return T(2) * x;
  else if constexpr (kOp == UnaryOp::sqrt)
    return T(0.5) / y;
  else if constexpr (kOp == UnaryOp::exp)
    return y;
  else if constexpr (kOp == UnaryOp::log)
    return T(1) / x;
  else if constexpr (kOp == UnaryOp::log1p)
    return T(1) / (T(1) + x);
  else if constexpr (kOp == UnaryOp::reciprocal)
    return -y * y;
  else if constexpr (kOp == UnaryOp::relu)
    return x > T(0) ? T(1) : T(0);
  else if constexpr (kOp == UnaryOp::relu6)
    return x > T(0) && x < T(6) ? T(1) : T(0);
  else if constexpr (kOp == UnaryOp::leaky_relu)
    return x > T(0) ? T(1) : T(p.a);
  else if constexpr (kOp == UnaryOp::sigmoid)
    return y * (T(1) - y);
  else if constexpr (kOp == UnaryOp::tanh)
    return T(1) - y * y;
  else if constexpr (kOp == UnaryOp::softplus)
    return sigmoid_scalar(x);
  else if constexpr (kOp == UnaryOp::softsign) {
    const T d = T(1) + (x < T(0) ? -x : x);
    return T(1) / (d * d);
  } else if constexpr (kOp == UnaryOp::elu)
    return x > T(0) ? T(1) : y + T(p.a);
  else if constexpr (kOp == UnaryOp::selu)
    return x > T(0) ? T(kSeluScale) : y + T(kSeluScale * kSeluAlpha);
  else if constexpr (kOp == UnaryOp::gelu) {
    const T cdf = T(0.5) * (T(1) + std::erf(x * T(std::numbers::sqrt2 / 2)));
    const T pdf = std::exp(T(-0.5) * x * x) * T(0.3989422804014327);  // 1 / sqrt(2 pi)
    return cdf + x * pdf;
  } else if constexpr (kOp == UnaryOp::gelu_approximate) {
    const T c = T(0.7978845608028654);
    const T inner = c * (x + T(0.044715) * x * x * x);
    const T t = std::tanh(inner);
    return T(0.5) * (T(1) + t) + T(0.5) * x * (T(1) - t * t) * c * (T(1) + T(3 * 0.044715) * x * x);
  } else if constexpr (kOp == UnaryOp::silu) {
    const T s = sigmoid_scalar(x);
    return s * (T(1) + x * (T(1) - s));
  } else if constexpr (kOp == UnaryOp::hard_sigmoid)
    return x > T(-3) && x < T(3) ? T(1) / T(6) : T(0);
  else if constexpr (kOp == UnaryOp::hard_silu) {
    if (x <= T(-3)) return T(0);
    if (x >= T(3)) return T(1);
    return x / T(3) + T(0.5);
  } else if constexpr (kOp == UnaryOp::clip)
    return x >= T(p.a) && x <= T(p.b) ? T(1) : T(0);
  else if constexpr (kOp == UnaryOp::pow_scalar)
    return T(p.a) * std::pow(x, T(p.a - 1));
  else if constexpr (kOp == UnaryOp::sin)
    return std::cos(x);
  else if constexpr (kOp == UnaryOp::cos)
    return -std::sin(x);
  else if constexpr (kOp == UnaryOp::tan)
    return T(1) + y * y;
  else if constexpr (kOp == UnaryOp::arcsin)
    return T(1) / std::sqrt(T(1) - x * x);
  else if constexpr (kOp == UnaryOp::arccos)
    return T(-1) / std::sqrt(T(1) - x * x);
  else if constexpr (kOp == UnaryOp::arctan)
    return T(1) / (T(1) + x * x);
  else if constexpr (kOp == UnaryOp::sinh)
    return std::cosh(x);
  else if constexpr (kOp == UnaryOp::cosh)
    return std::sinh(x);
  else if constexpr (kOp == UnaryOp::arcsinh)
    return T(1) / std::sqrt(x * x + T(1));
  else if constexpr (kOp == UnaryOp::arccosh)
    return T(1) / std::sqrt(x * x - T(1));
  else if constexpr (kOp == UnaryOp::arctanh)
    return T(1) / (T(1) - x * x);
  else if constexpr (kOp == UnaryOp::expm1)
    return y + T(1);
  else if constexpr (kOp == UnaryOp::log2)
    return T(1) / (x * T(std::numbers::ln2));
  else if constexpr (kOp == UnaryOp::log10)
    return T(1) / (x * T(std::numbers::ln10));
  else if constexpr (kOp == UnaryOp::exp2)
    return y * T(std::numbers::ln2);
  else if constexpr (kOp == UnaryOp::erf)
    return T(2 * std::numbers::inv_sqrtpi) * std::exp(-x * x);
  else
    return T(0);  // sign, floor, round, ceil, trunc: zero almost everywhere
}

// Calls f.template operator()<kOp>() with the op as a compile-time constant.
template <class F>
decltype(auto) visit_unary_op(UnaryOp op, F&& f) {
  switch (op) {
#define KERAS_UNARY_CASE(name) \
  case UnaryOp::name:          \
    return f.template operator()<UnaryOp::name>();
    KERAS_UNARY_CASE(neg);
    KERAS_UNARY_CASE(abs);
    KERAS_UNARY_CASE(sign);
    KERAS_UNARY_CASE(square);
    KERAS_UNARY_CASE(sqrt);
    KERAS_UNARY_CASE(exp);
    KERAS_UNARY_CASE(log);
    KERAS_UNARY_CASE(log1p);
    KERAS_UNARY_CASE(reciprocal);
    KERAS_UNARY_CASE(floor);
    KERAS_UNARY_CASE(round);
    KERAS_UNARY_CASE(relu);
    KERAS_UNARY_CASE(relu6);
    KERAS_UNARY_CASE(leaky_relu);
    KERAS_UNARY_CASE(sigmoid);
    KERAS_UNARY_CASE(tanh);
    KERAS_UNARY_CASE(softplus);
    KERAS_UNARY_CASE(softsign);
    KERAS_UNARY_CASE(elu);
    KERAS_UNARY_CASE(selu);
    KERAS_UNARY_CASE(gelu);
    KERAS_UNARY_CASE(gelu_approximate);
    KERAS_UNARY_CASE(silu);
    KERAS_UNARY_CASE(hard_sigmoid);
    KERAS_UNARY_CASE(hard_silu);
    KERAS_UNARY_CASE(clip);
    KERAS_UNARY_CASE(pow_scalar);
    KERAS_UNARY_CASE(logical_not);
    KERAS_UNARY_CASE(sin);
    KERAS_UNARY_CASE(cos);
    KERAS_UNARY_CASE(tan);
    KERAS_UNARY_CASE(arcsin);
    KERAS_UNARY_CASE(arccos);
    KERAS_UNARY_CASE(arctan);
    KERAS_UNARY_CASE(sinh);
    KERAS_UNARY_CASE(cosh);
    KERAS_UNARY_CASE(arcsinh);
    KERAS_UNARY_CASE(arccosh);
    KERAS_UNARY_CASE(arctanh);
    KERAS_UNARY_CASE(ceil);
    KERAS_UNARY_CASE(trunc);
    KERAS_UNARY_CASE(expm1);
    KERAS_UNARY_CASE(log2);
    KERAS_UNARY_CASE(log10);
    KERAS_UNARY_CASE(exp2);
    KERAS_UNARY_CASE(erf);
#undef KERAS_UNARY_CASE
  }
  return f.template operator()<UnaryOp::neg>();
}

// One step of a running maximum or minimum: v where it wins or is NaN, so that a NaN, once met,
// stays (NumPy's max and min, XLA's max pooling); on ties `out` stays. The max and min reductions
// and max pooling of both backends fold with these.
template <class T>
inline T running_max(T out, T v) {
  return out < v || v != v ? v : out;
}
template <class T>
inline T running_min(T out, T v) {
  return v < out || v != v ? v : out;
}

// NumPy's divmod of floats (npy_divmod): the remainder is fmod's (exact), moved to b's sign, and
// the quotient (a - remainder) / b rounded; a / b where b is 0 (inf or NaN) with a NaN remainder.
template <class T>
inline std::pair<T, T> float_divmod(T a, T b) {
  T mod = std::fmod(a, b);
  if (b == T(0)) return {a / b, mod};
  T div = (a - mod) / b;
  if (mod != T(0)) {
    if ((b < T(0)) != (mod < T(0))) {
      mod += b;
      div -= T(1);
    }
  } else {
    mod = std::copysign(T(0), b);
  }
  T floordiv;
  if (div != T(0)) {
    floordiv = std::floor(div);
    if (div - floordiv > T(0.5)) floordiv += T(1);
  } else {
    floordiv = std::copysign(T(0), a / b);
  }
  return {floordiv, mod};
}

// Integer floor division and remainder with b's sign; 0 for both where b is 0, wrapping where
// the quotient overflows (the lowest value by -1), as XLA's integers do.
template <class T>
inline std::pair<T, T> integer_divmod(T a, T b) {
  if (b == T(0)) return {T(0), T(0)};
  if constexpr (std::is_same_v<T, bool>) {
    return {a, false};
  } else if constexpr (std::is_signed_v<T>) {
    if (b == T(-1)) return {T(uint64_t(0) - static_cast<uint64_t>(a)), T(0)};
    T q = T(a / b), r = T(a % b);
    if (r != 0 && ((r < 0) != (b < 0))) {
      q = T(q - 1);
      r = T(r + b);
    }
    return {q, r};
  } else {
    return {T(a / b), T(a % b)};
  }
}

template <BinaryOp kOp, class T>
inline auto binary_scalar(T a, T b) {
  if constexpr (kOp == BinaryOp::add)
    return T(a + b);
  else if constexpr (kOp == BinaryOp::sub)
    return T(a - b);
  else if constexpr (kOp == BinaryOp::mul)
    return T(a * b);
  else if constexpr (kOp == BinaryOp::div)
    return T(a / b);
  else if constexpr (kOp == BinaryOp::maximum)  // NaN if either is, as NumPy's and Keras's
    return a != a ? a : (a > b ? a : b);
  else if constexpr (kOp == BinaryOp::minimum)
    return a != a ? a : (a < b ? a : b);
  else if constexpr (kOp == BinaryOp::pow)
    return T(std::pow(a, b));
  else if constexpr (kOp == BinaryOp::equal)
    return a == b;
  else if constexpr (kOp == BinaryOp::not_equal)
    return a != b;
  else if constexpr (kOp == BinaryOp::less)
    return a < b;
  else if constexpr (kOp == BinaryOp::less_equal)
    return a <= b;
  else if constexpr (kOp == BinaryOp::greater)
    return a > b;
  else if constexpr (kOp == BinaryOp::greater_equal)
    return a >= b;
  else if constexpr (kOp == BinaryOp::logical_and)
    return static_cast<bool>(a) && static_cast<bool>(b);
  else if constexpr (kOp == BinaryOp::logical_or)
    return static_cast<bool>(a) || static_cast<bool>(b);
  else if constexpr (kOp == BinaryOp::floor_divide || kOp == BinaryOp::floor_mod) {
    std::pair<T, T> qr;
    if constexpr (std::is_floating_point_v<T>) {
      qr = float_divmod(a, b);
    } else {
      qr = integer_divmod(a, b);
    }
    return kOp == BinaryOp::floor_divide ? qr.first : qr.second;
  } else
    return T(std::atan2(a, b));
}

template <class F>
decltype(auto) visit_binary_op(BinaryOp op, F&& f) {
  switch (op) {
#define KERAS_BINARY_CASE(name) \
  case BinaryOp::name:          \
    return f.template operator()<BinaryOp::name>();
    KERAS_BINARY_CASE(add);
    KERAS_BINARY_CASE(sub);
    KERAS_BINARY_CASE(mul);
    KERAS_BINARY_CASE(div);
    KERAS_BINARY_CASE(maximum);
    KERAS_BINARY_CASE(minimum);
    KERAS_BINARY_CASE(pow);
    KERAS_BINARY_CASE(equal);
    KERAS_BINARY_CASE(not_equal);
    KERAS_BINARY_CASE(less);
    KERAS_BINARY_CASE(less_equal);
    KERAS_BINARY_CASE(greater);
    KERAS_BINARY_CASE(greater_equal);
    KERAS_BINARY_CASE(logical_and);
    KERAS_BINARY_CASE(logical_or);
    KERAS_BINARY_CASE(arctan2);
    KERAS_BINARY_CASE(floor_divide);
    KERAS_BINARY_CASE(floor_mod);
#undef KERAS_BINARY_CASE
  }
  return f.template operator()<BinaryOp::add>();
}

}  // namespace keras::backend
