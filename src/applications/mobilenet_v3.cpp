#include "keras/applications/mobilenet_v3.h"

#include <algorithm>
#include <functional>

#include "applications/imagenet_utils.h"
#include "keras/core/error.h"
#include "keras/layers/activations/relu.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/op_layer.h"
#include "keras/layers/pooling.h"
#include "keras/layers/preprocessing/rescaling.h"
#include "keras/layers/spatial_reshaping.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;
using Act = std::function<KerasTensor(const KerasTensor&)>;

// Keras's _depth: v to a multiple of 8 (at least 8), never 10% below v.
int64_t depth(double v) {
  int64_t d = std::max<int64_t>(8, static_cast<int64_t>(v + 4.0) / 8 * 8);
  if (static_cast<double>(d) < 0.9 * v) d += 8;
  return d;
}

KerasTensor relu(const KerasTensor& x) {
  return L::ReLU()(x);
}
KerasTensor hard_swish(const KerasTensor& x) {
  return L::Activation("hard_swish")(x);
}
KerasTensor hard_sigmoid(const KerasTensor& x) {
  return L::ReLU({.max_value = 6.0})(x + 3.0) * (1.0 / 6.0);
}

KerasTensor bn(const KerasTensor& x, const std::string& name) {
  return L::BatchNormalization({.axis = -1, .momentum = 0.999, .epsilon = 1e-3, .name = name})(x);
}

KerasTensor conv1x1(const KerasTensor& x, int64_t filters, bool use_bias, const std::string& name) {
  return L::Conv2D(filters, 1, {.padding = "same", .use_bias = use_bias, .name = name})(x);
}

KerasTensor se_block(const KerasTensor& inputs,
                     int64_t filters,
                     double se_ratio,
                     const std::string& prefix) {
  auto x = L::GlobalAveragePooling2D(
      {.keepdims = true, .name = prefix + "squeeze_excite_avg_pool"})(inputs);
  x = conv1x1(x, depth(static_cast<double>(filters) * se_ratio), true,
              prefix + "squeeze_excite_conv");
  x = L::ReLU({.name = prefix + "squeeze_excite_relu"})(x);
  x = conv1x1(x, filters, true, prefix + "squeeze_excite_conv_1");
  x = hard_sigmoid(x);
  return L::Multiply({.name = prefix + "squeeze_excite_mul"})({inputs, x});
}

KerasTensor inverted_res_block(const KerasTensor& inputs,
                               double expansion,
                               int64_t filters,
                               int64_t kernel_size,
                               int64_t stride,
                               double se_ratio,
                               const Act& activation,
                               int block_id) {
  const int64_t infilters = inputs.shape().back();
  std::string prefix = "expanded_conv_";
  KerasTensor x = inputs;
  if (block_id) {
    prefix = "expanded_conv_" + std::to_string(block_id) + "_";
    x = conv1x1(x, depth(static_cast<double>(infilters) * expansion), false, prefix + "expand");
    x = bn(x, prefix + "expand_bn");
    x = activation(x);
  }
  if (stride == 2) {
    x = L::ZeroPadding2D(internal::correct_pad(x, kernel_size),
                         {.name = prefix + "depthwise_pad"})(x);
  }
  x = L::DepthwiseConv2D(kernel_size, {.strides = stride,
                                       .padding = stride == 1 ? "same" : "valid",
                                       .use_bias = false,
                                       .name = prefix + "depthwise"})(x);
  x = bn(x, prefix + "depthwise_bn");
  x = activation(x);
  if (se_ratio > 0) {
    x = se_block(x, depth(static_cast<double>(infilters) * expansion), se_ratio, prefix);
  }
  x = conv1x1(x, filters, false, prefix + "project");
  x = bn(x, prefix + "project_bn");
  if (stride == 1 && infilters == filters) x = L::Add({.name = prefix + "add"})({inputs, x});
  return x;
}

// One row of Keras's stack_fn: expansion, filters (before alpha), kernel (0: the model's 3 or
// 5), stride, squeeze-and-excitation, and the model's activation (else ReLU).
struct BlockArgs {
  double expansion;
  int64_t filters, kernel;
  int stride;
  bool se, model_activation;
};
constexpr BlockArgs kSmall[] = {{1, 16, 3, 2, true, false},
                                {72.0 / 16, 24, 3, 2, false, false},
                                {88.0 / 24, 24, 3, 1, false, false},
                                {4, 40, 0, 2, true, true},
                                {6, 40, 0, 1, true, true},
                                {6, 40, 0, 1, true, true},
                                {3, 48, 0, 1, true, true},
                                {3, 48, 0, 1, true, true},
                                {6, 96, 0, 2, true, true},
                                {6, 96, 0, 1, true, true},
                                {6, 96, 0, 1, true, true}};
constexpr BlockArgs kLarge[] = {
    {1, 16, 3, 1, false, false},  {4, 24, 3, 2, false, false},  {3, 24, 3, 1, false, false},
    {3, 40, 0, 2, true, false},   {3, 40, 0, 1, true, false},   {3, 40, 0, 1, true, false},
    {6, 80, 3, 2, false, true},   {2.5, 80, 3, 1, false, true}, {2.3, 80, 3, 1, false, true},
    {2.3, 80, 3, 1, false, true}, {6, 112, 3, 1, true, true},   {6, 112, 3, 1, true, true},
    {6, 160, 0, 2, true, true},   {6, 160, 0, 1, true, true},   {6, 160, 0, 1, true, true}};

template <size_t N>
Model mobilenet_v3(const BlockArgs (&blocks)[N],
                   int64_t last_point_ch,
                   const std::string& model,
                   const MobileNetV3Options& o) {
  internal::check_weights(o.weights);
  internal::check_top_options(model, o.pooling, o.classes);
  const Shape shape = internal::obtain_input_shape(o.input_shape, 224, 32, false);
  if (o.input_tensor) {
    const Shape& t = o.input_tensor->shape();
    KERAS_CHECK(!o.input_shape || t.size() < 3 || t[2] == shape[1], ValueError,
                "input_shape[1] must equal input_tensor.shape[2].  Received input_shape=",
                shape_str(shape), ", input_tensor.shape=", shape_str(t));
    KERAS_CHECK(o.input_shape || t.size() != 4 || t[1] == kNone || t[2] == kNone ||
                    (t[1] >= 32 && t[2] >= 32),
                ValueError,
                "Input size must be at least 32x32; Received `input_shape=", shape_str(t), "`");
  }
  const KerasTensor img_input = internal::image_input(o.input_tensor, shape);

  const Act activation = o.minimalistic ? Act(relu) : Act(hard_swish);
  const int64_t kernel = o.minimalistic ? 3 : 5;
  const double se_ratio = o.minimalistic ? 0.0 : 0.25;

  KerasTensor x = img_input;
  if (o.include_preprocessing) x = L::Rescaling(1.0 / 127.5, {.offset = {-1.0}})(x);
  x = L::Conv2D(16, 3, {.strides = 2, .padding = "same", .use_bias = false, .name = "conv"})(x);
  x = bn(x, "conv_bn");
  x = activation(x);
  for (size_t i = 0; i < N; ++i) {
    const BlockArgs& b = blocks[i];
    x = inverted_res_block(x, b.expansion, depth(static_cast<double>(b.filters) * o.alpha),
                           b.kernel ? b.kernel : kernel, b.stride, b.se ? se_ratio : 0.0,
                           b.model_activation ? activation : Act(relu), static_cast<int>(i));
  }
  const int64_t last_conv_ch = depth(static_cast<double>(x.shape().back()) * 6);
  if (o.alpha > 1.0) last_point_ch = depth(static_cast<double>(last_point_ch) * o.alpha);
  x = conv1x1(x, last_conv_ch, false, "conv_1");
  x = bn(x, "conv_1_bn");
  x = activation(x);
  if (o.include_top) {
    x = L::GlobalAveragePooling2D({.keepdims = true})(x);
    x = conv1x1(x, last_point_ch, true, "conv_2");
    x = activation(x);
    if (o.dropout_rate > 0) x = L::Dropout(o.dropout_rate)(x);
    x = conv1x1(x, o.classes, true, "logits");
    x = L::Flatten()(x);
    x = L::Activation(o.classifier_activation, {.name = "predictions"})(x);
  } else {
    x = internal::top(x, {.include_top = false,
                          .pooling = o.pooling,
                          .avg_pool_name = "avg_pool",
                          .max_pool_name = "max_pool"});
  }
  return Model(internal::model_inputs(o.input_tensor, img_input), x,
               {.name = o.name.value_or(model)});
}

}  // namespace

Model MobileNetV3Small(const MobileNetV3Options& options) {
  return mobilenet_v3(kSmall, 1024, "MobileNetV3Small", options);
}

Model MobileNetV3Large(const MobileNetV3Options& options) {
  return mobilenet_v3(kLarge, 1280, "MobileNetV3Large", options);
}

}  // namespace keras::applications
