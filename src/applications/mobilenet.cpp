#include "keras/applications/mobilenet.h"

#include <cstdio>

#include "applications/imagenet_utils.h"
#include "keras/layers/activations/relu.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"
#include "keras/layers/spatial_reshaping.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

int64_t scaled(int64_t filters, double alpha) {
  return static_cast<int64_t>(static_cast<double>(filters) * alpha);
}

KerasTensor bn_relu6(const KerasTensor& x, const std::string& name) {
  auto y = L::BatchNormalization({.axis = -1, .name = name + "_bn"})(x);
  return L::ReLU({.max_value = 6.0, .name = name + "_relu"})(y);
}

KerasTensor depthwise_conv_block(const KerasTensor& inputs,
                                 int64_t pointwise_filters,
                                 double alpha,
                                 int64_t depth_multiplier,
                                 int64_t stride,
                                 int block_id) {
  const std::string id = std::to_string(block_id);
  KerasTensor x = inputs;
  if (stride != 1) x = L::ZeroPadding2D({{0, 1}, {0, 1}}, {.name = "conv_pad_" + id})(x);
  x = L::DepthwiseConv2D(3, {.strides = stride,
                             .padding = stride == 1 ? "same" : "valid",
                             .depth_multiplier = depth_multiplier,
                             .use_bias = false,
                             .name = "conv_dw_" + id})(x);
  x = bn_relu6(x, "conv_dw_" + id);
  x = L::Conv2D(scaled(pointwise_filters, alpha), 1,
                {.padding = "same", .use_bias = false, .name = "conv_pw_" + id})(x);
  return bn_relu6(x, "conv_pw_" + id);
}

std::string default_name(double alpha, int64_t rows) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "mobilenet_%0.2f_", alpha);
  return buf + (rows == kNone ? std::string("None") : std::to_string(rows));
}

}  // namespace

Model MobileNet(const MobileNetOptions& options) {
  internal::check_weights(options.weights);
  internal::check_top_options("MobileNet", options.pooling, options.classes);
  const double alpha = options.alpha;
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 224, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x =
      L::Conv2D(scaled(32, alpha), 3,
                {.strides = 2, .padding = "same", .use_bias = false, .name = "conv1"})(img_input);
  x = bn_relu6(x, "conv1");

  struct Block {
    int64_t filters, stride;
  };
  static constexpr Block kBlocks[] = {{64, 1},  {128, 2},  {128, 1}, {256, 2}, {256, 1},
                                      {512, 2}, {512, 1},  {512, 1}, {512, 1}, {512, 1},
                                      {512, 1}, {1024, 2}, {1024, 1}};
  int block_id = 1;
  for (const Block& b : kBlocks) {
    x = depthwise_conv_block(x, b.filters, alpha, options.depth_multiplier, b.stride, block_id++);
  }

  if (options.include_top) {
    x = L::GlobalAveragePooling2D({.keepdims = true})(x);
    x = L::Dropout(options.dropout, {.name = "dropout"})(x);
    x = L::Conv2D(options.classes, 1, {.padding = "same", .name = "conv_preds"})(x);
    x = L::Reshape({options.classes}, {.name = "reshape_2"})(x);
    x = L::Activation(options.classifier_activation, {.name = "predictions"})(x);
  } else {
    x = internal::top(x, {.include_top = false, .pooling = options.pooling});
  }
  return Model(internal::model_inputs(options.input_tensor, img_input), x,
               {.name = options.name.value_or(default_name(alpha, shape[0]))});
}

}  // namespace keras::applications
