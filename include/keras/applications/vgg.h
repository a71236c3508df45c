// VGG16 and VGG19 (keras.applications.VGG16, VGG19): Keras 3's architectures, layer names and
// weights.
//
//   keras::Model vgg = keras::applications::VGG16({.weights = std::nullopt});
//   keras::Model features = keras::applications::VGG19(
//       {.include_top = false, .input_shape = {{64, 64, 3}}, .pooling = "max"});  // (None, 512)
//
// Five blocks of 3x3 "same" Conv2D with bias and relu, "block<b>_conv<i>" (64, 128, 256, 512,
// 512 filters; 2, 2, 3, 3, 3 convolutions in VGG16, 2, 2, 4, 4, 4 in VGG19), each block ending in
// MaxPooling2D(2, stride 2) "block<b>_pool". The top is Flatten "flatten", Dense(4096, relu)
// "fc1" and "fc2", and Dense "predictions": its kernel depends on the input size (7 * 7 * 512
// inputs at 224x224). VGG16: 14,714,688 weights without the top, 138,357,544 with it; VGG19:
// 20,024,384 and 143,667,240. Without the top, pooling "avg" / "max" are Keras's automatically
// named GlobalAveragePooling2D / GlobalMaxPooling2D. No BatchNormalization, so no non-trainable
// weights. Images are channels_last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct VGGOptions {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of block5_pool), "avg" or "max" global pooling.
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  std::optional<std::string> name = std::nullopt;          // default "vgg16" / "vgg19"
};

// Build the models. Each throws ValueError (Keras's wording) for weights other than
// std::nullopt, an input_shape that is not 3 dims or has rows or cols below 32, an input_shape
// with unknown dims when include_top is true, a pooling other than "avg" or "max", or
// classes < 1.
Model VGG16(const VGGOptions& options = {});
Model VGG19(const VGGOptions& options = {});

}  // namespace keras::applications
