// A Dense layer's forward as one op, for the kernels that can run it in one pass.
#pragma once

#include "keras/core/tensor.h"

namespace keras::ops::internal {

// relu(add(matmul(x, kernel), bias)) (relu false: without it), as the Dense layer composes them;
// bias (N,) may be undefined. When nothing is tracked (predict, evaluate) and x (..., K), kernel
// (K, N) and bias are float32, one launched kernel (Backend::dense: the CPU adds the bias and
// applies relu to each thread's GEMM block while it is in cache) with the bits of the separate
// ops. Otherwise (training, other dtypes) exactly the ops, recorded as such.
Tensor dense(const Tensor& x, const Tensor& kernel, const Tensor& bias, bool relu);

}  // namespace keras::ops::internal
