#include "applications/imagenet_utils.h"

#include <algorithm>

#include "keras/core/error.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/node.h"
#include "keras/layers/pooling.h"

namespace keras::applications::internal {
namespace {

namespace L = keras::layers;

void collect_source_inputs(const KerasTensor& t, KerasTensors& out) {
  const L::Node& node = *t.layer()->inbound_nodes().at(static_cast<size_t>(t.node_index()));
  if (node.is_input()) {
    if (std::find(out.begin(), out.end(), t) == out.end()) out.push_back(t);
    return;
  }
  for (const KerasTensor& x : node.input_tensors) collect_source_inputs(x, out);
}

}  // namespace

void check_weights(const std::optional<std::string>& weights) {
  KERAS_CHECK(!weights, ValueError,
              "The `weights` argument should be either `None` (random initialization), "
              "'imagenet' (pre-training on ImageNet), or the path to the weights file to be "
              "loaded. keras.cpp downloads nothing and supports only `None` "
              "(.weights = std::nullopt); received weights=\"",
              weights.value_or(""),
              "\". To use trained weights, build the model with .weights = std::nullopt and call "
              "load_weights() on a file you have.");
}

void check_top_options(const std::string& model,
                       const std::optional<std::string>& pooling,
                       int64_t classes) {
  KERAS_CHECK(!pooling || *pooling == "avg" || *pooling == "max", ValueError, model,
              ": pooling must be \"avg\", \"max\" or std::nullopt; received \"",
              pooling.value_or(""), "\"");
  KERAS_CHECK(classes >= 1, ValueError, model, ": classes must be at least 1; received ", classes);
}

Shape obtain_input_shape(const OptionalDims& input_shape,
                         int64_t default_size,
                         int64_t min_size,
                         bool require_flatten) {
  if (!input_shape) {
    return require_flatten ? Shape{default_size, default_size, 3} : Shape{kNone, kNone, 3};
  }
  const Shape shape = to_shape(*input_shape);
  KERAS_CHECK(
      shape.size() == 3, ValueError,
      "`input_shape` must be a tuple of three integers. Received: input_shape=", shape_str(shape));
  KERAS_CHECK(
      (shape[0] == kNone || shape[0] >= min_size) && (shape[1] == kNone || shape[1] >= min_size),
      ValueError, "Input size must be at least ", min_size, "x", min_size,
      "; Received: input_shape=", shape_str(shape));
  KERAS_CHECK(!require_flatten || std::find(shape.begin(), shape.end(), kNone) == shape.end(),
              ValueError,
              "If `include_top` is True, you should specify a static `input_shape`. Received: "
              "input_shape=",
              shape_str(shape));
  return shape;
}

KerasTensor image_input(const std::optional<KerasTensor>& input_tensor, const Shape& shape) {
  if (input_tensor) return *input_tensor;
  std::vector<Dim> dims;
  for (int64_t d : shape) dims.push_back(d == kNone ? Dim{} : Dim{d});
  return keras::Input(dims);
}

KerasTensors model_inputs(const std::optional<KerasTensor>& input_tensor, const KerasTensor& t) {
  if (!input_tensor) return {t};
  KerasTensors inputs;
  collect_source_inputs(*input_tensor, inputs);
  return inputs;
}

layers::SpatialPadding correct_pad(const KerasTensor& x, int64_t kernel_size) {
  const Shape& s = x.shape();  // (batch, rows, cols, channels)
  const int64_t correct = kernel_size / 2;
  const int64_t adjust_rows = s[1] == kNone ? 1 : 1 - s[1] % 2;
  const int64_t adjust_cols = s[1] == kNone || s[2] == kNone ? 1 : 1 - s[2] % 2;
  return {L::PadPair{correct - adjust_rows, correct}, L::PadPair{correct - adjust_cols, correct}};
}

KerasTensor top(const KerasTensor& x, const TopOptions& o) {
  if (o.include_top) {
    auto y = L::GlobalAveragePooling2D({.name = o.top_pool_name})(x);
    if (o.dropout > 0) y = L::Dropout(o.dropout, {.name = "top_dropout"})(y);
    return L::Dense(o.classes, {.activation = o.classifier_activation,
                                .kernel_initializer = o.dense_kernel_initializer,
                                .name = "predictions"})(y);
  }
  if (o.pooling == "avg") return L::GlobalAveragePooling2D({.name = o.avg_pool_name})(x);
  if (o.pooling == "max") return L::GlobalMaxPooling2D({.name = o.max_pool_name})(x);
  return x;
}

}  // namespace keras::applications::internal
