// EfficientNetB0 (keras.applications.EfficientNetB0): Keras 3's architecture, layer names and
// weights.
//
//   keras::Model b0 = keras::applications::EfficientNetB0({.weights = std::nullopt});
//
// Images are pixels in [0, 255], channels_last: the model starts with Rescaling(1/255) and a
// Normalization(axis=3) whose mean and variance are weights (Keras's adapted statistics: zeros
// and ones until set or loaded; Keras's imagenet weights hold ImageNet's). Then ZeroPadding2D
// "stem_conv_pad", Conv2D(32, 3, stride 2) "stem_conv" + "stem_bn" + swish "stem_activation";
// 16 MBConv blocks "block1a_" .. "block7a_" (expansion Conv2D "expand_conv" + "expand_bn" +
// "expand_activation" when the ratio is not 1, DepthwiseConv2D "dwconv" (after ZeroPadding2D
// "dwconv_pad" when strided) + "bn" + "activation", squeeze-and-excitation ("se_squeeze",
// "se_reshape", "se_reduce", "se_expand", Multiply "se_excite"), Conv2D "project_conv" +
// "project_bn", and, where shapes allow, Dropout "drop" (drop-connect, noise shape
// (None, 1, 1, 1)) + Add "add"); Conv2D(1280) "top_conv" + "top_bn" + swish "top_activation".
// Convolutions have Keras's VarianceScaling(2, fan_out, truncated normal) initializer, the
// classifier VarianceScaling(1/3, fan_out, uniform). 4,049,571 weights without the top,
// 5,330,571 with it (GlobalAveragePooling2D "avg_pool", Dropout(0.2) "top_dropout", Dense
// "predictions"); 42,023 of them non-trainable (moving statistics and the Normalization's
// mean, variance and count).
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
  std::string name = "efficientnetb0";
};

// Builds the model. Throws ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model EfficientNetB0(const EfficientNetOptions& options = {});

}  // namespace keras::applications
