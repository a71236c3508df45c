#include "keras/applications/xception.h"

#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

KerasTensor batch_norm(const KerasTensor& x, const std::string& name = {}) {
  return L::BatchNormalization({.axis = -1, .name = name})(x);
}

KerasTensor relu(const KerasTensor& x, const std::string& name) {
  return L::Activation("relu", {.name = name})(x);
}

// SeparableConv2D(filters, 3x3, same, no bias) + BatchNormalization named "<name>" and
// "<name>_bn".
KerasTensor separable_bn(const KerasTensor& x, int64_t filters, const std::string& name) {
  auto y =
      L::SeparableConv2D(filters, {3, 3}, {.padding = "same", .use_bias = false, .name = name})(x);
  return batch_norm(y, name + "_bn");
}

// The strided 1x1 projection shortcut of blocks 2-4 and 13 (unnamed, as in Keras).
KerasTensor projection(const KerasTensor& x, int64_t filters) {
  auto r = L::Conv2D(filters, {1, 1}, {.strides = {2, 2}, .padding = "same", .use_bias = false})(x);
  return batch_norm(r);
}

KerasTensor max_pool(const KerasTensor& x, const std::string& name) {
  return L::MaxPooling2D({3, 3},
                         {.strides = L::IntOrTuple{2, 2}, .padding = "same", .name = name})(x);
}

}  // namespace

Model Xception(const XceptionOptions& options) {
  internal::check_weights(options.weights);
  internal::check_top_options("Xception", options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 299, 71, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  // Entry flow.
  auto x = L::Conv2D(32, {3, 3},
                     {.strides = {2, 2}, .use_bias = false, .name = "block1_conv1"})(img_input);
  x = batch_norm(x, "block1_conv1_bn");
  x = relu(x, "block1_conv1_act");
  x = L::Conv2D(64, {3, 3}, {.use_bias = false, .name = "block1_conv2"})(x);
  x = batch_norm(x, "block1_conv2_bn");
  x = relu(x, "block1_conv2_act");

  auto residual = projection(x, 128);
  x = separable_bn(x, 128, "block2_sepconv1");
  x = relu(x, "block2_sepconv2_act");
  x = separable_bn(x, 128, "block2_sepconv2");
  x = max_pool(x, "block2_pool");
  x = L::add({x, residual});

  for (auto [block, filters] : {std::pair{3, int64_t{256}}, std::pair{4, int64_t{728}}}) {
    const std::string prefix = "block" + std::to_string(block);
    residual = projection(x, filters);
    x = relu(x, prefix + "_sepconv1_act");
    x = separable_bn(x, filters, prefix + "_sepconv1");
    x = relu(x, prefix + "_sepconv2_act");
    x = separable_bn(x, filters, prefix + "_sepconv2");
    x = max_pool(x, prefix + "_pool");
    x = L::add({x, residual});
  }

  // Middle flow: eight residual blocks of three separable convolutions.
  for (int block = 5; block <= 12; ++block) {
    const std::string prefix = "block" + std::to_string(block);
    residual = x;
    for (int i = 1; i <= 3; ++i) {
      const std::string conv = prefix + "_sepconv" + std::to_string(i);
      x = relu(x, conv + "_act");
      x = separable_bn(x, 728, conv);
    }
    x = L::add({x, residual});
  }

  // Exit flow.
  residual = projection(x, 1024);
  x = relu(x, "block13_sepconv1_act");
  x = separable_bn(x, 728, "block13_sepconv1");
  x = relu(x, "block13_sepconv2_act");
  x = separable_bn(x, 1024, "block13_sepconv2");
  x = max_pool(x, "block13_pool");
  x = L::add({x, residual});

  x = separable_bn(x, 1536, "block14_sepconv1");
  x = relu(x, "block14_sepconv1_act");
  x = separable_bn(x, 2048, "block14_sepconv2");
  x = relu(x, "block14_sepconv2_act");

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool"});
  return Model(internal::model_inputs(options.input_tensor, img_input), x, {.name = options.name});
}

}  // namespace keras::applications
