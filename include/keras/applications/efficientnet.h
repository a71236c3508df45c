// EfficientNetB0..B7 (keras.applications.EfficientNetB0 .. B7): Keras 3's architecture, layer
// names and weights.
//
//   keras::Model b0 = keras::applications::EfficientNetB0({.weights = std::nullopt});
//   keras::Model b3 = keras::applications::EfficientNetB3({.include_top = false, .pooling =
//   "avg"});
//
// Images are pixels in [0, 255], channels_last: the model starts with Rescaling(1/255) and a
// Normalization(axis=3) whose mean and variance are weights (Keras's adapted statistics: zeros
// and ones until set or loaded; Keras's imagenet weights hold ImageNet's). Then ZeroPadding2D
// "stem_conv_pad", Conv2D(32, 3, stride 2) "stem_conv" + "stem_bn" + swish "stem_activation";
// MBConv blocks "block1a_" .. "block7<x>_" (expansion Conv2D "expand_conv" + "expand_bn" +
// "expand_activation" when the ratio is not 1, DepthwiseConv2D "dwconv" (after ZeroPadding2D
// "dwconv_pad" when strided) + "bn" + "activation", squeeze-and-excitation ("se_squeeze",
// "se_reshape", "se_reduce", "se_expand", Multiply "se_excite"), Conv2D "project_conv" +
// "project_bn", and, where shapes allow, Dropout "drop" (drop-connect, noise shape
// (None, 1, 1, 1)) + Add "add"); Conv2D(1280) "top_conv" + "top_bn" + swish "top_activation".
// The variants scale B0's filters by a width coefficient (rounded to multiples of 8, never 10%
// down) and its blocks' repeats by a depth coefficient (rounded up), as Keras's round_filters and
// round_repeats:
//   variant  width depth size dropout  weights with the top / without (Keras's counts)
//   B0       1.0   1.0   224  0.2       5,330,571 /  4,049,571
//   B1       1.0   1.1   240  0.2       7,856,239 /  6,575,239
//   B2       1.1   1.2   260  0.3       9,177,569 /  7,768,569
//   B3       1.2   1.4   300  0.3      12,320,535 / 10,783,535
//   B4       1.4   1.8   380  0.4      19,466,823 / 17,673,823
//   B5       1.6   2.2   456  0.4      30,562,527 / 28,513,527
//   B6       1.8   2.6   528  0.5      43,265,143 / 40,960,143
//   B7       2.0   3.1   600  0.5      66,658,687 / 64,097,687
// (size: the default input size with the top; dropout: Dropout "top_dropout" before the Dense
// "predictions", after GlobalAveragePooling2D "avg_pool"). Convolutions have Keras's
// VarianceScaling(2, fan_out, truncated normal) initializer, the classifier VarianceScaling(1/3,
// fan_out, uniform). B0 has 42,023 non-trainable weights (moving statistics and the
// Normalization's mean, variance and count).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct EfficientNetOptions {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of top_activation), "avg" (GlobalAveragePooling2D
  // "avg_pool") or "max" (GlobalMaxPooling2D "max_pool").
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  // Default (Keras's): "efficientnetb0" .. "efficientnetb7".
  std::optional<std::string> name = std::nullopt;
};

// Build the models. Throw ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model EfficientNetB0(const EfficientNetOptions& options = {});
Model EfficientNetB1(const EfficientNetOptions& options = {});
Model EfficientNetB2(const EfficientNetOptions& options = {});
Model EfficientNetB3(const EfficientNetOptions& options = {});
Model EfficientNetB4(const EfficientNetOptions& options = {});
Model EfficientNetB5(const EfficientNetOptions& options = {});
Model EfficientNetB6(const EfficientNetOptions& options = {});
Model EfficientNetB7(const EfficientNetOptions& options = {});

}  // namespace keras::applications
