// ConvNeXtTiny, Small, Base, Large and XLarge (keras.applications.ConvNeXt*): Keras 3's
// architecture, layer names and weights.
//
//   keras::Model m = keras::applications::ConvNeXtTiny({.weights = std::nullopt});
//   keras::Model features = keras::applications::ConvNeXtBase({.include_top = false});
//
// Images are pixels in [0, 255], channels_last. Layer names start with the model's name (default
// "convnext_tiny" ...). With include_preprocessing (on 3 channels) Normalization
// "<name>_prestem_normalization" by ImageNet's mean and variance (x 255; constants, not
// weights). Then four stages, each after a nested Sequential as Keras nests it: the stem
// "<name>_stem" (Conv2D(dim, 4, stride 4) "_stem_conv" + LayerNormalization(1e-6)
// "_stem_layernorm"), then "<name>_downsampling_block_<i>" (LayerNormalization
// "_downsampling_layernorm_<i>" + Conv2D(dim, 2, stride 2) "_downsampling_conv_<i>"); blocks
// "<name>_stage_<s>_block_<b>": depthwise Conv2D(7, groups = dim) "_depthwise_conv",
// LayerNormalization "_layernorm", Dense(4 dim) "_pointwise_conv_1", Activation("gelu") "_gelu",
// Dense(dim) "_pointwise_conv_2", LayerScale(1e-6) "_layer_scale" (the class Keras registers in
// keras.src.applications.convnext), Activation("linear") "_identity" (Keras's constructors all
// have drop_path_rate 0, so no StochasticDepth), and the residual sum as Keras's op (an OpLayer
// "add"). Depths (3, 3, 9, 3) for Tiny, (3, 3, 27, 3) for the others; dims (96, 192, 384, 768)
// Tiny and Small, x 4/3 Base, x 2 Large, x 8/3 XLarge. With the top GlobalAveragePooling2D
// "<name>_head_gap", LayerNormalization "<name>_head_layernorm", Dense "<name>_head_dense";
// without it the pooling (if any) and then an unnamed LayerNormalization, as Keras.
// Keras's counts, with the top / without: Tiny 28,589,128 / 27,820,128; Small 50,223,688 /
// 49,454,688; Base 88,591,464 / 87,566,464; Large 197,767,336 / 196,230,336; XLarge
// 350,196,968 / 348,147,968.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/models/model.h"

namespace keras::applications {

// Keras's arguments, in its order (designated initializers must keep it).
struct ConvNeXtOptions {
  bool include_top = true;
  bool include_preprocessing = true;  // the Normalization by ImageNet's mean and variance
  // std::nullopt (Python's None): random initialization. keras.cpp downloads nothing: "imagenet"
  // and weight-file paths are a ValueError; load saved weights with Model::load_weights.
  std::optional<std::string> weights = std::nullopt;
  // A Keras tensor to use as the image input; the model's inputs are its source Input tensors.
  std::optional<KerasTensor> input_tensor = std::nullopt;
  // (rows, cols, channels); rows and cols at least 32 or None. Default (224, 224, 3) with the
  // top, (None, None, 3) without it. With the top the shape must be fully known.
  OptionalDims input_shape = std::nullopt;
  // Without the top: std::nullopt (the 4D output of the last stage), "avg" or "max" global
  // pooling.
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;                                  // with the top
  layers::ActivationFn classifier_activation = "softmax";  // "linear" for logits
  // Default (Keras's): "convnext_tiny", "convnext_small", ..., "convnext_xlarge".
  std::optional<std::string> name = std::nullopt;
};

// Build the models. Throw ValueError (Keras's wording) for weights other than std::nullopt, an
// input_shape that is not 3 dims or has rows or cols below 32, an input_shape with unknown dims
// when include_top is true, a pooling other than "avg" or "max", or classes < 1.
Model ConvNeXtTiny(const ConvNeXtOptions& options = {});
Model ConvNeXtSmall(const ConvNeXtOptions& options = {});
Model ConvNeXtBase(const ConvNeXtOptions& options = {});
Model ConvNeXtLarge(const ConvNeXtOptions& options = {});
Model ConvNeXtXLarge(const ConvNeXtOptions& options = {});

}  // namespace keras::applications
