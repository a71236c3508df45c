// Convolution and pooling ops (keras.ops.conv, depthwise_conv, separable_conv, conv_transpose,
// max_pool, average_pool). All differentiable with respect to inputs and kernels.
//
// Layouts: inputs are (batch, spatial..., channels) for data_format "channels_last" (the
// default) or (batch, channels, spatial...) for "channels_first", with 1 to 3 spatial dims;
// outputs use the same data_format. Kernels use Keras's layout whatever the data_format:
//   conv            (kernel..., C / groups, F)   groups = C / kernel.shape[-2] (as keras.ops.conv)
//   depthwise_conv  (kernel..., C, depth_multiplier) -> C * depth_multiplier output channels
//   conv_transpose  (kernel..., F, C)            C input channels, F output channels
// Floating inputs and kernels of one dtype; errors are ValueError (shapes) and TypeError (dtypes).
//
// Output lengths per spatial dim (Keras's rules; d = dilation, k' = (k - 1) * d + 1):
//   valid: floor((in - k') / stride) + 1;  same and causal: floor((in - 1) / stride) + 1.
// "same" pads like TensorFlow: total = max((out - 1) * stride + k' - in, 0), total / 2 before
// and the rest after. "causal" (1-D conv only) pads k' - 1 before.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops {

// One spatial output length by the rules above; kNone input gives kNone. A result <= 0 is
// returned as is (callers raise Keras's "Computed output size would be negative" error).
int64_t conv_output_length(
    int64_t input, int64_t kernel, std::string_view padding, int64_t stride, int64_t dilation = 1);
// Zeros added before one spatial dimension for `padding` (valid, same or causal).
int64_t conv_padding_before(
    int64_t input, int64_t kernel, std::string_view padding, int64_t stride, int64_t dilation = 1);
// Keras's transposed-convolution output length (keras compute_conv_transpose_output_shape):
//   output_padding unset: valid: in * stride + max(k' - stride, 0); same: in * stride;
//   set: (in - 1) * stride + k' - 2 * pad + output_padding, pad = k' / 2 for same, 0 for valid.
int64_t conv_transpose_output_length(int64_t input,
                                     int64_t kernel,
                                     std::string_view padding,
                                     std::optional<int64_t> output_padding,
                                     int64_t stride,
                                     int64_t dilation = 1);
// Expands `values` (one value, or one per spatial dim) to `rank` entries; `what` names the
// argument in the ValueError raised for any other length or a value below min_value.
std::vector<int64_t> expand_spatial(const std::vector<int64_t>& values,
                                    int rank,
                                    const char* what,
                                    int64_t min_value = 1);

struct ConvOptions {
  std::vector<int64_t> strides = {1};  // one value for every spatial dim, or one per dim
  std::string padding = "valid";       // "valid", "same", or "causal" (1-D only)
  std::string data_format = "channels_last";
  std::vector<int64_t> dilation_rate = {1};
};

// N-d convolution (no bias). dinputs = conv_backward_data, dkernel = conv_backward_weights.
Tensor conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& options = {});
// Each input channel convolved with its own depth_multiplier filters (a conv with groups = C).
Tensor depthwise_conv(const Tensor& inputs, const Tensor& kernel, const ConvOptions& options = {});
// depthwise_conv, then a 1x1 conv with pointwise_kernel (1..., C * depth_multiplier, F).
Tensor separable_conv(const Tensor& inputs,
                      const Tensor& depthwise_kernel,
                      const Tensor& pointwise_kernel,
                      const ConvOptions& options = {});

struct ConvTransposeOptions {
  std::vector<int64_t> strides = {1};
  std::string padding = "valid";                                      // "valid" or "same"
  std::optional<std::vector<int64_t>> output_padding = std::nullopt;  // each < stride
  std::string data_format = "channels_last";
  std::vector<int64_t> dilation_rate = {1};
};

// The gradient of conv with respect to its input, as a layer (Keras's conv_transpose).
Tensor conv_transpose(const Tensor& inputs,
                      const Tensor& kernel,
                      const ConvTransposeOptions& options = {});

struct PoolOptions {
  std::vector<int64_t> strides = {};  // empty: pool_size
  std::string padding = "valid";      // "valid" or "same"
  std::string data_format = "channels_last";
};

// A window may span at most 2^24 elements (ValueError beyond).
// Max over each window (padding never wins; a NaN in a window makes it NaN, as in Keras); the
// gradient goes to the first maximum.
Tensor max_pool(const Tensor& inputs,
                const std::vector<int64_t>& pool_size,
                const PoolOptions& options = {});
// Mean over each window's in-bounds elements ("same" padding is not counted).
Tensor average_pool(const Tensor& inputs,
                    const std::vector<int64_t>& pool_size,
                    const PoolOptions& options = {});

}  // namespace keras::ops
