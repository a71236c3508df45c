// NASNetMobile and NASNetLarge (keras.applications.NASNetMobile / NASNetLarge): Keras 3's
// architecture, layer names and weights (NASNet-A).
//
//   keras::Model m = keras::applications::NASNetMobile({.weights = std::nullopt});
//
// Images in [-1, 1], channels_last. Conv2D(3, stride 2, valid) "stem_conv1" + BatchNormalization
// (momentum 0.9997, epsilon 1e-3) "stem_bn1"; reduction cells "stem_1", "stem_2", then three
// stages of normal cells ("0".."N-1", "N+1".., "2N+1"..) with reduction cells "reduce_N" and
// "reduce_2N" between them (Mobile: N = 4, penultimate filters 1056, stem 32 filters, the
// reduction's input kept as the next cell's previous; Large: N = 6, 4032, 96, skipped). Each cell
// adjusts the previous cell's output ("adjust_*": ReLU, two strided AveragePooling2D(1) +
// Conv2D halves, one shifted by ZeroPadding2D + Cropping2D, concatenated, or a 1x1 projection)
// and combines separable convolution branches (ReLU, SeparableConv2D "separable_conv_1_<id>",
// BatchNormalization, ReLU, SeparableConv2D "separable_conv_2_<id>", BatchNormalization; strided
// ones after ZeroPadding2D "separable_conv_1_pad_<id>") and poolings with Add layers into a
// Concatenate "normal_concat_<id>" / "reduction_concat_<id>". A final ReLU; with the top
// GlobalAveragePooling2D + Dense "predictions". Unnamed layers (ReLU Activations, some
// ZeroPadding2D, Cropping2D, Concatenate and Add) get Keras's automatic names. Keras's counts,
// with the top / without at the default size: Mobile 5,326,716 / 4,269,716; Large 88,949,818 /
// 84,916,818. With unknown sizes, (None, None, 3), Large has 84,887,922 without the top, as in
// Keras; Mobile 4,267,604 where Keras counts 4,269,716 (not yet explained).
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct NASNetOptions {
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) for Mobile
  // and (331, 331, 3) for Large, with or without the top (as Keras's NASNetMobile and NASNetLarge
  // set it). With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // Without the top: std::nullopt (the 4D output of the last ReLU), "avg" or "max" global pooling.
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  // Default (Keras's): "nasnet_mobile" / "nasnet_large".
  std::optional<std::string> name = std::nullopt;
};

// Build the models. Throw ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model NASNetMobile(const NASNetOptions& options = {});
Model NASNetLarge(const NASNetOptions& options = {});

}  // namespace keras::applications
