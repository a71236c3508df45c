// Ops that fuse what layers compose, for the kernels that can run them in one pass.
#pragma once

#include "keras/ops/conv.h"

namespace keras::ops::internal {

// add(conv(inputs, kernel, options), bias) with bias (F,) along the channel axis, as Conv layers
// compose them, then relu(...) when `relu`. channels_last, the backend adds the bias inside the
// convolution (Backend::conv_bias: in oneDNN's or Winograd's output pass) instead of a second pass
// over the output, in training too (one tape entry: the bias's gradient is dy summed to (F,));
// channels_first, exactly the ops, recorded as such. relu joins the output pass where the backend
// can, with the bits of ops::relu, and its gradient the bits of ops::relu's (one tape entry).
Tensor conv_bias(const Tensor& inputs,
                 const Tensor& kernel,
                 const Tensor& bias,
                 const ConvOptions& options = {},
                 bool relu = false);

// max_pool(conv_bias(inputs, kernel, bias, conv), pool_size, pool), as a Conv2D layer followed by
// MaxPooling2D compose them. For 2x2 windows with strides 2, no padding and channels_last, one op
// (Backend::conv_bias_max_pool): the backend may pool in the convolution's output pass, and the
// convolution's output is only kept (for the gradient) when something is tracked; the gradient
// (Backend::conv_max_pool_backward) may then build the pooling's gradient piecewise. Otherwise,
// and for anything else, exactly the two ops.
Tensor conv_bias_max_pool(const Tensor& inputs,
                          const Tensor& kernel,
                          const Tensor& bias,
                          const ConvOptions& conv,
                          const std::vector<int64_t>& pool_size,
                          const PoolOptions& pool);

// y + bias (F,) along y's channel axis: the last one, or axis 1 when channels_first.
Tensor add_channel_bias(const Tensor& y, const Tensor& bias, bool channels_first);

}  // namespace keras::ops::internal
