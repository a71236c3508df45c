// Ops that fuse what layers compose, for the kernels that can run them in one pass.
#pragma once

#include "keras/ops/conv.h"

namespace keras::ops::internal {

// add(conv(inputs, kernel, options), bias) with bias (F,) along the channel axis, as Conv layers
// compose them. channels_last, the backend adds the bias inside the convolution
// (Backend::conv_bias: in oneDNN's or Winograd's output pass) instead of a second pass over the
// output, in training too (one tape entry: the bias's gradient is dy summed to (F,));
// channels_first, exactly the two ops, recorded as such.
Tensor conv_bias(const Tensor& inputs,
                 const Tensor& kernel,
                 const Tensor& bias,
                 const ConvOptions& options = {});

// y + bias (F,) along y's channel axis: the last one, or axis 1 when channels_first.
Tensor add_channel_bias(const Tensor& y, const Tensor& bias, bool channels_first);

}  // namespace keras::ops::internal
