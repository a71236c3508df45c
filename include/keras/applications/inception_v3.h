// InceptionV3 (keras.applications.InceptionV3): Keras 3's architecture, layer names and weights.
//
//   keras::Model inception = keras::applications::InceptionV3({.weights = std::nullopt});
//   keras::Model features = keras::applications::InceptionV3(
//       {.include_top = false, .input_shape = {{96, 96, 3}}, .pooling = "avg"});  // (None, 2048)
//
// Every convolution is Keras's conv2d_bn: Conv2D without bias + BatchNormalization(scale=False)
// + relu Activation, all three with Keras's automatic names ("conv2d_7", "batch_normalization_7",
// "activation_7"). Stem: 3x3 convolutions 32 (stride 2, valid), 32 (valid), 64, MaxPooling2D(3,
// stride 2), 1x1 80 and 3x3 192 (valid), MaxPooling2D(3, stride 2); then Inception modules whose
// branches meet in Concatenate "mixed0" .. "mixed10" (mixed0-2: 35x35 with 1x1, 5x5, double 3x3
// and AveragePooling2D(3, same) branches; mixed3: strided reduction; mixed4-7: factorized 7x7
// (1x7 / 7x1) branches; mixed8: strided reduction; mixed9, mixed10: expanded 1x3 / 3x1 branches
// concatenated in "mixed9_0"/"mixed9_1" and an automatically named Concatenate). 21,802,784
// weights without the top (34,432 of them moving statistics), 23,851,784 with it
// (GlobalAveragePooling2D "avg_pool" + Dense "predictions"). Without the top, pooling "avg" /
// "max" are automatically named. Images are channels_last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct InceptionV3Options {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 75 or None. Default (299, 299, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of mixed10), "avg" or "max" global pooling.
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  std::string name = "inception_v3";
};

// Builds the model. Throws ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 75, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model InceptionV3(const InceptionV3Options& options = {});

}  // namespace keras::applications
