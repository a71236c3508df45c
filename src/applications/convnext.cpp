#include "keras/applications/convnext.h"

#include <array>

#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/dense.h"
#include "keras/layers/normalization.h"
#include "keras/layers/normalization/layer_scale.h"
#include "keras/layers/op_layer.h"
#include "keras/layers/pooling.h"
#include "keras/layers/preprocessing/normalization.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

// Keras's MODEL_CONFIGS (all at 224, drop_path_rate 0, layer scale 1e-6).
struct Variant {
  std::array<int64_t, 4> depths, projection_dims;
  const char* name;
  const char* model;
};
const Variant kVariants[] = {
    {{3, 3, 9, 3}, {96, 192, 384, 768}, "convnext_tiny", "ConvNeXtTiny"},
    {{3, 3, 27, 3}, {96, 192, 384, 768}, "convnext_small", "ConvNeXtSmall"},
    {{3, 3, 27, 3}, {128, 256, 512, 1024}, "convnext_base", "ConvNeXtBase"},
    {{3, 3, 27, 3}, {192, 384, 768, 1536}, "convnext_large", "ConvNeXtLarge"},
    {{3, 3, 27, 3}, {256, 512, 1024, 2048}, "convnext_xlarge", "ConvNeXtXLarge"}};
constexpr double kLayerScale = 1e-6;
constexpr double kEpsilon = 1e-6;

L::LayerNormalization layer_norm(const std::string& name = {}) {
  return L::LayerNormalization({.epsilon = kEpsilon, .name = name});
}

// Keras's ConvNeXtBlock with drop_path_rate 0 (an identity Activation instead of StochasticDepth).
KerasTensor convnext_block(const KerasTensor& inputs, int64_t dim, const std::string& name) {
  auto x = L::Conv2D(dim, 7,
                     {.padding = "same", .groups = dim, .name = name + "_depthwise_conv"})(inputs);
  x = layer_norm(name + "_layernorm")(x);
  x = L::Dense(4 * dim, {.name = name + "_pointwise_conv_1"})(x);
  x = L::Activation("gelu", {.name = name + "_gelu"})(x);
  x = L::Dense(dim, {.name = name + "_pointwise_conv_2"})(x);
  x = L::LayerScale(kLayerScale, dim, {.name = name + "_layer_scale"})(x);
  return inputs + L::Activation("linear", {.name = name + "_identity"})(x);
}

Model convnext(const Variant& v, const ConvNeXtOptions& o) {
  internal::check_weights(o.weights);
  internal::check_top_options(v.model, o.pooling, o.classes);
  const Shape shape = internal::obtain_input_shape(o.input_shape, 224, 32, o.include_top);
  const KerasTensor img_input = internal::image_input(o.input_tensor, shape);
  const std::string name = o.name.value_or(v.name);

  KerasTensor x = img_input;
  if (o.include_preprocessing && shape[2] == 3) {
    x = L::Normalization(
        {.mean = {{{0.485 * 255, 0.456 * 255, 0.406 * 255}, {3}}},
         .variance = {{{(0.229 * 255) * (0.229 * 255), (0.224 * 255) * (0.224 * 255),
                        (0.225 * 255) * (0.225 * 255)},
                       {3}}},
         .name = name + "_prestem_normalization"})(x);
  }
  for (int i = 0; i < 4; ++i) {
    const int64_t dim = v.projection_dims[static_cast<size_t>(i)];
    if (i == 0) {
      x = Sequential({L::Conv2D(dim, 4, {.strides = 4, .name = name + "_stem_conv"}),
                      layer_norm(name + "_stem_layernorm")},
                     {.name = name + "_stem"})(x);
    } else {
      const std::string n = std::to_string(i - 1);
      x = Sequential({layer_norm(name + "_downsampling_layernorm_" + n),
                      L::Conv2D(dim, 2, {.strides = 2, .name = name + "_downsampling_conv_" + n})},
                     {.name = name + "_downsampling_block_" + n})(x);
    }
    for (int64_t j = 0; j < v.depths[static_cast<size_t>(i)]; ++j) {
      x = convnext_block(x, dim,
                         name + "_stage_" + std::to_string(i) + "_block_" + std::to_string(j));
    }
  }
  if (o.include_top) {
    x = L::GlobalAveragePooling2D({.name = name + "_head_gap"})(x);
    x = layer_norm(name + "_head_layernorm")(x);
    x = L::Dense(o.classes,
                 {.activation = o.classifier_activation, .name = name + "_head_dense"})(x);
  } else {
    x = internal::top(x, {.include_top = false, .pooling = o.pooling});
    x = layer_norm()(x);
  }
  const KerasTensors inputs = internal::model_inputs(o.input_tensor, img_input);
  return Model(KerasTensors{inputs.at(0)}, x, {.name = name});
}

}  // namespace

Model ConvNeXtTiny(const ConvNeXtOptions& options) {
  return convnext(kVariants[0], options);
}
Model ConvNeXtSmall(const ConvNeXtOptions& options) {
  return convnext(kVariants[1], options);
}
Model ConvNeXtBase(const ConvNeXtOptions& options) {
  return convnext(kVariants[2], options);
}
Model ConvNeXtLarge(const ConvNeXtOptions& options) {
  return convnext(kVariants[3], options);
}
Model ConvNeXtXLarge(const ConvNeXtOptions& options) {
  return convnext(kVariants[4], options);
}

}  // namespace keras::applications
