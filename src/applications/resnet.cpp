#include "keras/applications/resnet.h"

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

}  // namespace

Model ResNet50(const ResNetOptions& options) {
  internal::check_weights(options.weights);
  internal::check_top_options("ResNet50", options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 224, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x = L::ZeroPadding2D({{3, 3}, {3, 3}}, {.name = "conv1_pad"})(img_input);
  x = L::Conv2D(64, 7, {.strides = 2, .name = "conv1_conv"})(x);
  x = L::BatchNormalization({.axis = 3, .epsilon = kEpsilon, .name = "conv1_bn"})(x);
  x = L::Activation("relu", {.name = "conv1_relu"})(x);
  x = L::ZeroPadding2D({{1, 1}, {1, 1}}, {.name = "pool1_pad"})(x);
  x = L::MaxPooling2D(3, {.strides = L::IntOrTuple{2}, .name = "pool1_pool"})(x);

  x = stack_v1(x, 64, 3, 1, "conv2");
  x = stack_v1(x, 128, 4, 2, "conv3");
  x = stack_v1(x, 256, 6, 2, "conv4");
  x = stack_v1(x, 512, 3, 2, "conv5");

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool",
                        .avg_pool_name = "avg_pool",
                        .max_pool_name = "max_pool"});
  return Model(internal::model_inputs(options.input_tensor, img_input), x, {.name = options.name});
}

}  // namespace keras::applications
