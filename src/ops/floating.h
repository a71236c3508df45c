// The dtype an op computes in when Keras makes integer and bool inputs float32 (means, softmax,
// NumPy's float functions): floating inputs keep theirs.
#pragma once

#include "keras/core/tensor.h"
#include "keras/ops/elementwise.h"

namespace keras::ops {

inline Tensor floating(const Tensor& x) {
  return is_floating(x.dtype()) ? x : cast(x, float32);
}

// Two operands' promoted dtype, float32 when that is not floating.
inline DType floating_result_type(DType a, DType b) {
  const DType promoted = result_type(a, b);
  return is_floating(promoted) ? promoted : float32;
}

}  // namespace keras::ops
