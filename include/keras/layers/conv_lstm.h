// Convolutional LSTM layers: ConvLSTM1D, ConvLSTM2D and ConvLSTM3D (keras.layers), an LSTM whose
// input and recurrent transformations are convolutions, with Keras 3's weights and math.
//
//   auto frames = keras::Input({std::nullopt, 40, 40, 1});            // (batch, time, rows, cols,
//   C) auto y = layers::ConvLSTM2D(16, 3, {.padding = "same", .return_sequences = true})(frames);
//
// Input (batch, time, spatial..., C) with data_format "channels_last" (the default) or
// (batch, time, C, spatial...) with "channels_first"; the spatial dims and C must be known when
// the layer is built (ValueError otherwise, as in Keras), the time dim may be None. A step's
// output and both states have the shape of the input convolution's output: (batch, spatial'...,
// filters), spatial' by Conv*D's rules (keras/ops/conv.h) for kernel_size, strides, padding
// ("valid" or "same") and dilation_rate. Output (batch, spatial'..., filters), or (batch, time,
// spatial'..., filters) with return_sequences; return_state adds the final h and c
// (`call_multi`). Initial states may be passed as extra inputs, `conv_lstm({x, h0, c0})`.
//
// Weights (Keras 3 names and layouts, gates i, f, c, o in that order along the last axis):
//   kernel (k..., C, 4 * filters), recurrent_kernel (k..., filters, 4 * filters),
//   bias (4 * filters,) (the forget gate's slice starts at 1 with unit_forget_bias).
// Per step: z = conv(x_t, kernel) + bias + conv_same(h, recurrent_kernel) (stride 1);
//   i, f, o = rec(z_i), rec(z_f), rec(z_o);  c = f*c + i*act(z_c);  h = o*act(c).
// dropout / recurrent_dropout (training only) multiply the step inputs / h by one mask per gate,
// drawn once per call (Keras's four masks). Masking, go_backwards and stateful behave as in
// LSTM (keras/layers/recurrent.h). Saved as Keras 3 saves them: weights under "cell/vars".
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/activation.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/layer.h"
#include "keras/layers/recurrent.h"

namespace keras::layers {

// Keras's argument order after filters and kernel_size (designated initializers keep it).
struct ConvLSTMOptions {
  IntOrTuple strides = 1;
  std::string padding = "valid";  // "valid" or "same"
  std::string data_format = "channels_last";
  IntOrTuple dilation_rate = 1;
  ActivationFn activation = "tanh";
  ActivationFn recurrent_activation = "sigmoid";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer recurrent_initializer = "orthogonal";
  initializers::Initializer bias_initializer = "zeros";
  bool unit_forget_bias = true;
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer recurrent_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint recurrent_constraint = {};
  constraints::Constraint bias_constraint = {};
  double dropout = 0.0;
  double recurrent_dropout = 0.0;
  std::optional<uint64_t> seed = std::nullopt;
  bool return_sequences = false;
  bool return_state = false;
  bool go_backwards = false;
  bool stateful = false;              // needs a fixed batch size, as LSTM's
  bool unroll = false;                // accepted; the loop is always unrolled over the timesteps
  bool zero_output_for_mask = false;  // masked steps output zeros, not the previous output
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // (time, spatial..., C)
};

class ConvLSTMImpl final : public RecurrentLayer {
 public:
  // rank: 1, 2 or 3 spatial dims. ValueError for strides > 1 with dilation_rate > 1, a padding
  // other than "valid" or "same", or a filters count below 1.
  ConvLSTMImpl(int rank, int64_t filters, const IntOrTuple& kernel_size, ConvLSTMOptions options);
  std::string class_name() const override;
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;
  bool batch_independent() const override { return !options_.stateful; }
  // Keras's supports_masking (its compute_mask below decides the output masks).
  bool supports_masking() const override { return true; }
  Tensors compute_mask(const Tensors& inputs,
                       const Tensors& masks,
                       const Tensors& outputs) const override;
  bool takes_mask_argument() const override { return true; }
  bool return_sequences() const override { return options_.return_sequences; }
  bool return_state() const override { return options_.return_state; }
  bool go_backwards() const override { return options_.go_backwards; }
  bool stateful() const override { return options_.stateful; }
  int sequence_ndim() const override { return rank_ + 3; }
  // h and c, each (batch, spatial..., filters) (filters first with channels_first).
  std::vector<InputSpec> state_specs() const override;
  void set_zero_output_for_mask(bool zero) override { options_.zero_output_for_mask = zero; }
  // The same layer from its config with go_backwards flipped (Bidirectional's backward half).
  std::shared_ptr<RecurrentLayer> reversed_copy(const std::string& name) const override;
  // Its steps are convolutions: predict may split its batches.
  bool steps_through_time() const override { return false; }
  Json get_config() const override;
  template <int rank>
  static std::shared_ptr<Layer> from_config(const Json& config);
  std::vector<VariableGroup> saved_variables() const override;
  Json get_build_config() const override;
  std::vector<Generator*> seed_generators() override {
    return generator_ ? std::vector<Generator*>{&*generator_} : std::vector<Generator*>{};
  }

  int rank() const { return rank_; }
  int64_t filters() const { return filters_; }
  const std::vector<int64_t>& kernel_size() const { return kernel_size_; }
  const ConvLSTMOptions& options() const { return options_; }
  // A stateful layer's states back to zeros; its current states (empty when not stateful).
  void reset_state() override;
  const Tensors& states() const { return states_; }
  const Variable& kernel() const { return kernel_; }
  const Variable& recurrent_kernel() const { return recurrent_kernel_; }
  const Variable& bias() const { return bias_; }

 private:
  // The shape of one step's output and states for an input of shape `in` (with the time axis).
  Shape state_shape(const Shape& in) const;
  int channel_axis_of_step() const;  // in a step's (batch, ...) tensor

  int rank_;
  int64_t filters_;
  std::vector<int64_t> kernel_size_, strides_, dilation_rate_;
  ConvLSTMOptions options_;
  Variable kernel_, recurrent_kernel_, bias_;
  std::optional<Generator> generator_;
  Tensors states_;  // stateful: h and c, written by each call
};

class ConvLSTM1D : public LayerHandle<ConvLSTMImpl> {
 public:
  ConvLSTM1D(int64_t filters, const IntOrTuple& kernel_size, ConvLSTMOptions options = {})
      : LayerHandle(std::make_shared<ConvLSTMImpl>(1, filters, kernel_size, std::move(options))) {}
};
class ConvLSTM2D : public LayerHandle<ConvLSTMImpl> {
 public:
  ConvLSTM2D(int64_t filters, const IntOrTuple& kernel_size, ConvLSTMOptions options = {})
      : LayerHandle(std::make_shared<ConvLSTMImpl>(2, filters, kernel_size, std::move(options))) {}
};
class ConvLSTM3D : public LayerHandle<ConvLSTMImpl> {
 public:
  ConvLSTM3D(int64_t filters, const IntOrTuple& kernel_size, ConvLSTMOptions options = {})
      : LayerHandle(std::make_shared<ConvLSTMImpl>(3, filters, kernel_size, std::move(options))) {}
};

}  // namespace keras::layers
