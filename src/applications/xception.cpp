#include "keras/applications/xception.h"

#include <algorithm>

#include "keras/core/error.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/merging.h"
#include "keras/layers/node.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

constexpr int64_t kDefaultSize = 299;
constexpr int64_t kMinSize = 71;

// Keras's imagenet_utils.obtain_input_shape for channels_last and weights=None.
Shape input_shape_of(const XceptionOptions& o) {
  if (!o.input_shape) {
    return o.include_top ? Shape{kDefaultSize, kDefaultSize, 3} : Shape{kNone, kNone, 3};
  }
  const Shape shape = to_shape(*o.input_shape);
  KERAS_CHECK(
      shape.size() == 3, ValueError,
      "`input_shape` must be a tuple of three integers. Received: input_shape=", shape_str(shape));
  KERAS_CHECK(
      (shape[0] == kNone || shape[0] >= kMinSize) && (shape[1] == kNone || shape[1] >= kMinSize),
      ValueError, "Input size must be at least ", kMinSize, "x", kMinSize,
      "; Received: input_shape=", shape_str(shape));
  KERAS_CHECK(!o.include_top || std::find(shape.begin(), shape.end(), kNone) == shape.end(),
              ValueError,
              "If `include_top` is True, you should specify a static `input_shape`. Received: "
              "input_shape=",
              shape_str(shape));
  return shape;
}

// Keras's operation_utils.get_source_inputs: the Input tensors `t` was computed from.
void collect_source_inputs(const KerasTensor& t, KerasTensors& out) {
  const L::Node& node = *t.layer()->inbound_nodes().at(static_cast<size_t>(t.node_index()));
  if (node.is_input()) {
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    return;
  }
  for (const KerasTensor& x : node.input_tensors) collect_source_inputs(x, out);
}

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
  KERAS_CHECK(!options.weights, ValueError,
              "The `weights` argument should be either `None` (random initialization), "
              "'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
              "loaded. keras.cpp downloads nothing and supports only `None` "
              "(.weights = std::nullopt); received weights=\"",
              options.weights.value_or(""),
              "\". To use trained weights, build the model with .weights = std::nullopt and call "
              "load_weights() on a file you have.");
  KERAS_CHECK(!options.pooling || *options.pooling == "avg" || *options.pooling == "max",
              ValueError, "Xception: pooling must be \"avg\", \"max\" or std::nullopt; received \"",
              options.pooling.value_or(""), "\"");
  KERAS_CHECK(options.classes >= 1, ValueError, "Xception: classes must be at least 1; received ",
              options.classes);

  const Shape shape = input_shape_of(options);
  KerasTensor img_input;
  if (options.input_tensor) {
    img_input = *options.input_tensor;
  } else {
    std::vector<Dim> dims;
    for (int64_t d : shape) dims.push_back(d == kNone ? Dim{} : Dim{d});
    img_input = keras::Input(dims);
  }

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

  if (options.include_top) {
    x = L::GlobalAveragePooling2D({.name = "avg_pool"})(x);
    x = L::Dense(options.classes,
                 {.activation = options.classifier_activation, .name = "predictions"})(x);
  } else if (options.pooling == "avg") {
    x = L::GlobalAveragePooling2D()(x);
  } else if (options.pooling == "max") {
    x = L::GlobalMaxPooling2D()(x);
  }

  KerasTensors inputs;
  if (options.input_tensor) {
    collect_source_inputs(img_input, inputs);
  } else {
    inputs = {img_input};
  }
  return Model(inputs, x, {.name = options.name});
}

}  // namespace keras::applications
