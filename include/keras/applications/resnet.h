// ResNet50, ResNet101, ResNet152 (keras.applications.ResNet50 ...) and ResNet50V2, ResNet101V2,
// ResNet152V2 (keras.applications.ResNet50V2 ...): Keras 3's architectures, layer names and
// weights.
//
//   keras::Model resnet = keras::applications::ResNet50({.weights = std::nullopt});
//   keras::Model features = keras::applications::ResNet50(
//       {.include_top = false, .input_shape = {{160, 160, 3}}, .pooling = "avg"});  // (None, 2048)
//
// conv1 (ZeroPadding2D 3 "conv1_pad", Conv2D(64, 7, stride 2) "conv1_conv", BatchNormalization
// "conv1_bn", relu "conv1_relu"), ZeroPadding2D 1 "pool1_pad" + MaxPooling2D(3, stride 2)
// "pool1_pool", then four stacks "conv2".."conv5" of 3, 4, 6 and 3 bottleneck blocks (filters
// 64, 128, 256, 512; Conv2D 1x1 "_1_conv", 3x3 "_2_conv", 1x1 (4 * filters) "_3_conv", each
// with bias and BatchNormalization(epsilon 1.001e-5) "_N_bn"; the first block of each stack has
// a 1x1 projection shortcut "_0_conv"/"_0_bn" and strides 2 except in conv2; Add "_add", relu
// "_out"). 23,587,712 weights without the top (53,120 of them BatchNormalization's moving
// statistics), 25,636,712 with it (GlobalAveragePooling2D "avg_pool" + Dense "predictions").
// ResNet101's conv3, conv4, conv5 have 4, 23, 3 blocks, ResNet152's 8, 36, 3 (42,658,176 and
// 58,370,944 weights without the top, 44,707,176 and 60,419,944 with it).
//
// V2 (pre-activation): conv1 has no BatchNormalization ("conv1_pad", "conv1_conv", "pool1_pad",
// "pool1_pool"); each block starts with BatchNormalization "_preact_bn" + relu "_preact_relu",
// then Conv2D 1x1 "_1_conv" and (after ZeroPadding2D 1 "_2_pad") 3x3 "_2_conv" without bias,
// each followed by "_N_bn" + "_N_relu", and 1x1 (4 * filters) "_3_conv" with bias; the first
// block of each stack has a 1x1 projection "_0_conv" from the pre-activation; the stride is in
// the LAST block of conv2, conv3 and conv4 (its shortcut a MaxPooling2D(1, stride 2) with
// Keras's automatic name "max_pooling2d"); Add "_out". Then BatchNormalization "post_bn" + relu
// "post_relu". ResNet50V2: 23,564,800 weights without the top, 25,613,800 with it; ResNet101V2
// 42,626,560 / 44,675,560; ResNet152V2 58,331,648 / 60,380,648.
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
struct ResNetOptions {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of conv5), "avg" (GlobalAveragePooling2D
  // "avg_pool") or "max" (GlobalMaxPooling2D "max_pool").
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  // Default (Keras's): "resnet50", "resnet101", "resnet152", "resnet50v2", "resnet101v2",
  // "resnet152v2".
  std::optional<std::string> name = std::nullopt;
};

// Build the models. Each throws ValueError (Keras's wording) for weights other than std::nullopt,
// an input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model ResNet50(const ResNetOptions& options = {});
Model ResNet101(const ResNetOptions& options = {});
Model ResNet152(const ResNetOptions& options = {});
Model ResNet50V2(const ResNetOptions& options = {});
Model ResNet101V2(const ResNetOptions& options = {});
Model ResNet152V2(const ResNetOptions& options = {});

}  // namespace keras::applications
