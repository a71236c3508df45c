// Winograd F(4x4, 3x3) 2-D convolution for the CPU backend (forward and both gradients), in
// 16-float vectors where the CPU has AVX-512, 8-float ones where it has AVX2 and FMA. Per 6x6 input
// tile the forward is Y = A^T [(G W G^T) ⊙ (B^T X B)] A; across channels that is 36 GEMMs (one per
// point pair ξ), M[ξ] (tiles, F) = V[ξ] (tiles, C) · U[ξ] (C, F), between an input transform V, a
// kernel transform U and an output transform Y, each tile giving 4x4 outputs: 36 multiplications
// per 16 outputs and channel pair instead of 144 (0.25x). The interpolation points are 0, ±5/8,
// ±3/2 and infinity (the ones oneDNN's F(4x4, 3x3) uses): against float64, 3.0e-6 on 64
// channels where oneDNN's Winograd gave 3.4e-6 (outputs up to 3.9), where the textbook points
// 0, ±1, ±2 gave 1.0e-5.
//
// Unlike oneDNN's Winograd (blocked layouts, so each call reorders its source and destination)
// this works on the Backend's channels_last tensors, in chunks of tiles that stay in cache
// between the transforms and the GEMMs: 1.3-3.3x oneDNN's time on ResNet-like and the guide's
// shapes (docs/performance.md).
//
// Layouts (channels_last, float32, contiguous):
//   x, dx  (batch, H, W, C)       w  (3, 3, C, F)       y, dy  (batch, OH, OW, F)
// The geometry is a ConvGeometry (backend/conv_geometry.h) of a 2-D convolution with a 3x3 kernel,
// stride 1, dilation 1, groups 1, top and left padding 0, 1 or 2 (bottom and right follow from the
// output size), C and F multiples of 16. Padded inputs read as zeros.
#pragma once

#include "backend/conv_geometry.h"

namespace keras::backend::winograd {

// Whether the geometry is one these kernels compute (see above) on this CPU (AVX-512, or AVX2 and
// FMA).
bool supports2d(const ConvGeometry& g);
// Whether the policy (winograd_conv1d.h) sends this geometry here (then for all three passes):
// automatically up to 128 channels in and out, where its rounding is no worse than oneDNN's.
bool applies2d(const ConvGeometry& g);

// y = conv(x, w) + bias (bias: F values, or null for none), overwritten; then relu when asked (the
// bits of UnaryOp::relu: NaN stays NaN).
void conv2d(const ConvGeometry& g,
            const float* x,
            const float* w,
            const float* bias,
            float* y,
            bool relu = false);
// dx = d(sum(conv(x, w) * dy)) / dx (overwritten): the forward of dy with the kernel turned by
// 180 degrees and C and F swapped, padded by 2 - padding.
void conv2d_backward_data(const ConvGeometry& g, const float* dy, const float* w, float* dx);
// dw = d(sum(conv(x, w) * dy)) / dw (overwritten): dU[ξ] = sum over tiles of V[ξ]^T (A dY A^T)[ξ],
// then dW = G^T dU G.
void conv2d_backward_weights(const ConvGeometry& g, const float* x, const float* dy, float* dw);
// Both (either may be null) from the forward's tiles: dM = A dY A^T per tile gives dw as above and
// dx as the adjoint of the forward, dX += B (dM U^T) B^T over overlapping 6x6 tiles.
void conv2d_backward(
    const ConvGeometry& g, const float* x, const float* w, const float* dy, float* dx, float* dw);

// Followed by 2x2 max pooling with strides 2 (pooled: (batch, OH / 2, OW / 2, F)), in the
// forward's output pass: pooled = max_pool(conv(x, w) + bias), and y = conv(x, w) + bias too unless
// y is null. The CPU max_pool's results exactly.
void conv2d_max_pool(const ConvGeometry& g,
                     const float* x,
                     const float* w,
                     const float* bias,
                     float* y,
                     float* pooled);
// The gradients of sum(max_pool(conv(x, w) + bias) * dpooled) (either of dx, dw may be null), from
// y = conv(x, w) + bias: the pooling's gradient (the CPU max_pool_backward's bits) is built per
// tile and never stored, and dx comes from the forward's tiles (as conv2d_backward's adjoint).
// False, computing nothing, when dx is asked for and the batch has fewer samples than threads.
bool conv2d_max_pool_backward(const ConvGeometry& g,
                              const float* x,
                              const float* w,
                              const float* y,
                              const float* dpooled,
                              float* dx,
                              float* dw);

}  // namespace keras::backend::winograd
