// EfficientNetV2B0..B3, S, M and L (keras.applications.EfficientNetV2*): Keras 3's architecture,
// layer names and weights.
//
//   keras::Model m = keras::applications::EfficientNetV2B0({.weights = std::nullopt});
//   keras::Model s = keras::applications::EfficientNetV2S({.include_top = false, .pooling =
//   "avg"});
//
// Images are pixels in [0, 255], channels_last. With include_preprocessing: the B variants (on 3
// channels) start with Rescaling(1/255) and Normalization(axis=3) by ImageNet's mean and
// variance (constants, not weights), S, M and L with Rescaling(1/128, offset -1). Conv2D(3,
// stride 2, same) "stem_conv" + BatchNormalization(momentum 0.9) "stem_bn" + swish
// "stem_activation"; blocks "block1a_" .. : the first stages Fused-MBConv (Conv2D "expand_conv"
// (k x k, strided) + "expand_bn" + "expand_activation" when the ratio is not 1, 1x1 Conv2D
// "project_conv" + "project_bn", or, with ratio 1, a single k x k "project_conv" + "project_bn" +
// "project_activation"), the later MBConv (1x1 "expand_conv" + "expand_bn" +
// "expand_activation", DepthwiseConv2D "dwconv2" + "bn" + "activation", squeeze-and-excitation
// "se_squeeze", "se_reshape", "se_reduce", "se_expand", Multiply "se_excite", 1x1
// "project_conv" + "project_bn"); where shapes allow, Dropout "drop" (drop-connect, noise shape
// (None, 1, 1, 1); none in the first block) + Add "add". Filters scaled by the width coefficient
// (to multiples of 8), repeats by the depth coefficient (rounded up); Conv2D(1280 x width)
// "top_conv" + "top_bn" + swish "top_activation"; with the top GlobalAveragePooling2D "avg_pool",
// Dropout(0.2) "top_dropout" and Dense "predictions" (bias initializer Constant(0)).
//   variant  width depth size  weights with the top / without (Keras's counts)
//   B0       1.0   1.0   224     7,200,312 /   5,919,312
//   B1       1.0   1.1   240     8,212,124 /   6,931,124
//   B2       1.1   1.2   260    10,178,374 /   8,769,374
//   B3       1.2   1.4   300    14,467,622 /  12,930,622
//   S        1.0   1.0   384    21,612,360 /  20,331,360
//   M        1.0   1.0   480    54,431,388 /  53,150,388
//   L        1.0   1.0   480   119,027,848 / 117,746,848
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct EfficientNetV2Options {
  bool include_top = true;
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 32 or None. Default (size, size, 3) with the
  // top (size: the variant's default), (None, None, 3) without it. With the top the shape must be
  // fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of top_activation), "avg" (GlobalAveragePooling2D
  // "avg_pool") or "max" (GlobalMaxPooling2D "max_pool").
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  bool include_preprocessing = true;
  // Default (Keras's): "efficientnetv2-b0" .. "efficientnetv2-b3", "efficientnetv2-s", -m, -l.
  std::optional<std::string> name = std::nullopt;
};

// Build the models. Throw ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model EfficientNetV2B0(const EfficientNetV2Options& options = {});
Model EfficientNetV2B1(const EfficientNetV2Options& options = {});
Model EfficientNetV2B2(const EfficientNetV2Options& options = {});
Model EfficientNetV2B3(const EfficientNetV2Options& options = {});
Model EfficientNetV2S(const EfficientNetV2Options& options = {});
Model EfficientNetV2M(const EfficientNetV2Options& options = {});
Model EfficientNetV2L(const EfficientNetV2Options& options = {});

}  // namespace keras::applications
