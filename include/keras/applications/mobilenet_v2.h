// MobileNetV2 (keras.applications.MobileNetV2): Keras 3's architecture, layer names and weights.
//
//   keras::Model m = keras::applications::MobileNetV2({.weights = std::nullopt});
//   keras::Model small = keras::applications::MobileNetV2(
//       {.input_shape = {{96, 96, 3}}, .alpha = 0.35, .include_top = false, .pooling = "avg"});
//
// Conv2D(32 * alpha, 3, stride 2, same) "Conv1" + BatchNormalization "bn_Conv1" + ReLU(6)
// "Conv1_relu"; 17 inverted residual blocks ("expanded_conv_" then "block_1_" .. "block_16_":
// 1x1 expansion Conv2D "expand" (6x, not in the first block), ZeroPadding2D "pad" before strided
// blocks, DepthwiseConv2D(3) "depthwise", 1x1 projection Conv2D "project", each convolution
// without bias and followed by BatchNormalization(epsilon 1e-3, momentum 0.999) "<conv>_BN" and,
// but for the projection, ReLU(6) "<conv>_relu"; Add "add" where shapes allow); Conv2D(1280)
// "Conv_1"
// + "Conv_1_bn" + ReLU(6) "out_relu". With alpha = 1: 2,257,984 weights without the top (34,112
// of them moving statistics), 3,538,984 with it (GlobalAveragePooling2D + Dense "predictions").
// Images are channels_last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct MobileNetV2Options {
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Width multiplier: every block's filters scaled by alpha (rounded to multiples of 8); the last
  // convolution has 1280 filters for alpha <= 1, 1280 * alpha (rounded) above.
  double alpha = 1.0;
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // Without the top: std::nullopt (the 4D output of out_relu), "avg" or "max" global pooling.
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  // Default (Keras's): "mobilenetv2_<alpha with 2 decimals>_<rows>", e.g. "mobilenetv2_1.00_224"
  // ("..._None" when rows are unknown).
  std::optional<std::string> name = std::nullopt;
};

// Builds the model. Throws ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, alpha <= 0, a pooling other than "avg" or "max", or classes < 1.
Model MobileNetV2(const MobileNetV2Options& options = {});

}  // namespace keras::applications
