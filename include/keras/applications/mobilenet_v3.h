// MobileNetV3Small and MobileNetV3Large (keras.applications.MobileNetV3Small / Large): Keras 3's
// architecture, layer names and weights.
//
//   keras::Model m = keras::applications::MobileNetV3Small({.weights = std::nullopt});
//   keras::Model features = keras::applications::MobileNetV3Large(
//       {.input_shape = {{160, 160, 3}}, .alpha = 0.75, .include_top = false, .pooling = "avg"});
//
// Images are pixels in [0, 255], channels_last: with include_preprocessing (the default) the
// model starts with Rescaling(1/127.5, offset -1). Conv2D(16, 3, stride 2, same) "conv" +
// BatchNormalization(epsilon 1e-3, momentum 0.999) "conv_bn" + the activation (hard_swish:
// Activation("hard_swish"); minimalistic: ReLU, 3x3 kernels and no squeeze-and-excitation);
// inverted residual blocks "expanded_conv_" then "expanded_conv_<i>_" (11 in Small, 15 in Large:
// 1x1 expansion Conv2D "expand" + "expand_bn" but in the first, ZeroPadding2D "depthwise_pad"
// before strided ones, DepthwiseConv2D "depthwise" + "depthwise_bn", squeeze-and-excitation
// GlobalAveragePooling2D(keepdims) "squeeze_excite_avg_pool", Conv2D "squeeze_excite_conv", ReLU
// "squeeze_excite_relu", Conv2D "squeeze_excite_conv_1", the hard sigmoid ReLU(6)(x + 3) * (1/6)
// as Keras's ops, Multiply "squeeze_excite_mul"; 1x1 Conv2D "project" + "project_bn"; Add "add"
// where shapes allow); Conv2D(6 x the last block's filters) "conv_1" + "conv_1_bn" + activation.
// With the top: GlobalAveragePooling2D(keepdims), Conv2D(1024 Small, 1280 Large; times alpha
// above 1) "conv_2" + activation, Dropout(dropout_rate) when positive, Conv2D(classes) "logits",
// Flatten and Activation(classifier_activation) "predictions". Keras's weight counts (alpha 1):
// Small 2,554,968 with the top, 939,120 without; Large 5,507,432 and 2,996,352.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct MobileNetV3Options {
  // (rows, cols, channels); rows and cols at least 32 or None. Default (None, None, 3), with or
  // without the top (the classifier is 1x1 convolutions after global pooling).
  OptionalDims input_shape = std::nullopt;
  // Width multiplier: every block's filters scaled by alpha (rounded to multiples of 8); above 1
  // the top's conv_2 too.
  double alpha = 1.0;
  // ReLU, 3x3 kernels and no squeeze-and-excitation (instead of hard_swish, 5x5 and SE).
  bool minimalistic = false;
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  int64_t classes = 1000;  // with the top
  // Without the top: std::nullopt (the 4D output of the last activation), "avg" (GlobalAverage
  // Pooling2D "avg_pool") or "max" (GlobalMaxPooling2D "max_pool").
  std::optional<std::string> pooling = std::nullopt;
  double dropout_rate = 0.2;                               // before "logits"; 0: no Dropout
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  bool include_preprocessing = true;                       // the Rescaling to [-1, 1]
  // Default (Keras's): "MobileNetV3Small" / "MobileNetV3Large".
  std::optional<std::string> name = std::nullopt;
};

// Build the models. Throw ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32 (also an input_tensor's), an
// input_shape whose cols differ from input_tensor's, a pooling other than "avg" or
// "max", or classes < 1.
Model MobileNetV3Small(const MobileNetV3Options& options = {});
Model MobileNetV3Large(const MobileNetV3Options& options = {});

}  // namespace keras::applications
