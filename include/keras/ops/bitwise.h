// keras.ops' bitwise functions and gcd, elementwise with NumPy broadcasting on integer and bool
// tensors. Not differentiable (integer results).
//
// Dtypes: the operands promote as result_type (uint8 with int32 is int32; Keras on JAX without
// x64 would narrow an int64 result to int32, keras.cpp keeps int64). A Python-int operand (the
// int64_t overloads) keeps x's dtype, as JAX's weak types. Floating operands are Keras's (JAX's)
// TypeError "bitwise_and does not accept dtype float32 at position 0. Accepted dtypes at
// position 0 are subtypes of integer, bool." (bitwise_not / bitwise_invert: "... dtype float32.
// Accepted dtypes are subtypes of integer, bool."); gcd's is JAX's ValueError.
#pragma once

#include <cstdint>

#include "keras/core/tensor.h"

namespace keras::ops {

// x & y, x | y, x ^ y; bool operands give bool (logical and, or, xor).
Tensor bitwise_and(const Tensor& x, const Tensor& y);
Tensor bitwise_or(const Tensor& x, const Tensor& y);
Tensor bitwise_xor(const Tensor& x, const Tensor& y);
// ~x (bool: logical not); bitwise_not is the same function under NumPy's other name.
Tensor bitwise_invert(const Tensor& x);
Tensor bitwise_not(const Tensor& x);
// x << y and x >> y (arithmetic for signed x: the sign fills in). A shift by a negative count or
// by the dtype's width or more gives 0 (or -1 for a negative x shifted right), as XLA. Bool
// operands count as int32 (a bool pair gives int32). bitwise_left_shift / bitwise_right_shift
// are the same functions under NumPy 2's names.
Tensor left_shift(const Tensor& x, const Tensor& y);
Tensor right_shift(const Tensor& x, const Tensor& y);
Tensor left_shift(const Tensor& x, int64_t y);
Tensor right_shift(const Tensor& x, int64_t y);
Tensor bitwise_left_shift(const Tensor& x, const Tensor& y);
Tensor bitwise_right_shift(const Tensor& x, const Tensor& y);
// The greatest common divisor of |x1| and |x2| (gcd(0, 0) = 0; the lowest int32 / int64, whose
// magnitude does not fit, count as 2^31 / 2^63, wrapped back into the dtype). ValueError
// "Arguments to gcd must be integers" for floating or bool operands.
Tensor gcd(const Tensor& x1, const Tensor& x2);

// The least common multiple of |x1| and |x2| (0 when either is 0), wrapping in the dtype on
// overflow. ValueError "Arguments to lcm must be integers" for floating or bool operands.
Tensor lcm(const Tensor& x1, const Tensor& x2);

}  // namespace keras::ops
