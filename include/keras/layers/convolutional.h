// Convolution layers (keras.layers.Conv1D/2D/3D, SeparableConv1D/2D, DepthwiseConv2D,
// Conv2DTranspose), with Keras's weights, defaults and output shapes.
//
//   auto x = keras::Input({28, 28, 1});
//   auto y = layers::Conv2D(32, 3, {.padding = "same", .activation = "relu"})(x);  //
//   (None,28,28,32) auto z = layers::Conv2D(6, {2, 2}, {.strides = {2, 1}, .groups = 2})(y);
//
// Inputs are (batch, spatial..., channels) with data_format "channels_last" (the default) or
// (batch, channels, spatial...) with "channels_first"; the output keeps the data_format.
// Spatial output lengths follow Keras (see keras/ops/conv.h): valid floor((in - k') / s) + 1,
// same and causal floor((in - 1) / s) + 1, k' = (k - 1) * dilation + 1. An input too small for
// the kernel raises ValueError ("Computed output size would be negative ...") when the layer is
// called, symbolically or eagerly. Unknown (None) spatial dims stay None.
//
// Weights (Keras names and layouts; C input channels):
//   Conv*D           kernel (k..., C / groups, filters), bias (filters,)
//   SeparableConv*D  depthwise_kernel (k..., C, depth_multiplier),
//                    pointwise_kernel (1..., C * depth_multiplier, filters), bias (filters,)
//   DepthwiseConv2D  kernel (k, k, C, depth_multiplier), bias (C * depth_multiplier,)
//   Conv2DTranspose  kernel (k, k, filters, C), bias (filters,)
#pragma once

#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/activation.h"
#include "keras/layers/layer.h"

namespace keras::layers {

// An int or a tuple, as Keras accepts for kernel_size, strides, dilation_rate and pool_size:
// `3` means 3 along every spatial dimension, `{3, 5}` one value per dimension.
struct IntOrTuple {
  IntOrTuple(int64_t v) : values{v} {}  // NOLINT(google-explicit-constructor)
  IntOrTuple(std::initializer_list<int64_t> v) : values(v) {}
  IntOrTuple(std::vector<int64_t> v) : values(std::move(v)) {}  // NOLINT
  std::vector<int64_t> values;
};

// Options of Conv1D, Conv2D and Conv3D, in Keras's argument order (designated initializers must
// keep it): Conv2D(64, 3, {.padding = "same", .activation = "relu"}).
struct ConvOptions {
  IntOrTuple strides = 1;
  std::string padding = "valid";  // "valid", "same", or "causal" (Conv1D only)
  std::string data_format = "channels_last";
  IntOrTuple dilation_rate = 1;
  int64_t groups = 1;  // C and filters must both be multiples of it
  ActivationFn activation = "linear";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::string name = {};
  OptionalDims input_shape = std::nullopt;  // Keras 2's input_shape=(...)
};

struct SeparableConvOptions {
  IntOrTuple strides = 1;
  std::string padding = "valid";
  std::string data_format = "channels_last";
  IntOrTuple dilation_rate = 1;
  int64_t depth_multiplier = 1;
  ActivationFn activation = "linear";
  bool use_bias = true;
  initializers::Initializer depthwise_initializer = "glorot_uniform";
  initializers::Initializer pointwise_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer depthwise_regularizer = {};
  regularizers::Regularizer pointwise_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint depthwise_constraint = {};
  constraints::Constraint pointwise_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

struct DepthwiseConvOptions {
  IntOrTuple strides = 1;
  std::string padding = "valid";
  int64_t depth_multiplier = 1;
  std::string data_format = "channels_last";
  IntOrTuple dilation_rate = 1;
  ActivationFn activation = "linear";
  bool use_bias = true;
  initializers::Initializer depthwise_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer depthwise_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint depthwise_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

struct ConvTransposeOptions {
  IntOrTuple strides = 1;
  std::string padding = "valid";                            // "valid" or "same"
  std::optional<IntOrTuple> output_padding = std::nullopt;  // each < stride
  std::string data_format = "channels_last";
  IntOrTuple dilation_rate = 1;
  ActivationFn activation = "linear";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::string name = {};
  OptionalDims input_shape = std::nullopt;
};

enum class ConvKind { conv, separable, depthwise, transpose };

// The public options normalized (one value per spatial dim); what ConvImpl is built from.
struct ConvSpec {
  ConvKind kind = ConvKind::conv;
  int rank = 2;
  int64_t filters = 0;  // unused for depthwise
  std::vector<int64_t> kernel_size{}, strides{}, dilation_rate{};
  std::optional<std::vector<int64_t>> output_padding = std::nullopt;
  std::string padding = "valid";
  std::string data_format = "channels_last";
  int64_t groups = 1;
  int64_t depth_multiplier = 1;
  ActivationFn activation = "linear";
  bool use_bias = true;
  initializers::Initializer kernel_initializer = "glorot_uniform";  // depthwise for separable
  initializers::Initializer pointwise_initializer = "glorot_uniform";
  initializers::Initializer bias_initializer = "zeros";
  regularizers::Regularizer kernel_regularizer = {};
  regularizers::Regularizer pointwise_regularizer = {};
  regularizers::Regularizer bias_regularizer = {};
  regularizers::Regularizer activity_regularizer = {};
  constraints::Constraint kernel_constraint = {};  // depthwise for separable
  constraints::Constraint pointwise_constraint = {};
  constraints::Constraint bias_constraint = {};
  std::string class_name = {}, prefix = {}, name = {};
  OptionalDims input_shape = std::nullopt;
};

// One implementation for every convolution layer; the spec's kind picks weights and op.
class ConvImpl final : public Layer {
 public:
  explicit ConvImpl(ConvSpec spec);
  std::string class_name() const override { return spec_.class_name; }
  bool batch_independent() const override { return true; }
  void build(const std::vector<Shape>& input_shapes) override;
  Tensors call(const Tensors& inputs, bool training) override;
  std::vector<Shape> compute_output_shape(const std::vector<Shape>& input_shapes) const override;

  // Saving: Keras 3's config of the layer's class (Conv2D's keys differ from SeparableConv2D's).
  Json get_config() const override;
  // from_config of one class: from_config<ConvKind::conv, 2> is Conv2D's (see the registry).
  template <ConvKind kind, int rank>
  static std::shared_ptr<Layer> from_config(const Json& config);

  const ConvSpec& spec() const { return spec_; }
  // `kernel` for conv and transpose, `depthwise_kernel` for separable and depthwise.
  const Variable& kernel() const { return kernel_; }
  const Variable& pointwise_kernel() const { return pointwise_kernel_; }
  const Variable& bias() const { return bias_; }

 private:
  int channel_axis() const { return spec_.data_format == "channels_first" ? 1 : spec_.rank + 1; }

  ConvSpec spec_;
  Variable kernel_, pointwise_kernel_, bias_;
};

// Conv1D: (batch, steps, C) -> (batch, new_steps, filters); padding may also be "causal".
class Conv1D : public LayerHandle<ConvImpl> {
 public:
  Conv1D(int64_t filters, IntOrTuple kernel_size, ConvOptions options = {});
};
// Conv2D: (batch, rows, cols, C) -> (batch, new_rows, new_cols, filters).
class Conv2D : public LayerHandle<ConvImpl> {
 public:
  Conv2D(int64_t filters, IntOrTuple kernel_size, ConvOptions options = {});
};
// Conv3D: (batch, d1, d2, d3, C) -> (batch, n1, n2, n3, filters).
class Conv3D : public LayerHandle<ConvImpl> {
 public:
  Conv3D(int64_t filters, IntOrTuple kernel_size, ConvOptions options = {});
};
// Depthwise convolution (C * depth_multiplier channels) followed by a 1x1 convolution.
class SeparableConv1D : public LayerHandle<ConvImpl> {
 public:
  SeparableConv1D(int64_t filters, IntOrTuple kernel_size, SeparableConvOptions options = {});
};
class SeparableConv2D : public LayerHandle<ConvImpl> {
 public:
  SeparableConv2D(int64_t filters, IntOrTuple kernel_size, SeparableConvOptions options = {});
};
// Each input channel convolved with depth_multiplier filters of its own.
class DepthwiseConv2D : public LayerHandle<ConvImpl> {
 public:
  explicit DepthwiseConv2D(IntOrTuple kernel_size, DepthwiseConvOptions options = {});
};
// (batch, steps, C) -> (batch, new_steps, C * depth_multiplier).
class DepthwiseConv1D : public LayerHandle<ConvImpl> {
 public:
  explicit DepthwiseConv1D(IntOrTuple kernel_size, DepthwiseConvOptions options = {});
};
// Transposed convolution: the gradient of Conv2D with respect to its input.
class Conv2DTranspose : public LayerHandle<ConvImpl> {
 public:
  Conv2DTranspose(int64_t filters, IntOrTuple kernel_size, ConvTransposeOptions options = {});
};
// Conv2DTranspose over (batch, steps, C) and (batch, d1, d2, d3, C).
class Conv1DTranspose : public LayerHandle<ConvImpl> {
 public:
  Conv1DTranspose(int64_t filters, IntOrTuple kernel_size, ConvTransposeOptions options = {});
};
class Conv3DTranspose : public LayerHandle<ConvImpl> {
 public:
  Conv3DTranspose(int64_t filters, IntOrTuple kernel_size, ConvTransposeOptions options = {});
};

// Keras's other names of the same layers.
using Convolution1D = Conv1D;
using Convolution2D = Conv2D;
using Convolution3D = Conv3D;
using Convolution1DTranspose = Conv1DTranspose;
using Convolution2DTranspose = Conv2DTranspose;
using Convolution3DTranspose = Conv3DTranspose;
using SeparableConvolution1D = SeparableConv1D;
using SeparableConvolution2D = SeparableConv2D;

}  // namespace keras::layers
