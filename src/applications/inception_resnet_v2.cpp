#include "keras/applications/inception_resnet_v2.h"

#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/custom_scale_layer.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

// Keras's conv2d_bn: an empty name gives Keras's automatic names.
KerasTensor conv2d_bn(const KerasTensor& x,
                      int64_t filters,
                      L::IntOrTuple kernel,
                      int64_t stride = 1,
                      const std::string& padding = "same",
                      const std::string& name = {}) {
  auto y = L::Conv2D(filters, std::move(kernel),
                     {.strides = stride, .padding = padding, .use_bias = false, .name = name})(x);
  y = L::BatchNormalization({.axis = 3, .scale = false, .name = name.empty() ? "" : name + "_bn"})(
      y);
  return L::Activation("relu", {.name = name.empty() ? "" : name + "_ac"})(y);
}

KerasTensor max_pool(const KerasTensor& x) {
  return L::MaxPooling2D(3, {.strides = L::IntOrTuple{2}})(x);
}

KerasTensor inception_resnet_block(const KerasTensor& x,
                                   double scale,
                                   const std::string& block_type,
                                   int block_idx,
                                   bool activation = true) {
  KerasTensors branches;
  if (block_type == "block35") {
    auto b0 = conv2d_bn(x, 32, 1);
    auto b1 = conv2d_bn(conv2d_bn(x, 32, 1), 32, 3);
    auto b2 = conv2d_bn(x, 32, 1);
    b2 = conv2d_bn(b2, 48, 3);
    b2 = conv2d_bn(b2, 64, 3);
    branches = {b0, b1, b2};
  } else if (block_type == "block17") {
    auto b0 = conv2d_bn(x, 192, 1);
    auto b1 = conv2d_bn(x, 128, 1);
    b1 = conv2d_bn(b1, 160, {1, 7});
    b1 = conv2d_bn(b1, 192, {7, 1});
    branches = {b0, b1};
  } else {  // block8
    auto b0 = conv2d_bn(x, 192, 1);
    auto b1 = conv2d_bn(x, 192, 1);
    b1 = conv2d_bn(b1, 224, {1, 3});
    b1 = conv2d_bn(b1, 256, {3, 1});
    branches = {b0, b1};
  }
  const std::string block_name = block_type + "_" + std::to_string(block_idx);
  auto mixed = L::Concatenate({.axis = 3, .name = block_name + "_mixed"})(branches);
  auto up = L::Conv2D(x.shape()[3], 1, {.padding = "same", .name = block_name + "_conv"})(mixed);
  auto y = L::CustomScaleLayer(scale)({x, up});
  if (activation) y = L::Activation("relu", {.name = block_name + "_ac"})(y);
  return y;
}

}  // namespace

Model InceptionResNetV2(const InceptionResNetV2Options& options) {
  internal::check_weights(options.weights);
  internal::check_top_options("InceptionResNetV2", options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 299, 75, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x = conv2d_bn(img_input, 32, 3, 2, "valid");
  x = conv2d_bn(x, 32, 3, 1, "valid");
  x = conv2d_bn(x, 64, 3);
  x = max_pool(x);
  x = conv2d_bn(x, 80, 1, 1, "valid");
  x = conv2d_bn(x, 192, 3, 1, "valid");
  x = max_pool(x);

  {
    auto b0 = conv2d_bn(x, 96, 1);
    auto b1 = conv2d_bn(conv2d_bn(x, 48, 1), 64, 5);
    auto b2 = conv2d_bn(x, 64, 1);
    b2 = conv2d_bn(b2, 96, 3);
    b2 = conv2d_bn(b2, 96, 3);
    auto pool = L::AveragePooling2D(3, {.strides = L::IntOrTuple{1}, .padding = "same"})(x);
    pool = conv2d_bn(pool, 64, 1);
    x = L::Concatenate({.axis = 3, .name = "mixed_5b"})({b0, b1, b2, pool});
  }
  for (int i = 1; i <= 10; ++i) x = inception_resnet_block(x, 0.17, "block35", i);

  {
    auto b0 = conv2d_bn(x, 384, 3, 2, "valid");
    auto b1 = conv2d_bn(x, 256, 1);
    b1 = conv2d_bn(b1, 256, 3);
    b1 = conv2d_bn(b1, 384, 3, 2, "valid");
    x = L::Concatenate({.axis = 3, .name = "mixed_6a"})({b0, b1, max_pool(x)});
  }
  for (int i = 1; i <= 20; ++i) x = inception_resnet_block(x, 0.1, "block17", i);

  {
    auto b0 = conv2d_bn(conv2d_bn(x, 256, 1), 384, 3, 2, "valid");
    auto b1 = conv2d_bn(conv2d_bn(x, 256, 1), 288, 3, 2, "valid");
    auto b2 = conv2d_bn(x, 256, 1);
    b2 = conv2d_bn(b2, 288, 3);
    b2 = conv2d_bn(b2, 320, 3, 2, "valid");
    x = L::Concatenate({.axis = 3, .name = "mixed_7a"})({b0, b1, b2, max_pool(x)});
  }
  for (int i = 1; i <= 9; ++i) x = inception_resnet_block(x, 0.2, "block8", i);
  x = inception_resnet_block(x, 1.0, "block8", 10, false);
  x = conv2d_bn(x, 1536, 1, 1, "same", "conv_7b");

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool"});
  return Model(internal::model_inputs(options.input_tensor, img_input), x, {.name = options.name});
}

}  // namespace keras::applications
