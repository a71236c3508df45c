#include "keras/ops/bitwise.h"

#include <cstdint>
#include <type_traits>

#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"
#include "ops/host_kernel.h"

namespace keras::ops {

namespace {

enum class IntOp { bit_and, bit_or, bit_xor, left_shift, right_shift, gcd, lcm };

// T's unsigned twin (bool as uint8).
template <class T>
using Unsigned = std::make_unsigned_t<std::conditional_t<std::is_same_v<T, bool>, uint8_t, T>>;

template <class T>
Unsigned<T> magnitude(T v) {
  using U = Unsigned<T>;
  if constexpr (!std::is_same_v<T, bool> && std::is_signed_v<T>) {
    return v < T(0) ? static_cast<U>(U(0) - static_cast<U>(v)) : static_cast<U>(v);
  } else {
    return static_cast<U>(v);
  }
}

template <class T>
T apply(IntOp op, T a, T b) {
  using U = Unsigned<T>;
  switch (op) {
    case IntOp::bit_and:
      return T(a & b);
    case IntOp::bit_or:
      return T(a | b);
    case IntOp::bit_xor:
      return T(a ^ b);
    case IntOp::left_shift:
    case IntOp::right_shift: {
      // Shifts past the width (or negative) saturate as XLA's: 0, or -1 for a negative a >>.
      constexpr auto kBits = static_cast<int64_t>(sizeof(U) * 8);
      const auto s = static_cast<int64_t>(b);
      bool negative = false;
      if constexpr (!std::is_same_v<T, bool> && std::is_signed_v<T>) negative = a < T(0);
      if (s < 0 || s >= kBits) return op == IntOp::right_shift && negative ? T(-1) : T(0);
      if (op == IntOp::left_shift) return T(static_cast<U>(static_cast<U>(a) << s));
      if (negative) return T(static_cast<U>(~(static_cast<U>(~static_cast<U>(a)) >> s)));
      return T(static_cast<U>(static_cast<U>(a) >> s));
    }
    case IntOp::gcd:
    case IntOp::lcm: {  // Euclid on the magnitudes, in unsigned arithmetic
      U x = magnitude(a), y = magnitude(b);
      while (y != 0) {
        const U r = static_cast<U>(x % y);
        x = y;
        y = r;
      }
      if (op == IntOp::gcd) return T(x);
      return x == 0 ? T(0) : T(static_cast<U>(magnitude(a) / x * magnitude(b)));
    }
  }
  return T(0);
}

template <class T>
void run(IntOp op, const Tensor& a, const Tensor& b, const Tensor& y) {
  const T* pa = static_cast<const T*>(a.raw_data());
  const T* pb = static_cast<const T*>(b.raw_data());
  T* py = static_cast<T*>(y.raw_data());
  for (int64_t i = 0; i < y.size(); ++i) py[i] = apply<T>(op, pa[i], pb[i]);
}

// JAX's words for an operand outside integers. Bool is taken everywhere (shifts promote it to
// int32) but named only by the logical ones.
void check_integer(const char* op, const Tensor& t, int position, bool takes_bool) {
  KERAS_CHECK(is_integer(t.dtype()) || t.dtype() == bool_, TypeError, op, " does not accept dtype ",
              dtype_name(t.dtype()), " at position ", position, ". Accepted dtypes at position ",
              position, " are subtypes of integer", takes_bool ? ", bool." : ".");
}

Tensor integer_binary(
    IntOp op, const char* name, const Tensor& x, const Tensor& y, bool takes_bool) {
  check_integer(name, x, 0, takes_bool);
  check_integer(name, y, 1, takes_bool);
  DType dtype = result_type(x.dtype(), y.dtype());
  if (dtype == bool_ && !takes_bool) dtype = int32;  // jnp promotes bool to int for these
  const Shape shape = broadcast_shapes(x.shape(), y.shape());
  const Tensor a = broadcast_to(cast(x, dtype), shape), b = broadcast_to(cast(y, dtype), shape);
  const Tensor out = Tensor::empty(shape, dtype, a.device());
  internal::launch_on_host({a, b}, {out}, [op](const Tensors& in, const Tensors& y) {
    visit_dtype(y[0].dtype(), [&]<class T>() {
      if constexpr (std::is_integral_v<T>) run<T>(op, in[0], in[1], y[0]);  // checked above
    });
  });
  return out;
}

// The unary ops' words (no position).
void check_unary(const char* op, const Tensor& x) {
  KERAS_CHECK(is_integer(x.dtype()) || x.dtype() == bool_, TypeError, op, " does not accept dtype ",
              dtype_name(x.dtype()), ". Accepted dtypes are subtypes of integer, bool.");
}

// A Python int beside x: x's dtype (bool x: int32).
Tensor weak_int(const Tensor& x, int64_t y) {
  const DType dtype = x.dtype() == bool_ ? int32 : x.dtype();
  return keras::full({}, static_cast<double>(y), dtype, x.device());
}

}  // namespace

Tensor bitwise_and(const Tensor& x, const Tensor& y) {
  return integer_binary(IntOp::bit_and, "bitwise_and", x, y, true);
}
Tensor bitwise_or(const Tensor& x, const Tensor& y) {
  return integer_binary(IntOp::bit_or, "bitwise_or", x, y, true);
}
Tensor bitwise_xor(const Tensor& x, const Tensor& y) {
  return integer_binary(IntOp::bit_xor, "bitwise_xor", x, y, true);
}
Tensor bitwise_invert(const Tensor& x) {
  check_unary("bitwise_invert", x);
  if (x.dtype() == bool_) return logical_not(x);
  // All ones: -1 for the signed dtypes, the largest value for uint8.
  const Tensor ones = keras::full({}, x.dtype() == uint8 ? 255.0 : -1.0, x.dtype(), x.device());
  return bitwise_xor(x, ones);
}
Tensor bitwise_not(const Tensor& x) {
  check_unary("bitwise_not", x);
  return bitwise_invert(x);
}
Tensor left_shift(const Tensor& x, const Tensor& y) {
  return integer_binary(IntOp::left_shift, "left_shift", x, y, false);
}
Tensor right_shift(const Tensor& x, const Tensor& y) {
  return integer_binary(IntOp::right_shift, "right_shift", x, y, false);
}
Tensor left_shift(const Tensor& x, int64_t y) {
  check_integer("left_shift", x, 0, false);
  return left_shift(x, weak_int(x, y));
}
Tensor right_shift(const Tensor& x, int64_t y) {
  check_integer("right_shift", x, 0, false);
  return right_shift(x, weak_int(x, y));
}
Tensor bitwise_left_shift(const Tensor& x, const Tensor& y) {
  return integer_binary(IntOp::left_shift, "bitwise_left_shift", x, y, false);
}
Tensor bitwise_right_shift(const Tensor& x, const Tensor& y) {
  return integer_binary(IntOp::right_shift, "bitwise_right_shift", x, y, false);
}
Tensor gcd(const Tensor& x1, const Tensor& x2) {
  KERAS_CHECK(is_integer(x1.dtype()) && is_integer(x2.dtype()), ValueError,
              "Arguments to gcd must be integers, got ", dtype_name(x1.dtype()), " and ",
              dtype_name(x2.dtype()));
  return integer_binary(IntOp::gcd, "gcd", x1, x2, false);
}
Tensor lcm(const Tensor& x1, const Tensor& x2) {
  KERAS_CHECK(is_integer(x1.dtype()) && is_integer(x2.dtype()), ValueError,
              "Arguments to lcm must be integers, got ", dtype_name(x1.dtype()), " and ",
              dtype_name(x2.dtype()));
  return integer_binary(IntOp::lcm, "lcm", x1, x2, false);
}

}  // namespace keras::ops
