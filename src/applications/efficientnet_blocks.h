// What EfficientNet and EfficientNetV2 share (internal to src/applications): Keras's
// CONV_KERNEL_INITIALIZER, the squeeze-and-excitation branch of their blocks and the blocks'
// residual end.
#pragma once

#include <algorithm>
#include <cstdint>
#include <string>

#include "keras/initializers/initializers.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/keras_tensor.h"
#include "keras/layers/merging.h"
#include "keras/layers/pooling.h"

namespace keras::applications::internal {

// VarianceScaling(2.0, "fan_out", "truncated_normal").
inline initializers::Initializer efficientnet_conv_initializer() {
  return initializers::VarianceScaling(
      {.scale = 2.0, .mode = "fan_out", .distribution = "truncated_normal"});
}

// x * sigmoid(conv(swish(conv(mean of x over the image)))): "<name>se_squeeze", "se_reshape",
// "se_reduce" (max(1, int(filters_in * se_ratio)) filters), "se_expand" (`filters`, x's
// channels), "se_excite".
inline KerasTensor squeeze_excite(const KerasTensor& x,
                                  int64_t filters_in,
                                  int64_t filters,
                                  double se_ratio,
                                  const std::string& name) {
  namespace L = keras::layers;
  const int64_t filters_se =
      std::max<int64_t>(1, static_cast<int64_t>(static_cast<double>(filters_in) * se_ratio));
  auto se = L::GlobalAveragePooling2D({.name = name + "se_squeeze"})(x);
  se = L::Reshape({1, 1, filters}, {.name = name + "se_reshape"})(se);
  se = L::Conv2D(filters_se, 1,
                 {.padding = "same",
                  .activation = "swish",
                  .kernel_initializer = efficientnet_conv_initializer(),
                  .name = name + "se_reduce"})(se);
  se = L::Conv2D(filters, 1,
                 {.padding = "same",
                  .activation = "sigmoid",
                  .kernel_initializer = efficientnet_conv_initializer(),
                  .name = name + "se_expand"})(se);
  return L::multiply({x, se}, {.name = name + "se_excite"});
}

// A block's end: x + inputs ("<name>add", after Dropout(drop_rate, noise_shape (None, 1, 1, 1))
// "<name>drop" when drop_rate > 0) where the block keeps the stride and the channels, else x.
inline KerasTensor block_residual(const KerasTensor& x,
                                  const KerasTensor& inputs,
                                  bool same_shape,
                                  double drop_rate,
                                  const std::string& name) {
  namespace L = keras::layers;
  if (!same_shape) return x;
  KerasTensor y = x;
  if (drop_rate > 0) {
    y = L::Dropout(drop_rate, {.noise_shape = {{std::nullopt, 1, 1, 1}}, .name = name + "drop"})(y);
  }
  return L::add({y, inputs}, {.name = name + "add"});
}

}  // namespace keras::applications::internal
