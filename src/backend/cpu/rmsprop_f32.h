// The CPU backend's float32 RMSprop rule (no momentum, not centered), shared by the dense and the
// row-sparse kernels so that both compute bit-identical values:
//   v = rho v + (1 - rho) g^2;  w -= lr g / sqrt(v + epsilon)
// and the decay of a slot whose gradient was 0 for `times` steps (v = rho v + 0, each step).
// 16 floats wide where the CPU has AVX-512 (the same float operations, fused into FMAs only where
// the whole build uses FMA: the same values).
#pragma once

#include <cstdint>

#include "keras/backend/backend.h"

namespace keras::backend::rows {

void rmsprop_f32(float* pw, const float* pg, float* pv, int64_t n, const RmspropParams& p);
void rmsprop_decay_f32(float* pv, int64_t n, int64_t times, const RmspropParams& p);

}  // namespace keras::backend::rows
