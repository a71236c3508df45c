#include "keras/applications/efficientnet.h"

#include <algorithm>

#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
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
  int64_t kernel_size, repeats, filters_in, filters_out, expand_ratio, strides;
};
// Keras's DEFAULT_BLOCKS_ARGS (id_skip true and se_ratio 0.25 for all).
constexpr BlockArgs kBlocks[] = {
    {3, 1, 32, 16, 1, 1},  {3, 2, 16, 24, 6, 2},   {5, 2, 24, 40, 6, 2},  {3, 3, 40, 80, 6, 2},
    {5, 3, 80, 112, 6, 1}, {5, 4, 112, 192, 6, 2}, {3, 1, 192, 320, 6, 1}};
constexpr double kSeRatio = 0.25;
constexpr double kDropConnectRate = 0.2;
constexpr double kDropoutRate = 0.2;
const char* const kActivation = "swish";

initializers::Initializer conv_initializer() {
  return initializers::VarianceScaling(
      {.scale = 2.0, .mode = "fan_out", .distribution = "truncated_normal"});
}

KerasTensor conv1x1(const KerasTensor& x, int64_t filters, const std::string& name) {
  return L::Conv2D(filters, 1,
                   {.padding = "same",
                    .use_bias = false,
                    .kernel_initializer = conv_initializer(),
                    .name = name})(x);
}

KerasTensor bn(const KerasTensor& x, const std::string& name) {
  return L::BatchNormalization({.axis = 3, .name = name})(x);
}

KerasTensor act(const KerasTensor& x, const std::string& name) {
  return L::Activation(kActivation, {.name = name})(x);
}

// Keras's efficientnet.block: the mobile inverted bottleneck with squeeze-and-excitation.
KerasTensor block(const KerasTensor& inputs,
                  double drop_rate,
                  const std::string& name,
                  int64_t filters_in,
                  int64_t filters_out,
                  int64_t kernel_size,
                  int64_t strides,
                  int64_t expand_ratio) {
  const int64_t filters = filters_in * expand_ratio;
  KerasTensor x = inputs;
  if (expand_ratio != 1) {
    x = conv1x1(x, filters, name + "expand_conv");
    x = bn(x, name + "expand_bn");
    x = act(x, name + "expand_activation");
  }
  if (strides == 2) {
    x = L::ZeroPadding2D(internal::correct_pad(x, kernel_size), {.name = name + "dwconv_pad"})(x);
  }
  x = L::DepthwiseConv2D(kernel_size, {.strides = strides,
                                       .padding = strides == 2 ? "valid" : "same",
                                       .use_bias = false,
                                       .depthwise_initializer = conv_initializer(),
                                       .name = name + "dwconv"})(x);
  x = bn(x, name + "bn");
  x = act(x, name + "activation");

  const int64_t filters_se =
      std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(filters_in) * kSeRatio));
  auto se = L::GlobalAveragePooling2D({.name = name + "se_squeeze"})(x);
  se = L::Reshape({1, 1, filters}, {.name = name + "se_reshape"})(se);
  se = L::Conv2D(filters_se, 1,
                 {.padding = "same",
                  .activation = kActivation,
                  .kernel_initializer = conv_initializer(),
                  .name = name + "se_reduce"})(se);
  se = L::Conv2D(filters, 1,
                 {.padding = "same",
                  .activation = "sigmoid",
                  .kernel_initializer = conv_initializer(),
                  .name = name + "se_expand"})(se);
  x = L::multiply({x, se}, {.name = name + "se_excite"});

  x = conv1x1(x, filters_out, name + "project_conv");
  x = bn(x, name + "project_bn");
  if (strides == 1 && filters_in == filters_out) {
    if (drop_rate > 0) {
      x = L::Dropout(drop_rate,
                     {.noise_shape = {{std::nullopt, 1, 1, 1}}, .name = name + "drop"})(x);
    }
    x = L::add({x, inputs}, {.name = name + "add"});
  }
  return x;
}

}  // namespace

Model EfficientNetB0(const EfficientNetOptions& options) {
  internal::check_weights(options.weights);
  internal::check_top_options("EfficientNetB0", options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 224, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x = L::Rescaling(1.0 / 255.0)(img_input);
  x = L::Normalization({.axis = {3}})(x);
  x = L::ZeroPadding2D(internal::correct_pad(x, 3), {.name = "stem_conv_pad"})(x);
  x = L::Conv2D(32, 3,
                {.strides = 2,
                 .padding = "valid",
                 .use_bias = false,
                 .kernel_initializer = conv_initializer(),
                 .name = "stem_conv"})(x);
  x = bn(x, "stem_bn");
  x = act(x, "stem_activation");

  int64_t total = 0;
  for (const BlockArgs& b : kBlocks) total += b.repeats;
  int64_t index = 0;
  for (size_t i = 0; i < std::size(kBlocks); ++i) {
    const BlockArgs& b = kBlocks[i];
    for (int64_t j = 0; j < b.repeats; ++j, ++index) {
      const std::string name = "block" + std::to_string(i + 1) + static_cast<char>('a' + j) + "_";
      x = block(x, kDropConnectRate * static_cast<double>(index) / static_cast<double>(total), name,
                j == 0 ? b.filters_in : b.filters_out, b.filters_out, b.kernel_size,
                j == 0 ? b.strides : 1, b.expand_ratio);
    }
  }

  x = conv1x1(x, 1280, "top_conv");
  x = bn(x, "top_bn");
  x = act(x, "top_activation");

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool",
                        .avg_pool_name = "avg_pool",
                        .max_pool_name = "max_pool",
                        .dropout = kDropoutRate,
                        .dense_kernel_initializer = initializers::VarianceScaling(
                            {.scale = 1.0 / 3.0, .mode = "fan_out", .distribution = "uniform"})});
  return Model(internal::model_inputs(options.input_tensor, img_input), x, {.name = options.name});
}

}  // namespace keras::applications
