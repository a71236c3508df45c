#include "keras/applications/resnet.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"
#include "keras/layers/spatial_reshaping.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

constexpr double kEpsilon = 1.001e-5;

KerasTensor conv_bn(const KerasTensor& x,
                    int64_t filters,
                    int64_t kernel,
                    int64_t stride,
                    const std::string& name) {
  auto y = L::Conv2D(
      filters, kernel,
      {.strides = stride, .padding = kernel == 1 ? "valid" : "same", .name = name + "_conv"})(x);
  return L::BatchNormalization({.axis = 3, .epsilon = kEpsilon, .name = name + "_bn"})(y);
}

// Keras's residual_block_v1 (bottleneck, post-activation).
KerasTensor residual_block_v1(const KerasTensor& x,
                              int64_t filters,
                              int64_t stride,
                              bool conv_shortcut,
                              const std::string& name) {
  const KerasTensor shortcut = conv_shortcut ? conv_bn(x, 4 * filters, 1, stride, name + "_0") : x;
  auto y = conv_bn(x, filters, 1, stride, name + "_1");
  y = L::Activation("relu", {.name = name + "_1_relu"})(y);
  y = conv_bn(y, filters, 3, 1, name + "_2");
  y = L::Activation("relu", {.name = name + "_2_relu"})(y);
  y = conv_bn(y, 4 * filters, 1, 1, name + "_3");
  y = L::Add({.name = name + "_add"})({shortcut, y});
  return L::Activation("relu", {.name = name + "_out"})(y);
}

KerasTensor stack_v1(
    KerasTensor x, int64_t filters, int blocks, int64_t stride1, const std::string& name) {
  x = residual_block_v1(x, filters, stride1, true, name + "_block1");
  for (int i = 2; i <= blocks; ++i) {
    x = residual_block_v1(x, filters, 1, false, name + "_block" + std::to_string(i));
  }
  return x;
}

KerasTensor bn_relu(const KerasTensor& x, const std::string& name) {
  auto y = L::BatchNormalization({.axis = 3, .epsilon = kEpsilon, .name = name + "_bn"})(x);
  return L::Activation("relu", {.name = name + "_relu"})(y);
}

// Keras's residual_block_v2 (bottleneck, pre-activation).
KerasTensor residual_block_v2(const KerasTensor& x,
                              int64_t filters,
                              int64_t stride,
                              bool conv_shortcut,
                              const std::string& name) {
  const KerasTensor preact = bn_relu(x, name + "_preact");
  KerasTensor shortcut = x;
  if (conv_shortcut) {
    shortcut = L::Conv2D(4 * filters, 1, {.strides = stride, .name = name + "_0_conv"})(preact);
  } else if (stride > 1) {
    shortcut = L::MaxPooling2D(1, {.strides = L::IntOrTuple{stride}})(x);
  }
  auto y = L::Conv2D(filters, 1, {.use_bias = false, .name = name + "_1_conv"})(preact);
  y = bn_relu(y, name + "_1");
  y = L::ZeroPadding2D({{1, 1}, {1, 1}}, {.name = name + "_2_pad"})(y);
  y = L::Conv2D(filters, 3, {.strides = stride, .use_bias = false, .name = name + "_2_conv"})(y);
  y = bn_relu(y, name + "_2");
  y = L::Conv2D(4 * filters, 1, {.name = name + "_3_conv"})(y);
  return L::Add({.name = name + "_out"})({shortcut, y});
}

// The stride is in the last block (Keras's stack_residual_blocks_v2).
KerasTensor stack_v2(
    KerasTensor x, int64_t filters, int blocks, int64_t stride1, const std::string& name) {
  x = residual_block_v2(x, filters, 1, true, name + "_block1");
  for (int i = 2; i < blocks; ++i) {
    x = residual_block_v2(x, filters, 1, false, name + "_block" + std::to_string(i));
  }
  return residual_block_v2(x, filters, stride1, false, name + "_block" + std::to_string(blocks));
}

// Blocks per stack conv2..conv5; v1 strides the first block of conv3..conv5, v2 the last block
// of conv2..conv4.
Model resnet(const std::string& model,
             const ResNetOptions& options,
             bool preact,
             const std::array<int, 4>& blocks) {
  internal::check_weights(options.weights);
  internal::check_top_options(model, options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 224, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x = L::ZeroPadding2D({{3, 3}, {3, 3}}, {.name = "conv1_pad"})(img_input);
  x = L::Conv2D(64, 7, {.strides = 2, .name = "conv1_conv"})(x);
  if (!preact) {
    x = L::BatchNormalization({.axis = 3, .epsilon = kEpsilon, .name = "conv1_bn"})(x);
    x = L::Activation("relu", {.name = "conv1_relu"})(x);
  }
  x = L::ZeroPadding2D({{1, 1}, {1, 1}}, {.name = "pool1_pad"})(x);
  x = L::MaxPooling2D(3, {.strides = L::IntOrTuple{2}, .name = "pool1_pool"})(x);

  static constexpr int64_t kFilters[] = {64, 128, 256, 512};
  for (size_t s = 0; s < 4; ++s) {
    const std::string name = "conv" + std::to_string(s + 2);
    if (preact) {
      x = stack_v2(x, kFilters[s], blocks[s], s == 3 ? 1 : 2, name);
    } else {
      x = stack_v1(x, kFilters[s], blocks[s], s == 0 ? 1 : 2, name);
    }
  }
  if (preact) x = bn_relu(x, "post");

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool",
                        .avg_pool_name = "avg_pool",
                        .max_pool_name = "max_pool"});
  std::string name = model;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return Model(internal::model_inputs(options.input_tensor, img_input), x,
               {.name = options.name.value_or(name)});
}

}  // namespace

Model ResNet50(const ResNetOptions& options) {
  return resnet("ResNet50", options, false, {3, 4, 6, 3});
}
Model ResNet101(const ResNetOptions& options) {
  return resnet("ResNet101", options, false, {3, 4, 23, 3});
}
Model ResNet152(const ResNetOptions& options) {
  return resnet("ResNet152", options, false, {3, 8, 36, 3});
}
Model ResNet50V2(const ResNetOptions& options) {
  return resnet("ResNet50V2", options, true, {3, 4, 6, 3});
}
Model ResNet101V2(const ResNetOptions& options) {
  return resnet("ResNet101V2", options, true, {3, 4, 23, 3});
}
Model ResNet152V2(const ResNetOptions& options) {
  return resnet("ResNet152V2", options, true, {3, 8, 36, 3});
}

}  // namespace keras::applications
