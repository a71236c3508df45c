// MobileNet (keras.applications.MobileNet, v1): Keras 3's architecture, layer names and weights.
//
//   keras::Model m = keras::applications::MobileNet({.weights = std::nullopt});
//   keras::Model small = keras::applications::MobileNet(
//       {.input_shape = {{128, 128, 3}}, .alpha = 0.5, .include_top = false, .pooling = "avg"});
//
// Conv2D(32 * alpha, 3, stride 2, same, no bias) "conv1" + BatchNormalization "conv1_bn" +
// ReLU(6) "conv1_relu"; 13 depthwise separable blocks "conv_dw_<i>" / "conv_pw_<i>" (i = 1..13):
// ZeroPadding2D ((0, 1), (0, 1)) "conv_pad_<i>" before the strided ones (2, 4, 6, 12),
// DepthwiseConv2D(3, depth_multiplier) "conv_dw_<i>" + "_bn" + ReLU(6) "_relu", 1x1 Conv2D
// (64, 128, 128, 256, 256, 512 x 6, 1024, 1024 filters, each times alpha, truncated) "conv_pw_<i>"
// + "_bn" + "_relu"; no biases, BatchNormalization with Keras's defaults (momentum 0.99, epsilon
// 1e-3). The top: GlobalAveragePooling2D(keepdims) (automatic name), Dropout(dropout) "dropout",
// Conv2D(classes, 1, same, with bias) "conv_preds", Reshape((classes,)) "reshape_2", Activation
// (classifier_activation) "predictions". With alpha = 1: 3,228,864 weights without the top
// (21,888 of them moving statistics), 4,253,864 with it. Without the top, pooling "avg" / "max"
// are automatically named. Images are channels_last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct MobileNetOptions {
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Width multiplier: every layer's filters times alpha, truncated (at least 1/32, so that every
  // layer keeps a filter).
  double alpha = 1.0;
  // Resolution multiplier of the depthwise convolutions: channels out = channels in * it (>= 1).
  int64_t depth_multiplier = 1;
  double dropout = 1e-3;  // rate of the top's Dropout
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // Without the top: std::nullopt (the 4D output of conv_pw_13_relu), "avg" or "max".
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  // Default (Keras's): "mobilenet_<alpha with 2 decimals>_<rows>", e.g. "mobilenet_1.00_224"
  // ("..._None" when rows are unknown).
  std::optional<std::string> name = std::nullopt;
};

// Builds the model. Throws ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1; and, as Keras's
// layers do, for an alpha that leaves a layer no filters (alpha < 1/32, "Invalid value for
// argument `filters`"), depth_multiplier < 1 and, with the top, a dropout outside [0, 1].
Model MobileNet(const MobileNetOptions& options = {});

}  // namespace keras::applications
