#include "keras/applications/vgg.h"

#include <array>

#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/core_layers.h"
#include "keras/layers/dense.h"
#include "keras/layers/pooling.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

Model vgg(const std::string& model, const VGGOptions& options, const std::array<int, 5>& convs) {
  internal::check_weights(options.weights);
  internal::check_top_options(model, options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 224, 32, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  static constexpr int64_t kFilters[] = {64, 128, 256, 512, 512};
  KerasTensor x = img_input;
  for (size_t b = 0; b < 5; ++b) {
    const std::string block = "block" + std::to_string(b + 1);
    for (int i = 1; i <= convs[b]; ++i) {
      x = L::Conv2D(
          kFilters[b], 3,
          {.padding = "same", .activation = "relu", .name = block + "_conv" + std::to_string(i)})(
          x);
    }
    x = L::MaxPooling2D(2, {.strides = L::IntOrTuple{2}, .name = block + "_pool"})(x);
  }

  if (options.include_top) {
    x = L::Flatten({.name = "flatten"})(x);
    x = L::Dense(4096, {.activation = "relu", .name = "fc1"})(x);
    x = L::Dense(4096, {.activation = "relu", .name = "fc2"})(x);
    x = L::Dense(options.classes,
                 {.activation = options.classifier_activation, .name = "predictions"})(x);
  } else {
    x = internal::top(x, {.include_top = false, .pooling = options.pooling});
  }
  std::string name = model == "VGG16" ? "vgg16" : "vgg19";
  return Model(internal::model_inputs(options.input_tensor, img_input), x,
               {.name = options.name.value_or(name)});
}

}  // namespace

Model VGG16(const VGGOptions& options) {
  return vgg("VGG16", options, {2, 2, 3, 3, 3});
}
Model VGG19(const VGGOptions& options) {
  return vgg("VGG19", options, {2, 2, 4, 4, 4});
}

}  // namespace keras::applications
