// A Conv2D layer read only by a MaxPooling2D layer, run as one op: the functional graph's plan
// pairs them (models/functional.cpp) and this runs the pair.
#pragma once

#include "keras/core/tensor.h"
#include "keras/layers/layer.h"

namespace keras::layers::internal {

// Whether pool(conv(x)) may run as ops::internal::conv_bias_max_pool: conv a Conv2D with a bias,
// no activation, channels_last; pool a MaxPooling2D with 2x2 windows, strides 2, "valid",
// channels_last; neither with an activity regularizer; the same dtype policy.
bool fuses_with_max_pool(const Layer& conv, const Layer& pool);

// pool(conv(x)) for layers that fuse_with_max_pool, x the conv's input: the two calls' results
// within float32 rounding (other kernels; the bias's gradient sums the pooled gradient).
Tensor conv_max_pool(Layer& conv, Layer& pool, const Tensor& x);

}  // namespace keras::layers::internal
