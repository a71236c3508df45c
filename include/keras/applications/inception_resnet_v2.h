// InceptionResNetV2 (keras.applications.InceptionResNetV2): Keras 3's architecture, layer names
// and weights.
//
//   keras::Model irv2 = keras::applications::InceptionResNetV2({.weights = std::nullopt});
//   keras::Model features = keras::applications::InceptionResNetV2(
//       {.include_top = false, .input_shape = {{96, 96, 3}}, .pooling = "avg"});  // (None, 1536)
//
// Keras's conv2d_bn: Conv2D without bias + BatchNormalization(scale=False) + relu Activation,
// with Keras's automatic names ("conv2d_7", "batch_normalization_7", "activation_7") but for the
// last one, "conv_7b" / "conv_7b_bn" / "conv_7b_ac". Stem as InceptionV3's (3x3 convolutions 32
// (stride 2), 32, 64, MaxPooling2D(3, stride 2), 1x1 80, 3x3 192, MaxPooling2D(3, stride 2)),
// Concatenate "mixed_5b" of four branches; 10 "block35_<i>" (scale 0.17), reduction "mixed_6a",
// 20 "block17_<i>" (scale 0.1), reduction "mixed_7a", 10 "block8_<i>" (scale 0.2, the last 1.0
// and without its activation). Each block concatenates its branches ("_mixed"), projects them
// with a 1x1 Conv2D with bias "_conv" back to the input's channels, adds them to the input scaled
// (CustomScaleLayer, automatically named "custom_scale_layer") and applies relu "_ac". Then
// conv2d_bn(1536, 1) "conv_7b". 54,336,736 weights without the top (60,544 of them moving
// statistics), 55,873,736 with it (GlobalAveragePooling2D "avg_pool" + Dense "predictions").
// Without the top, pooling "avg" / "max" are automatically named. Images are channels_last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct InceptionResNetV2Options {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 75 or None. Default (299, 299, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of conv_7b_ac), "avg" or "max" global pooling.
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  std::string name = "inception_resnet_v2";
};

// Builds the model. Throws ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 75, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model InceptionResNetV2(const InceptionResNetV2Options& options = {});

}  // namespace keras::applications
