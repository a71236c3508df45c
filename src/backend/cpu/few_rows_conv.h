// Direct convolution for few output positions (a single sample's short sequences: the posts
// model's last two Conv1D layers have 14 and 10), where Winograd's transformed kernel (8 / 5 the
// size of the weights, rebuilt on every call) and oneDNN's packing of the weights cost more than
// the multiplications. Every output row of a block is kept in registers while the weights stream
// through once: y (rows, F) = im2row(x) (rows, taps * C) · w (taps * C, F), with im2row stored
// transposed (one column of `rows` floats per tap and channel) so that the kernel broadcasts from
// one pointer. AVX-512 (16-float vectors, blocks of up to 14 rows) or AVX2 and FMA (8-float
// vectors, up to 6 rows).
//
// Layouts are the Backend's (channels_last, float32, contiguous): x (batch, spatial..., C),
// w (taps..., C, F), y (batch, out_spatial..., F); any ConvGeometry with groups 1 (stride,
// dilation and padding included; padded taps read zeros).
#pragma once

#include "backend/conv_geometry.h"

namespace keras::backend::few_rows {

// Whether conv() computes this geometry and measured faster than the other kernels: AVX-512 or
// AVX2, groups 1, at most kMaxRows output positions over the whole batch, and enough columns for
// the threads.
inline constexpr int64_t kMaxRows = 16;
bool applies(const ConvGeometry& g);

// y = conv(x, w) + bias (overwritten; bias (F) may be null). Requires applies(g).
void conv(const ConvGeometry& g, const float* x, const float* w, const float* bias, float* y);

}  // namespace keras::backend::few_rows
