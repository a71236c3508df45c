// Neural-network ops (keras.ops.relu, sigmoid, softmax, ...) and the activation registry
// (keras.activations.get). All differentiable.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <string_view>
#include <vector>

#include "keras/core/tensor.h"

namespace keras::ops {

Tensor relu(const Tensor& x);
Tensor relu6(const Tensor& x);
Tensor leaky_relu(const Tensor& x, double negative_slope = 0.2);
Tensor sigmoid(const Tensor& x);
Tensor tanh(const Tensor& x);
Tensor softplus(const Tensor& x);
Tensor softsign(const Tensor& x);
Tensor elu(const Tensor& x, double alpha = 1.0);
Tensor selu(const Tensor& x);
// keras.activations.gelu defaults to the exact (erf) form; keras.ops.gelu to the tanh form.
Tensor gelu(const Tensor& x, bool approximate = true);
Tensor silu(const Tensor& x);
inline Tensor swish(const Tensor& x) {
  return silu(x);
}
// relu6(x + 3) / 6.
Tensor hard_sigmoid(const Tensor& x);
Tensor hard_silu(const Tensor& x);
// softmax / log_softmax along `axis` (fused kernels on the last axis).
Tensor softmax(const Tensor& x, int axis = -1);
Tensor log_softmax(const Tensor& x, int axis = -1);
// log(sigmoid(x)), stable: -softplus(-x).
Tensor log_sigmoid(const Tensor& x);
// keras.ops.normalize: x divided by its `order`-norm along `axis`. Order 2 as Keras computes
// it, x * min(1 / sqrt(sum(x^2)), 1 / epsilon); other orders x / max(norm, epsilon). ValueError
// for order < 1.
Tensor normalize(const Tensor& x, int axis = -1, int order = 2, double epsilon = 1e-7);
// keras.ops.layer_normalization: (x - mean) / sqrt(var + epsilon) * gamma + beta over `axes`
// (as Keras 3 computes it: x * inv + (beta - mean * inv) with inv = gamma / sqrt(var +
// epsilon)); gamma and beta optional (undefined tensors), of the normalized axes' shape or
// broadcastable. rms_scaling (deprecated in Keras): x / sqrt(var + epsilon) * gamma, no beta.
// rms_normalization: x / sqrt(mean(x^2) + epsilon) * scale. Integers compute in float32 and,
// as Keras, the result is cast back to x's dtype.
Tensor layer_normalization(const Tensor& x,
                           const Tensor& gamma = {},
                           const Tensor& beta = {},
                           std::vector<int> axes = {-1},
                           double epsilon = 1e-7,
                           bool rms_scaling = false);
Tensor rms_normalization(const Tensor& x,
                         const Tensor& scale = {},
                         std::vector<int> axes = {-1},
                         double epsilon = 1e-7);

// Connectionist temporal classification loss (keras.ops.ctc_loss): for each sample b, the
// negative log-likelihood of the labels target[b, :target_length[b]] (integers, shape (batch,
// max_label_length)) under the logits output[b, :output_length[b]] (shape (batch, max_time,
// classes)), class mask_index being the blank. Keras 3's log-space forward algorithm (optax's),
// in which impossible paths score -1e5 instead of -inf, so a label sequence that cannot fit
// gives a large finite loss rather than inf. Differentiable in `output`; shape (batch,). Labels
// outside [0, classes) throw IndexError.
Tensor ctc_loss(const Tensor& target,
                const Tensor& output,
                const Tensor& target_length,
                const Tensor& output_length,
                int64_t mask_index = 0);

// Mean and biased variance of x over `axes` (keras.ops.moments; empty = all axes):
// variance = mean((x - mean)²), computed from the centered values. Returns {mean, variance}.
struct Moments {
  Tensor mean;
  Tensor variance;
};
Moments moments(const Tensor& x, std::vector<int> axes, bool keepdims = false);
// keras.ops.batch_normalization: (x - mean) / sqrt(variance + epsilon) * scale + offset along
// `axis`. mean, variance and the optional (undefined = none) offset and scale are vectors of
// size x.shape[axis] (ValueError otherwise). Computed in x's dtype when it is floating, else in
// float32, the other arguments cast to it. One kernel each way (Backend::batch_norm); gradients
// flow to all five.
Tensor batch_normalization(const Tensor& x,
                           const Tensor& mean,
                           const Tensor& variance,
                           int axis,
                           const Tensor& offset = {},
                           const Tensor& scale = {},
                           double epsilon = 1e-3);

// Batch normalization with the batch's own statistics, fused: mean and biased variance of x over
// every axis but `axis`, as moments gives them (NaN for an empty batch), and y =
// batch_normalization(x, mean, variance, axis, offset, scale, epsilon), in one kernel per direction
// instead of a dozen passes. Gradients flow from y, mean and variance to x, offset and scale.
// Arguments and errors as batch_normalization's.
struct FusedBatchNormalization {
  Tensor y;
  Tensor mean;      // (C,)
  Tensor variance;  // (C,)
};
FusedBatchNormalization fused_batch_normalization(const Tensor& x,
                                                  int axis,
                                                  const Tensor& offset = {},
                                                  const Tensor& scale = {},
                                                  double epsilon = 1e-3);

// keras.ops.depth_to_space (pixel shuffle) of a 4-D x: (N, H, W, C) -> (N, H b, W b, C / b^2)
// for "channels_last", (N, C, H, W) -> (N, C / b^2, H b, W b) for "channels_first", the channels
// of each input pixel laid out as a b x b block (row, column, then channel, as Keras's backends
// order them). space_to_depth is its inverse (H and W multiples of b). ValueError for another
// rank, a block_size < 1, channels not a multiple of b^2 or sides not multiples of b.
Tensor depth_to_space(const Tensor& x,
                      int64_t block_size,
                      const std::string& data_format = "channels_last");
Tensor space_to_depth(const Tensor& x,
                      int64_t block_size,
                      const std::string& data_format = "channels_last");
// keras.ops.multi_hot: the one-hot encodings of the integer ids in x (cast to int32) merged by
// max over axis 1 (axis 0 for a 1-D x), the classes' axis placed at `axis` of the one-hot
// encoding: (batch, ids) -> (batch, num_classes) by default. Ids outside [0, num_classes) set
// nothing.
Tensor multi_hot(const Tensor& x, int64_t num_classes, int axis = -1, DType dtype = float32);

// keras.ops.adaptive_average_pool / adaptive_max_pool: x (batch, spatial..., C) (channels_first:
// (batch, C, spatial...)), 1 to 3 spatial axes, pooled to output_size (one value for every axis,
// or one per axis): output k of an axis of length L pools [floor(k L / n), ceil((k + 1) L / n)),
// PyTorch's and Keras's windows (uneven, overlapping, or repeating an entry when n > L).
// Differentiable. ValueError for an output size < 1, a count that is not the spatial rank, an
// empty spatial axis or another data_format.
Tensor adaptive_average_pool(const Tensor& x,
                             const std::vector<int64_t>& output_size,
                             const std::string& data_format = "channels_last");
Tensor adaptive_max_pool(const Tensor& x,
                         const std::vector<int64_t>& output_size,
                         const std::string& data_format = "channels_last");

// keras.ops.binary_crossentropy: elementwise -(t log p + (1 - t) log(1 - p)), p clipped to
// [1e-7, 1 - 1e-7]; from_logits: the same through log_sigmoid. ValueError (Keras's words) for
// shapes that differ.
Tensor binary_crossentropy(const Tensor& target, const Tensor& output, bool from_logits = false);
// keras.ops.categorical_crossentropy: -sum(t log p) along `axis`, p the output renormalized
// along it and clipped to [1e-7, 1 - 1e-7], or log_softmax of logits. ValueError for shapes that
// differ or a scalar.
Tensor categorical_crossentropy(const Tensor& target,
                                const Tensor& output,
                                bool from_logits = false,
                                int axis = -1);
// keras.ops.sparse_categorical_crossentropy: the same with integer targets, the output's shape
// without `axis` (a trailing 1 in the target is dropped). ValueError (Keras's words) otherwise.
Tensor sparse_categorical_crossentropy(const Tensor& target,
                                       const Tensor& output,
                                       bool from_logits = false,
                                       int axis = -1);
// keras.ops.psnr: 20 log10(max_val) - 10 log10(mean((x1 - x2)^2)) over every element (a
// scalar). ValueError (Keras's words) for shapes that differ.
Tensor psnr(const Tensor& x1, const Tensor& x2, double max_val);

// keras.ops.unfold (PyTorch's): the kernel_size blocks of a 4-D x (N, C, H, W), zero-padded by
// `padding` on both sides of H and W, every `stride` with the dilation, as columns:
// (N, C * kh * kw, L), L = out_h * out_w, each column's entries in (channel, row, column) order.
// Each of kernel_size, dilation, padding and stride holds 1 value (both axes) or 2. Exact and
// differentiable (gathers). ValueError for another rank, values out of range or no block.
struct UnfoldOptions {
  std::vector<int64_t> dilation = {1};
  std::vector<int64_t> padding = {0};
  std::vector<int64_t> stride = {1};
};
Tensor unfold(const Tensor& x,
              const std::vector<int64_t>& kernel_size,
              const UnfoldOptions& options = {});
// keras.ops.fold: unfold's adjoint (col2im): the columns (N, C * kh * kw, L) summed back into
// (N, C, output_size[0], output_size[1]), overlapping entries added. ValueError when the
// channels are not a multiple of kh * kw or L is not the number of blocks output_size gives.
Tensor fold(const Tensor& x,
            const std::vector<int64_t>& output_size,
            const std::vector<int64_t>& kernel_size,
            const UnfoldOptions& options = {});

}  // namespace keras::ops

namespace keras::activations {

using Activation = std::function<Tensor(const Tensor&)>;

// Keras 3 activations by name (keras.activations.get), with their default arguments: linear,
// relu, relu6, leaky_relu, sigmoid, tanh, softmax, log_softmax, elu, selu, softplus, softsign,
// swish, silu, gelu (exact), hard_sigmoid, hard_silu, hard_swish, exponential, and those of
// keras/ops/activations.h. Empty string or "linear" is the identity. Throws ValueError for
// unknown names with Keras's wording ("Could not interpret activation function identifier: ...").
Activation get(std::string_view name);
// Throws ValueError unless get(name) would succeed.
void validate(std::string_view name);

}  // namespace keras::activations
