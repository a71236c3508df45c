// Xception (keras.applications.Xception): Keras 3's architecture, layer names and weights.
//
//   namespace applications = keras::applications;
//   keras::Model base = applications::Xception({.include_top = false, .weights = std::nullopt});
//   auto left = keras::Input({250, 250, 3}), right = keras::Input({250, 250, 3});
//   auto merged = keras::layers::concatenate({base(left), base(right)});  // (None, 8, 8, 4096)
//
// Entry flow (block1: two strided/valid 3x3 Conv2D; blocks 2-4: SeparableConv2D pairs, a 3x3
// stride-2 max-pool, and a strided 1x1 Conv2D + BatchNormalization shortcut), middle flow
// (blocks 5-12: three SeparableConv2D(728) with an identity shortcut), exit flow (block13, then
// block14's SeparableConv2D(1536) and (2048)); every convolution without bias and followed by
// BatchNormalization. 20,861,480 weights without the top (of which 54,528 are BatchNormalization's
// moving statistics), 22,910,480 with it (GlobalAveragePooling2D "avg_pool" + Dense "predictions").
// Images are channels_last (keras.cpp has no global image_data_format setting).
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct XceptionOptions {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing, so Keras's
  // "imagenet" (its default) and weight-file paths are a ValueError; load saved weights with
  // Model::load_weights instead. Default std::nullopt (see docs/differences.md).
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, 3); rows and cols at least 71 or None. Default (299, 299, 3) with the top,
  // (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of block14), "avg" or "max" (global pooling).
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  std::string name = "xception";
};

// Builds the model. Throws ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 71, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model Xception(const XceptionOptions& options = {});

}  // namespace keras::applications
