#include "keras/applications/densenet.h"

#include <array>

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
constexpr int64_t kGrowthRate = 32;

KerasTensor bn_relu(const KerasTensor& x, const std::string& name) {
  auto y = L::BatchNormalization({.axis = 3, .epsilon = kEpsilon, .name = name + "_bn"})(x);
  return L::Activation("relu", {.name = name + "_relu"})(y);
}

KerasTensor conv_block(const KerasTensor& x, const std::string& name) {
  auto y = bn_relu(x, name + "_0");
  y = L::Conv2D(4 * kGrowthRate, 1, {.use_bias = false, .name = name + "_1_conv"})(y);
  y = bn_relu(y, name + "_1");
  y = L::Conv2D(kGrowthRate, 3,
                {.padding = "same", .use_bias = false, .name = name + "_2_conv"})(y);
  return L::Concatenate({.axis = 3, .name = name + "_concat"})({x, y});
}

KerasTensor dense_block(KerasTensor x, int blocks, const std::string& name) {
  for (int i = 1; i <= blocks; ++i) x = conv_block(x, name + "_block" + std::to_string(i));
  return x;
}

KerasTensor transition_block(const KerasTensor& x, const std::string& name) {
  auto y = bn_relu(x, name);
  y = L::Conv2D(y.shape()[3] / 2, 1, {.use_bias = false, .name = name + "_conv"})(y);
  return L::AveragePooling2D(2, {.strides = L::IntOrTuple{2}, .name = name + "_pool"})(y);
}

Model densenet(const std::string& model,
               const DenseNetOptions& options,
               const std::array<int, 4>& blocks) {
  internal::check_weights(options.weights);
  internal::check_top_options(model, options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 224, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x = L::ZeroPadding2D({{3, 3}, {3, 3}})(img_input);
  x = L::Conv2D(64, 7, {.strides = 2, .use_bias = false, .name = "conv1_conv"})(x);
  x = bn_relu(x, "conv1");
  x = L::ZeroPadding2D({{1, 1}, {1, 1}})(x);
  x = L::MaxPooling2D(3, {.strides = L::IntOrTuple{2}, .name = "pool1"})(x);

  for (size_t b = 0; b < 4; ++b) {
    x = dense_block(x, blocks[b], "conv" + std::to_string(b + 2));
    if (b < 3) x = transition_block(x, "pool" + std::to_string(b + 2));
  }
  x = L::BatchNormalization({.axis = 3, .epsilon = kEpsilon, .name = "bn"})(x);
  x = L::Activation("relu", {.name = "relu"})(x);

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool",
                        .avg_pool_name = "avg_pool",
                        .max_pool_name = "max_pool"});
  const std::string name = "densenet" + model.substr(model.size() - 3);
  return Model(internal::model_inputs(options.input_tensor, img_input), x,
               {.name = options.name.value_or(name)});
}

}  // namespace

Model DenseNet121(const DenseNetOptions& options) {
  return densenet("DenseNet121", options, {6, 12, 24, 16});
}
Model DenseNet169(const DenseNetOptions& options) {
  return densenet("DenseNet169", options, {6, 12, 32, 32});
}
Model DenseNet201(const DenseNetOptions& options) {
  return densenet("DenseNet201", options, {6, 12, 48, 32});
}

}  // namespace keras::applications
