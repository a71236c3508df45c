#include "keras/applications/mobilenet_v2.h"

#include <cmath>
#include <cstdio>

#include "applications/imagenet_utils.h"
#include "keras/core/error.h"
#include "keras/layers/activations/relu.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/spatial_reshaping.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

// Keras's _make_divisible: v rounded to the nearest multiple of `divisor` (at least divisor),
// never more than 10% below v.
int64_t make_divisible(double v, int64_t divisor = 8) {
  int64_t new_v = std::max(
      divisor, static_cast<int64_t>(v + static_cast<double>(divisor) / 2) / divisor * divisor);
  if (static_cast<double>(new_v) < 0.9 * v) new_v += divisor;
  return new_v;
}

KerasTensor bn(const KerasTensor& x, const std::string& name) {
  return L::BatchNormalization({.axis = -1, .momentum = 0.999, .epsilon = 1e-3, .name = name})(x);
}

KerasTensor relu6(const KerasTensor& x, const std::string& name) {
  return L::ReLU({.max_value = 6.0, .name = name})(x);
}

KerasTensor inverted_res_block(const KerasTensor& inputs,
                               int64_t expansion,
                               int64_t stride,
                               double alpha,
                               int64_t filters,
                               int block_id) {
  const int64_t in_channels = inputs.shape().back();
  const int64_t pointwise_filters = make_divisible(
      static_cast<double>(static_cast<int64_t>(static_cast<double>(filters) * alpha)));
  KerasTensor x = inputs;
  std::string prefix = "block_" + std::to_string(block_id) + "_";
  if (block_id != 0) {
    x = L::Conv2D(expansion * in_channels, 1,
                  {.padding = "same", .use_bias = false, .name = prefix + "expand"})(x);
    x = bn(x, prefix + "expand_BN");
    x = relu6(x, prefix + "expand_relu");
  } else {
    prefix = "expanded_conv_";
  }
  if (stride == 2) {
    x = L::ZeroPadding2D(internal::correct_pad(x, 3), {.name = prefix + "pad"})(x);
  }
  x = L::DepthwiseConv2D(3, {.strides = stride,
                             .padding = stride == 1 ? "same" : "valid",
                             .use_bias = false,
                             .name = prefix + "depthwise"})(x);
  x = bn(x, prefix + "depthwise_BN");
  x = relu6(x, prefix + "depthwise_relu");
  x = L::Conv2D(pointwise_filters, 1,
                {.padding = "same", .use_bias = false, .name = prefix + "project"})(x);
  x = bn(x, prefix + "project_BN");
  if (in_channels == pointwise_filters && stride == 1) {
    return L::Add({.name = prefix + "add"})({inputs, x});
  }
  return x;
}

std::string default_name(double alpha, int64_t rows) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "mobilenetv2_%0.2f_", alpha);
  return buf + (rows == kNone ? std::string("None") : std::to_string(rows));
}

}  // namespace

Model MobileNetV2(const MobileNetV2Options& options) {
  internal::check_weights(options.weights);
  internal::check_top_options("MobileNetV2", options.pooling, options.classes);
  KERAS_CHECK(options.alpha > 0, ValueError, "MobileNetV2: alpha must be positive; received ",
              options.alpha);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 224, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);
  const double alpha = options.alpha;

  auto x =
      L::Conv2D(make_divisible(32 * alpha), 3,
                {.strides = 2, .padding = "same", .use_bias = false, .name = "Conv1"})(img_input);
  x = bn(x, "bn_Conv1");
  x = relu6(x, "Conv1_relu");

  struct Block {
    int64_t filters, stride, expansion;
  };
  static constexpr Block kBlocks[] = {{16, 1, 1},  {24, 2, 6}, {24, 1, 6}, {32, 2, 6},  {32, 1, 6},
                                      {32, 1, 6},  {64, 2, 6}, {64, 1, 6}, {64, 1, 6},  {64, 1, 6},
                                      {96, 1, 6},  {96, 1, 6}, {96, 1, 6}, {160, 2, 6}, {160, 1, 6},
                                      {160, 1, 6}, {320, 1, 6}};
  int block_id = 0;
  for (const Block& b : kBlocks) {
    x = inverted_res_block(x, b.expansion, b.stride, alpha, b.filters, block_id++);
  }

  const int64_t last_block_filters = alpha > 1.0 ? make_divisible(1280 * alpha) : 1280;
  x = L::Conv2D(last_block_filters, 1, {.use_bias = false, .name = "Conv_1"})(x);
  x = bn(x, "Conv_1_bn");
  x = relu6(x, "out_relu");

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation});
  return Model(internal::model_inputs(options.input_tensor, img_input), x,
               {.name = options.name.value_or(default_name(alpha, shape[0]))});
}

}  // namespace keras::applications
