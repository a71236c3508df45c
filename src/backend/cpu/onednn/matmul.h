// oneDNN's matmul primitive for a Dense layer's forward at inference (only built with oneDNN).
// Its brgemm kernels add the bias in their output pass and, on the mlp's 128 x 784 by 784 x 64
// with the 128 rows streamed from memory, ran 1.13x dnnl_sgemm's rows per second on one core.
// Every execution allocates inside oneDNN (its argument map), which a training step must not, so
// the CPU backend takes it only inside a backend::InferenceScope (predict).
#pragma once

#include "keras/backend/backend.h"

namespace keras::backend::onednn {

// y[m,n] = x[m,k] kernel[k,n] (+ bias[n] when bias is not null), float32, row-major, on the
// calling thread inside a parallel region, else on the backend's threads when the product is
// large enough to pay for them. False (having done nothing) when oneDNN has no primitive for it.
// The sums are blocked as oneDNN's kernels block them, so the bits may differ from gemm's within
// float32 rounding.
bool dense(const Tensor& x, const Tensor& kernel, const Tensor* bias, const Tensor& y);

}  // namespace keras::backend::onednn
