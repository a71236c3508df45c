// Elementwise math with NumPy broadcasting, Keras 3 names (keras.ops.*). Differentiable unless
// noted. Mixed dtypes promote as in Keras (bool < ints < floats; wider wins).
#pragma once

#include <optional>

#include "keras/backend/backend.h"
#include "keras/core/tensor.h"

namespace keras::ops {

// The dtype two operands promote to.
DType result_type(DType a, DType b);
// A scalar tensor of `value` with `like`'s dtype and device.
Tensor scalar_like(double value, const Tensor& like);
// Same shape/dtype/device, uninitialized / zeros / ones.
Tensor empty_like(const Tensor& x);
Tensor zeros_like(const Tensor& x);
Tensor ones_like(const Tensor& x);
Tensor full_like(const Tensor& x, double value);

// Converts to `dtype` (gradient flows back between floating dtypes).
Tensor cast(const Tensor& x, DType dtype);
// keras.ops.saturate_cast: clipped to the range both dtypes hold (nudged toward 0 where
// float32 rounds the output's limit past it), then converted to `dtype`.
Tensor saturate_cast(const Tensor& x, DType dtype);
// The same values as a view the tape treats as a constant (no copy is made).
Tensor stop_gradient(const Tensor& x);

Tensor add(const Tensor& a, const Tensor& b);
Tensor subtract(const Tensor& a, const Tensor& b);
Tensor multiply(const Tensor& a, const Tensor& b);
Tensor divide(const Tensor& a, const Tensor& b);
// maximum and minimum: NaN if either argument is (NumPy's and Keras's, not fmax).
Tensor maximum(const Tensor& a, const Tensor& b);
Tensor minimum(const Tensor& a, const Tensor& b);
Tensor power(const Tensor& a, const Tensor& b);
Tensor add(const Tensor& a, double b);
Tensor subtract(const Tensor& a, double b);
Tensor subtract(double a, const Tensor& b);
Tensor multiply(const Tensor& a, double b);
Tensor divide(const Tensor& a, double b);
Tensor divide(double a, const Tensor& b);
Tensor maximum(const Tensor& a, double b);
Tensor minimum(const Tensor& a, double b);
Tensor power(const Tensor& a, double exponent);

// Comparisons and logic: bool results, not differentiable.
Tensor equal(const Tensor& a, const Tensor& b);
Tensor not_equal(const Tensor& a, const Tensor& b);
Tensor less(const Tensor& a, const Tensor& b);
Tensor less_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, const Tensor& b);
Tensor greater_equal(const Tensor& a, const Tensor& b);
Tensor greater(const Tensor& a, double b);
Tensor logical_and(const Tensor& a, const Tensor& b);
Tensor logical_or(const Tensor& a, const Tensor& b);
Tensor logical_not(const Tensor& x);
// cond ? a : b (cond bool); differentiable in a and b.
Tensor where(const Tensor& cond, const Tensor& a, const Tensor& b);

Tensor negative(const Tensor& x);
Tensor abs(const Tensor& x);
Tensor sign(const Tensor& x);
Tensor square(const Tensor& x);
Tensor sqrt(const Tensor& x);
Tensor exp(const Tensor& x);
Tensor log(const Tensor& x);
Tensor log1p(const Tensor& x);
Tensor reciprocal(const Tensor& x);
Tensor floor(const Tensor& x);
Tensor round(const Tensor& x);
// keras.ops' trigonometric, hyperbolic and other NumPy functions, elementwise: integer inputs
// give float32 (trunc keeps them as they are, as Keras); outside a function's domain (arcsin
// of 2, log2 of -1) NaN, as NumPy. Each differentiable but ceil and trunc (zero gradient).
Tensor sin(const Tensor& x);
Tensor cos(const Tensor& x);
Tensor tan(const Tensor& x);
Tensor arcsin(const Tensor& x);
Tensor arccos(const Tensor& x);
Tensor arctan(const Tensor& x);
Tensor sinh(const Tensor& x);
Tensor cosh(const Tensor& x);
Tensor arcsinh(const Tensor& x);
Tensor arccosh(const Tensor& x);
Tensor arctanh(const Tensor& x);
Tensor ceil(const Tensor& x);
Tensor trunc(const Tensor& x);
Tensor expm1(const Tensor& x);  // exp(x) - 1, accurate near 0
Tensor log2(const Tensor& x);
Tensor log10(const Tensor& x);
Tensor exp2(const Tensor& x);
Tensor erf(const Tensor& x);  // keras.ops.erf
// keras.ops.isreal / conj (conjugate): keras.cpp has no complex dtype, so every element is real
// (isreal: all true, bool) and conj is the identity (x itself, its gradient too).
Tensor isreal(const Tensor& x);
Tensor conj(const Tensor& x);
Tensor conjugate(const Tensor& x);
// NaN / infinite / finite elements, as bool (integer and bool inputs: all false / false / true).
Tensor isnan(const Tensor& x);
Tensor isinf(const Tensor& x);
Tensor isfinite(const Tensor& x);
// keras.ops.floor_divide (a // b) and keras.ops.mod (a % b, the sign of b), in the promoted
// dtype: floats as NumPy's divmod (the remainder exact, by fmod; an infinite a gives NaN for
// both, an infinite b the quotient -1 or 0 with a remainder of b or a; mod by zero NaN,
// floor_divide by zero a / b); integers exact in their dtype, 0 where b is 0 (as NumPy), the
// lowest value by -1 wrapping to itself (as XLA). The gradient of
// floor_divide is zero; mod's is 1 for a and -floor_divide(a, b) for b.
Tensor floor_divide(const Tensor& a, const Tensor& b);
// A constant b: an int keeps an integer a's dtype (Python's int), a double makes it float32
// (Python's float); a floating a keeps its dtype.
Tensor floor_divide(const Tensor& a, double b);
Tensor floor_divide(const Tensor& a, int b);
Tensor mod(const Tensor& a, const Tensor& b);
Tensor mod(const Tensor& a, double b);
Tensor mod(const Tensor& a, int b);
// Clips to [x_min, x_max]; the gradient is 1 inside the interval (bounds included), else 0.
Tensor clip(const Tensor& x, double x_min, double x_max);
// log(exp(a) + exp(b)) without overflow (keras.ops.logaddexp); at a == b each side gets half
// the gradient. -inf on both sides gives -inf.
Tensor logaddexp(const Tensor& a, const Tensor& b);

// More of NumPy's elementwise functions (keras.ops), composed of the ops above (gradients
// follow). Integer inputs give float32 where Keras does (all but signbit, isneginf, isposinf
// and logical_xor, which give bool).
Tensor rsqrt(const Tensor& x);  // 1 / sqrt(x); floating x only (TypeError), as Keras with JAX
Tensor cbrt(const Tensor& x);
Tensor deg2rad(const Tensor& x);
Tensor rad2deg(const Tensor& x);
Tensor erfc(const Tensor& x);     // 1 - erf(x)
Tensor sinc(const Tensor& x);     // sin(pi x) / (pi x), 1 at 0
Tensor signbit(const Tensor& x);  // x < 0, and -0 (NaN: false)
Tensor isneginf(const Tensor& x);
Tensor isposinf(const Tensor& x);
Tensor logical_xor(const Tensor& a, const Tensor& b);
Tensor hypot(const Tensor& a, const Tensor& b);  // sqrt(a^2 + b^2)
// C's fmod: a - trunc(a / b) * b, the sign of a (floats: NaN where b is 0; integers: 0 there).
Tensor fmod(const Tensor& a, const Tensor& b);
// NumPy's heaviside: 0 where a < 0, b where a == 0, 1 where a > 0 (NaN stays NaN).
Tensor heaviside(const Tensor& a, const Tensor& b);
// a / b, 0 where b is 0 (whatever a is), with a gradient free of NaN there.
Tensor divide_no_nan(const Tensor& a, const Tensor& b);
// atan2(a, b): the angle of the point (b, a) in [-pi, pi], NumPy's signed zeros and infinities
// (integers give float32); gradients b / (a^2 + b^2) and -a / (a^2 + b^2).
Tensor arctan2(const Tensor& a, const Tensor& b);
// The larger / smaller of a and b ignoring a NaN (NaN only where both are), in their common
// dtype; the gradient goes to the chosen operand (a on ties).
Tensor fmax(const Tensor& a, const Tensor& b);
Tensor fmin(const Tensor& a, const Tensor& b);
Tensor logaddexp2(const Tensor& a, const Tensor& b);  // log2(2^a + 2^b) without overflow
// |a - b| <= atol + rtol |b| (bool), as NumPy: infinities are close only to themselves, NaN to
// nothing unless equal_nan (then NaN to NaN). Not differentiable.
Tensor isclose(const Tensor& a,
               const Tensor& b,
               double rtol = 1e-5,
               double atol = 1e-8,
               bool equal_nan = false);
// NaN -> nan, +inf -> posinf, -inf -> neginf (defaults: the dtype's largest and lowest values).
Tensor nan_to_num(const Tensor& x,
                  double nan = 0.0,
                  std::optional<double> posinf = std::nullopt,
                  std::optional<double> neginf = std::nullopt);

// In-place updates of a tensor's memory (Keras Variable.assign / assign_add), traceable into a
// plan. Not differentiable. `value` broadcasts to `target` and is cast to its dtype.
void assign(const Tensor& target, const Tensor& value);
void assign_add(const Tensor& target, const Tensor& value);

// Applies a backend unary kernel with its recorded derivative (used by activations too).
Tensor unary(backend::UnaryOp op, const Tensor& x, backend::UnaryParams params = {});

}  // namespace keras::ops

namespace keras {  // operators live beside Tensor so argument-dependent lookup finds them
inline Tensor operator+(const Tensor& a, const Tensor& b) {
  return ops::add(a, b);
}
inline Tensor operator-(const Tensor& a, const Tensor& b) {
  return ops::subtract(a, b);
}
inline Tensor operator*(const Tensor& a, const Tensor& b) {
  return ops::multiply(a, b);
}
inline Tensor operator/(const Tensor& a, const Tensor& b) {
  return ops::divide(a, b);
}
inline Tensor operator-(const Tensor& a) {
  return ops::negative(a);
}
}  // namespace keras
