#include "keras/applications/efficientnet.h"

#include <algorithm>
#include <cmath>

#include "applications/efficientnet_blocks.h"
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
constexpr int64_t kDepthDivisor = 8;
const char* const kActivation = "swish";

// Keras's EfficientNetB0..B7 arguments: width and depth coefficients, default size, dropout.
struct Variant {
  double width, depth;
  int64_t default_size;
  double dropout;
  const char* name;
};
constexpr Variant kVariants[] = {
    {1.0, 1.0, 224, 0.2, "efficientnetb0"}, {1.0, 1.1, 240, 0.2, "efficientnetb1"},
    {1.1, 1.2, 260, 0.3, "efficientnetb2"}, {1.2, 1.4, 300, 0.3, "efficientnetb3"},
    {1.4, 1.8, 380, 0.4, "efficientnetb4"}, {1.6, 2.2, 456, 0.4, "efficientnetb5"},
    {1.8, 2.6, 528, 0.5, "efficientnetb6"}, {2.0, 3.1, 600, 0.5, "efficientnetb7"}};

// Keras's round_filters: filters * width to a multiple of the divisor, never 10% below.
int64_t round_filters(int64_t filters, double width) {
  const double scaled = static_cast<double>(filters) * width;
  int64_t rounded =
      std::max<int64_t>(kDepthDivisor, static_cast<int64_t>(scaled + kDepthDivisor / 2.0) /
                                           kDepthDivisor * kDepthDivisor);
  if (static_cast<double>(rounded) < 0.9 * scaled) rounded += kDepthDivisor;
  return rounded;
}

int64_t round_repeats(int64_t repeats, double depth) {
  return static_cast<int64_t>(std::ceil(depth * static_cast<double>(repeats)));
}

initializers::Initializer conv_initializer() {
  return internal::efficientnet_conv_initializer();
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

  x = internal::squeeze_excite(x, filters_in, filters, kSeRatio, name);

  x = conv1x1(x, filters_out, name + "project_conv");
  x = bn(x, name + "project_bn");
  return internal::block_residual(x, inputs, strides == 1 && filters_in == filters_out, drop_rate,
                                  name);
}

Model efficientnet(const Variant& v, const std::string& model, const EfficientNetOptions& options) {
  internal::check_weights(options.weights);
  internal::check_top_options(model, options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, v.default_size, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x = L::Rescaling(1.0 / 255.0)(img_input);
  x = L::Normalization({.axis = {3}})(x);
  x = L::ZeroPadding2D(internal::correct_pad(x, 3), {.name = "stem_conv_pad"})(x);
  x = L::Conv2D(round_filters(32, v.width), 3,
                {.strides = 2,
                 .padding = "valid",
                 .use_bias = false,
                 .kernel_initializer = conv_initializer(),
                 .name = "stem_conv"})(x);
  x = bn(x, "stem_bn");
  x = act(x, "stem_activation");

  int64_t total = 0;
  for (const BlockArgs& b : kBlocks) total += round_repeats(b.repeats, v.depth);
  int64_t index = 0;
  for (size_t i = 0; i < std::size(kBlocks); ++i) {
    const BlockArgs& b = kBlocks[i];
    const int64_t filters_in = round_filters(b.filters_in, v.width);
    const int64_t filters_out = round_filters(b.filters_out, v.width);
    for (int64_t j = 0; j < round_repeats(b.repeats, v.depth); ++j, ++index) {
      const std::string name = "block" + std::to_string(i + 1) + static_cast<char>('a' + j) + "_";
      x = block(x, kDropConnectRate * static_cast<double>(index) / static_cast<double>(total), name,
                j == 0 ? filters_in : filters_out, filters_out, b.kernel_size,
                j == 0 ? b.strides : 1, b.expand_ratio);
    }
  }

  x = conv1x1(x, round_filters(1280, v.width), "top_conv");
  x = bn(x, "top_bn");
  x = act(x, "top_activation");

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool",
                        .avg_pool_name = "avg_pool",
                        .max_pool_name = "max_pool",
                        .dropout = v.dropout,
                        .dense_kernel_initializer = initializers::VarianceScaling(
                            {.scale = 1.0 / 3.0, .mode = "fan_out", .distribution = "uniform"})});
  return Model(internal::model_inputs(options.input_tensor, img_input), x,
               {.name = options.name.value_or(v.name)});
}

}  // namespace

Model EfficientNetB0(const EfficientNetOptions& options) {
  return efficientnet(kVariants[0], "EfficientNetB0", options);
}
Model EfficientNetB1(const EfficientNetOptions& options) {
  return efficientnet(kVariants[1], "EfficientNetB1", options);
}
Model EfficientNetB2(const EfficientNetOptions& options) {
  return efficientnet(kVariants[2], "EfficientNetB2", options);
}
Model EfficientNetB3(const EfficientNetOptions& options) {
  return efficientnet(kVariants[3], "EfficientNetB3", options);
}
Model EfficientNetB4(const EfficientNetOptions& options) {
  return efficientnet(kVariants[4], "EfficientNetB4", options);
}
Model EfficientNetB5(const EfficientNetOptions& options) {
  return efficientnet(kVariants[5], "EfficientNetB5", options);
}
Model EfficientNetB6(const EfficientNetOptions& options) {
  return efficientnet(kVariants[6], "EfficientNetB6", options);
}
Model EfficientNetB7(const EfficientNetOptions& options) {
  return efficientnet(kVariants[7], "EfficientNetB7", options);
}

}  // namespace keras::applications
