// LocallyConnected1D and LocallyConnected2D (Keras 2's keras.layers.LocallyConnected1D/2D; Keras 3
// dropped them): a convolution whose weights are not shared, each output position with its own
// filters over its own window of the input.
//
//   auto x = keras::Input({10, 32});
//   auto y = layers::LocallyConnected1D(64, 3)(x);                       // (None, 8, 64)
//   auto z = layers::LocallyConnected2D(8, {3, 3}, {.padding = "same",   // (None, 5, 5, 8)
//                                                   .implementation = 2})(keras::Input({5, 5, 2}));
//
// Inputs are (batch, spatial..., channels) with data_format "channels_last" (the default) or
// (batch, channels, spatial...) with "channels_first"; every spatial size and the channels must be
// known when the layer is built (ValueError otherwise, as Keras). Output lengths are Keras's
// convolution lengths: valid ceil((in - k + 1) / s), same ceil(in / s); an output length of 0 or
// less is Keras's ValueError "One of the dimensions in the output is <= 0 ...". Padding "same"
// takes, as tf_keras, the window [p * s - k / 2, p * s - k / 2 + k) clipped to the input.
//
// `implementation` chooses how the kernel is stored, as tf_keras stores it, so that its files load
// and save as they are (C input channels, P output positions, W = prod(kernel_size)):
//   1  kernel (P, W * C, filters), each position's window flattened in the input's order
//      ((k..., C) channels last, (C, k...) channels first); padding "valid" only (Keras's
//      ValueError "Invalid border mode ... only "valid" is supported if implementation is 1")
//   2  kernel (in..., C, out..., filters) channels last or (C, in..., filters, out...) channels
//      first: a dense map from every input to every output whose entries outside the windows are
//      ignored (they get no gradient)
//   3  kernel (number of connections,): the connections (output index, input index) of the
//      flattened output and input, in ascending order
// bias (out..., filters); channels first adds it reshaped (not transposed) to (filters, out...),
// as tf_keras's bias_add does. All three compute the same products; a ValueError names another
// implementation or padding at construction.
#pragma once

#include <cstdint>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/layer.h"

namespace keras::layers {

// Options of LocallyConnected1D/2D, in tf_keras's argument order.
struct LocallyConnectedOptions {
  IntOrTuple strides = 1;
  std::string padding = "valid";  // "valid", or "same" with implementation 2 or 3
  std::string data_format = "channels_last";
  ActivationFn activation = "linear";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint bias_constraint = {};
  int implementation = 1;  // 1, 2 or 3 (the kernel's layout, above)
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

class LocallyConnectedImpl final : public Layer {
 public:
  LocallyConnectedImpl(int rank,
                       int64_t filters,
                       const IntOrTuple& kernel_size,
                       LocallyConnectedOptions options);
  std::string class_name() const override;
  bool batch_independent() const override { return true; }
  Json get_config() const override;
  template <int rank>
  static std::shared_ptr<Layer> from_config(const Json& config);
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

  const Variable& kernel() const { return kernel_; }
  const Variable& bias() const { return bias_; }

 private:
  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_;
  LocallyConnectedOptions options_;
  Variable kernel_, bias_;
  // Made by build: for each output position and window slot, the flat input index (the input's
  // size for a slot outside the input, which reads an appended zero); for implementations 2 and
  // 3, the flat kernel index of each (position, slot, filter) (the kernel's size: a zero).
  Tensor window_index_, kernel_index_;
  Shape output_spatial_;
  int64_t window_values_ = 0;  // W * C
};

class LocallyConnected1D : public LayerHandle<LocallyConnectedImpl> {
 public:
  LocallyConnected1D(int64_t filters, IntOrTuple kernel_size, LocallyConnectedOptions options = {})
      : LayerHandle(
            std::make_shared<LocallyConnectedImpl>(1, filters, kernel_size, std::move(options))) {}
};

class LocallyConnected2D : public LayerHandle<LocallyConnectedImpl> {
 public:
  LocallyConnected2D(int64_t filters, IntOrTuple kernel_size, LocallyConnectedOptions options = {})
      : LayerHandle(
            std::make_shared<LocallyConnectedImpl>(2, filters, kernel_size, std::move(options))) {}
};

}  // namespace keras::layers
