// Winograd minimal-filtering 1-D convolutions for the CPU backend: F(4, 5) for kernel size 5 and
// F(6, 3) for kernel size 3, both on tiles of alpha = 8 inputs. Per tile the forward is
// y = A^T [(G w) ⊙ (B^T x)]; across channels that is 8 GEMMs (one per interpolation point ξ),
// M[ξ] (tiles, F) = V[ξ] (tiles, C) · U[ξ] (C, F), between an input transform V = B^T x, a kernel
// transform U = G w and an output transform y = A^T M. The gradients are the adjoints of the same
// maps. With m outputs per tile the GEMMs do 8 / (m r) of the direct multiplications (0.4x for
// F(4, 5), 0.44x for F(6, 3)); the transforms are cheap, memory-bound passes.
//
// Layouts are the Backend's (channels_last, float32, contiguous):
//   x, dx  (batch, in_length, C)       w, dw  (r, C, F)       y, dy  (batch, out_length, F)
// The geometry is a ConvGeometry (backend/conv_geometry.h) of a 1-D convolution (or a 2-D one of
// height 1) with stride 1, dilation 1, groups 1 and r in {3, 5}; pad[2] zeros precede the input,
// and out_length may imply any padding after it. Padded inputs read as zeros; their gradient is
// dropped. Outputs past out_length in the last tile are computed and discarded.
#pragma once

#include "backend/conv_geometry.h"

namespace keras::backend::winograd {

// When the functions below run: `automatic` where they measured faster than oneDNN's direct
// kernels (see applies), `always` wherever supported (tests), `never`. Process-wide.
enum class Policy { automatic, always, never };
void set_policy(Policy policy);
Policy policy();

// Whether the geometry is one these kernels compute (see above; batch and out_length >= 1).
bool supports(const ConvGeometry& g);
// Whether the policy sends this geometry here (then for all three passes).
bool applies(const ConvGeometry& g);

// y = conv(x, w) + bias (overwritten; bias (F) may be null), then relu when asked (the bits of
// UnaryOp::relu: NaN stays NaN).
void conv1d(const ConvGeometry& g,
            const float* x,
            const float* w,
            const float* bias,
            float* y,
            bool relu = false);
// dx = d(sum(conv(x, w) * dy)) / dx (overwritten).
void conv1d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);
// dw = d(sum(conv(x, w) * dy)) / dw (overwritten).
void conv1d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw);

// wt[j] = w[j]^T for the taps j < taps of a kernel (taps, C, F): wt is (taps, F, C). Called by
// every thread of an OpenMP team (work-shared, with the closing barrier) or outside one. The kernel
// transforms of wt give U^T, which the data gradients' GEMMs read as a plain operand: dnnl_sgemm
// ran 15-30% slower with a transposed B on the posts model's shapes (rows 32-42 by 128-256, one
// core, measured).
void transpose_taps(int64_t taps, int64_t c, int64_t f, const float* w, float* wt);

}  // namespace keras::backend::winograd
