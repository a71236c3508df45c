// oneDNN convolutions for the CPU backend (only built with oneDNN; see CMakeLists.txt).
// Each function runs one float32 channels_last convolution kernel with the Backend contract of
// the same name, and returns false (having done nothing) when oneDNN has no implementation for
// the geometry, so that the caller falls back to im2row + GEMM.
#pragma once

#include "backend/cpu/vec16.h"
#include "keras/backend/backend.h"

namespace keras::backend::onednn {

// With a bias (F,), dst = conv + bias, the bias added in the primitive's output pass.
bool conv(const Tensor& src,
          const Tensor& weights,
          const Tensor& dst,
          const ConvParams& p,
          const Tensor* bias = nullptr);
bool conv_backward_data(const Tensor& diff_dst,
                        const Tensor& weights,
                        const Tensor& diff_src,
                        const ConvParams& p);
bool conv_backward_weights(const Tensor& src,
                           const Tensor& diff_dst,
                           const Tensor& diff_weights,
                           const ConvParams& p);
// While one is alive (on this thread), a backward-weights call reuses the diff_dst layout
// conversion of the backward-data call just before it when both read the same diff_dst: for
// the two gradients of one convolution, which nothing can write between.
class SharedDiffDst {
 public:
  SharedDiffDst();
  ~SharedDiffDst();
  SharedDiffDst(const SharedDiffDst&) = delete;
  SharedDiffDst& operator=(const SharedDiffDst&) = delete;
};
// Threads oneDNN's OpenMP runtime may use.
void set_num_threads(int n);
// Keeps oneDNN's kernels within `isa` (KERAS_MAX_CPU_ISA, vec16.h); before its first primitive or
// GEMM, after which oneDNN ignores the call.
void limit_isa(vec16::Isa isa);

}  // namespace keras::backend::onednn
