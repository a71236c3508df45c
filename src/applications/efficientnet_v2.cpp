#include "keras/applications/efficientnet_v2.h"

#include <algorithm>
#include <cmath>

#include "applications/efficientnet_blocks.h"
#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"
#include "keras/layers/preprocessing/normalization.h"
#include "keras/layers/preprocessing/rescaling.h"
#include "keras/layers/spatial_reshaping.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

struct BlockArgs {
  int64_t kernel_size, repeats, filters_in, filters_out, expand_ratio;
  double se_ratio;
  int64_t strides;
  bool fused;  // Keras's conv_type 1: FusedMBConvBlock
};
// Keras's DEFAULT_BLOCKS_ARGS (B0..B3 share theirs).
constexpr BlockArgs kB[] = {
    {3, 1, 32, 16, 1, 0, 1, true},      {3, 2, 16, 32, 4, 0, 2, true},
    {3, 2, 32, 48, 4, 0, 2, true},      {3, 3, 48, 96, 4, 0.25, 2, false},
    {3, 5, 96, 112, 6, 0.25, 1, false}, {3, 8, 112, 192, 6, 0.25, 2, false}};
constexpr BlockArgs kS[] = {
    {3, 2, 24, 24, 1, 0, 1, true},       {3, 4, 24, 48, 4, 0, 2, true},
    {3, 4, 48, 64, 4, 0, 2, true},       {3, 6, 64, 128, 4, 0.25, 2, false},
    {3, 9, 128, 160, 6, 0.25, 1, false}, {3, 15, 160, 256, 6, 0.25, 2, false}};
constexpr BlockArgs kM[] = {
    {3, 3, 24, 24, 1, 0, 1, true},        {3, 5, 24, 48, 4, 0, 2, true},
    {3, 5, 48, 80, 4, 0, 2, true},        {3, 7, 80, 160, 4, 0.25, 2, false},
    {3, 14, 160, 176, 6, 0.25, 1, false}, {3, 18, 176, 304, 6, 0.25, 2, false},
    {3, 5, 304, 512, 6, 0.25, 1, false}};
constexpr BlockArgs kL[] = {
    {3, 4, 32, 32, 1, 0, 1, true},        {3, 7, 32, 64, 4, 0, 2, true},
    {3, 7, 64, 96, 4, 0, 2, true},        {3, 10, 96, 192, 4, 0.25, 2, false},
    {3, 19, 192, 224, 6, 0.25, 1, false}, {3, 25, 224, 384, 6, 0.25, 2, false},
    {3, 7, 384, 640, 6, 0.25, 1, false}};

struct Variant {
  double width, depth;
  int64_t default_size;
  const BlockArgs* blocks;
  size_t num_blocks;
  bool b;  // the B variants' preprocessing: Rescaling(1/255) + ImageNet's Normalization
  const char* name;
  const char* model;
};
const Variant kVariants[] = {
    {1.0, 1.0, 224, kB, std::size(kB), true, "efficientnetv2-b0", "EfficientNetV2B0"},
    {1.0, 1.1, 240, kB, std::size(kB), true, "efficientnetv2-b1", "EfficientNetV2B1"},
    {1.1, 1.2, 260, kB, std::size(kB), true, "efficientnetv2-b2", "EfficientNetV2B2"},
    {1.2, 1.4, 300, kB, std::size(kB), true, "efficientnetv2-b3", "EfficientNetV2B3"},
    {1.0, 1.0, 384, kS, std::size(kS), false, "efficientnetv2-s", "EfficientNetV2S"},
    {1.0, 1.0, 480, kM, std::size(kM), false, "efficientnetv2-m", "EfficientNetV2M"},
    {1.0, 1.0, 480, kL, std::size(kL), false, "efficientnetv2-l", "EfficientNetV2L"}};

constexpr double kDropoutRate = 0.2;
constexpr double kDropConnectRate = 0.2;
constexpr double kBnMomentum = 0.9;
constexpr int64_t kDivisor = 8;  // depth_divisor and min_depth
const char* const kActivation = "swish";

// Keras's efficientnet_v2.round_filters (unlike V1's, no 10% guard).
int64_t round_filters(int64_t filters, double width) {
  const double scaled = static_cast<double>(filters) * width;
  return std::max<int64_t>(kDivisor,
                           static_cast<int64_t>(scaled + kDivisor / 2.0) / kDivisor * kDivisor);
}

initializers::Initializer conv_initializer() {
  return internal::efficientnet_conv_initializer();
}

KerasTensor conv(const KerasTensor& x,
                 int64_t filters,
                 int64_t kernel_size,
                 int64_t strides,
                 const std::string& name) {
  return L::Conv2D(filters, kernel_size,
                   {.strides = strides,
                    .padding = "same",
                    .use_bias = false,
                    .kernel_initializer = conv_initializer(),
                    .name = name})(x);
}

KerasTensor bn(const KerasTensor& x, const std::string& name) {
  return L::BatchNormalization({.axis = 3, .momentum = kBnMomentum, .name = name})(x);
}

KerasTensor act(const KerasTensor& x, const std::string& name) {
  return L::Activation(kActivation, {.name = name})(x);
}

// Keras's MBConvBlock (fused = false) and FusedMBConvBlock.
KerasTensor block(const KerasTensor& inputs,
                  const BlockArgs& b,
                  int64_t filters_in,
                  int64_t filters_out,
                  int64_t strides,
                  double drop_rate,
                  const std::string& name) {
  const int64_t filters = filters_in * b.expand_ratio;
  KerasTensor x = inputs;
  if (b.expand_ratio != 1) {
    x = conv(x, filters, b.fused ? b.kernel_size : 1, b.fused ? strides : 1, name + "expand_conv");
    x = bn(x, name + "expand_bn");
    x = act(x, name + "expand_activation");
  }
  if (!b.fused) {
    x = L::DepthwiseConv2D(b.kernel_size, {.strides = strides,
                                           .padding = "same",
                                           .use_bias = false,
                                           .depthwise_initializer = conv_initializer(),
                                           .name = name + "dwconv2"})(x);
    x = bn(x, name + "bn");
    x = act(x, name + "activation");
  }
  if (b.se_ratio > 0 && b.se_ratio <= 1)
    x = internal::squeeze_excite(x, filters_in, filters, b.se_ratio, name);
  const bool project_only = b.fused && b.expand_ratio == 1;
  x = conv(x, filters_out, project_only ? b.kernel_size : 1, project_only ? strides : 1,
           name + "project_conv");
  x = bn(x, name + "project_bn");
  if (project_only) x = act(x, name + "project_activation");
  return internal::block_residual(x, inputs, strides == 1 && filters_in == filters_out, drop_rate,
                                  name);
}

Model efficientnet_v2(const Variant& v, const EfficientNetV2Options& o) {
  internal::check_weights(o.weights);
  internal::check_top_options(v.model, o.pooling, o.classes);
  const Shape shape =
      internal::obtain_input_shape(o.input_shape, v.default_size, 32, o.include_top);
  const KerasTensor img_input = internal::image_input(o.input_tensor, shape);

  KerasTensor x = img_input;
  if (o.include_preprocessing) {
    if (v.b && shape[2] == 3) {
      x = L::Rescaling(1.0 / 255)(x);
      x = L::Normalization({.axis = {3},
                            .mean = {{{0.485, 0.456, 0.406}, {3}}},
                            .variance = {{{0.229 * 0.229, 0.224 * 0.224, 0.225 * 0.225}, {3}}}})(x);
    } else {
      x = L::Rescaling(1.0 / 128.0, {.offset = {-1.0}})(x);
    }
  }
  x = conv(x, round_filters(v.blocks[0].filters_in, v.width), 3, 2, "stem_conv");
  x = bn(x, "stem_bn");
  x = act(x, "stem_activation");

  int64_t total = 0;  // Keras counts the blocks before depth scaling here
  for (size_t i = 0; i < v.num_blocks; ++i) total += v.blocks[i].repeats;
  int64_t index = 0;
  for (size_t i = 0; i < v.num_blocks; ++i) {
    const BlockArgs& b = v.blocks[i];
    const int64_t filters_in = round_filters(b.filters_in, v.width);
    const int64_t filters_out = round_filters(b.filters_out, v.width);
    const auto repeats = static_cast<int64_t>(std::ceil(v.depth * static_cast<double>(b.repeats)));
    for (int64_t j = 0; j < repeats; ++j, ++index) {
      const std::string name = "block" + std::to_string(i + 1) + static_cast<char>('a' + j) + "_";
      x = block(x, b, j == 0 ? filters_in : filters_out, filters_out, j == 0 ? b.strides : 1,
                kDropConnectRate * static_cast<double>(index) / static_cast<double>(total), name);
    }
  }

  x = conv(x, round_filters(1280, v.width), 1, 1, "top_conv");
  x = bn(x, "top_bn");
  x = act(x, "top_activation");
  if (o.include_top) {
    x = L::GlobalAveragePooling2D({.name = "avg_pool"})(x);
    x = L::Dropout(kDropoutRate, {.name = "top_dropout"})(x);
    x = L::Dense(o.classes,
                 {.activation = o.classifier_activation,
                  .kernel_initializer = initializers::VarianceScaling(
                      {.scale = 1.0 / 3.0, .mode = "fan_out", .distribution = "uniform"}),
                  .bias_initializer = initializers::Constant(0.0),
                  .name = "predictions"})(x);
  } else {
    x = internal::top(x, {.include_top = false,
                          .pooling = o.pooling,
                          .avg_pool_name = "avg_pool",
                          .max_pool_name = "max_pool"});
  }
  return Model(internal::model_inputs(o.input_tensor, img_input), x,
               {.name = o.name.value_or(v.name)});
}

}  // namespace

Model EfficientNetV2B0(const EfficientNetV2Options& options) {
  return efficientnet_v2(kVariants[0], options);
}
Model EfficientNetV2B1(const EfficientNetV2Options& options) {
  return efficientnet_v2(kVariants[1], options);
}
Model EfficientNetV2B2(const EfficientNetV2Options& options) {
  return efficientnet_v2(kVariants[2], options);
}
Model EfficientNetV2B3(const EfficientNetV2Options& options) {
  return efficientnet_v2(kVariants[3], options);
}
Model EfficientNetV2S(const EfficientNetV2Options& options) {
  return efficientnet_v2(kVariants[4], options);
}
Model EfficientNetV2M(const EfficientNetV2Options& options) {
  return efficientnet_v2(kVariants[5], options);
}
Model EfficientNetV2L(const EfficientNetV2Options& options) {
  return efficientnet_v2(kVariants[6], options);
}

}  // namespace keras::applications
