// DenseNet121, DenseNet169 and DenseNet201 (keras.applications.DenseNet121 ...): Keras 3's
// architectures, layer names and weights.
//
//   keras::Model densenet = keras::applications::DenseNet121({.weights = std::nullopt});
//   keras::Model features = keras::applications::DenseNet169(
//       {.include_top = false, .input_shape = {{64, 64, 3}}, .pooling = "avg"});  // (None, 1664)
//
// ZeroPadding2D 3 (Keras's automatic name "zero_padding2d"), Conv2D(64, 7, stride 2, no bias)
// "conv1_conv" + BatchNormalization "conv1_bn" + relu "conv1_relu", ZeroPadding2D 1 (automatic
// name) + MaxPooling2D(3, stride 2) "pool1"; four dense blocks "conv2".."conv5" of 6, 12, 24, 16
// (DenseNet121), 6, 12, 32, 32 (DenseNet169) or 6, 12, 48, 32 (DenseNet201) conv blocks
// ("<block>_block<i>_": BatchNormalization "0_bn" + relu "0_relu", Conv2D(128, 1) "1_conv" +
// "1_bn" + "1_relu", Conv2D(32, 3, same) "2_conv", Concatenate "concat" of the input and the 32
// new channels), with transition blocks "pool2".."pool4" between them (BatchNormalization "_bn"
// + relu "_relu", Conv2D 1x1 halving the channels "_conv", AveragePooling2D(2, stride 2)
// "_pool"); then BatchNormalization "bn" + relu "relu". Convolutions have no bias;
// BatchNormalization's epsilon is 1.001e-5. DenseNet121: 7,037,504 weights without the top
// (83,648 of them moving statistics), 8,062,504 with it (GlobalAveragePooling2D "avg_pool" +
// Dense "predictions"); DenseNet169 12,642,880 / 14,307,880; DenseNet201 18,321,984 /
// 20,242,984. Images are channels_last.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct DenseNetOptions {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of "relu"), "avg" (GlobalAveragePooling2D
  // "avg_pool") or "max" (GlobalMaxPooling2D "max_pool").
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  // Default (Keras's): "densenet121", "densenet169", "densenet201".
  std::optional<std::string> name = std::nullopt;
};

// Build the models. Each throws ValueError (Keras's wording) for weights other than
// std::nullopt, an input_shape that is not 3 dims or has rows or cols below 32, an input_shape
// with unknown dims when include_top is true, a pooling other than "avg" or "max", or
// classes < 1.
Model DenseNet121(const DenseNetOptions& options = {});
Model DenseNet169(const DenseNetOptions& options = {});
Model DenseNet201(const DenseNetOptions& options = {});

}  // namespace keras::applications
