// What Keras's applications share (keras/src/applications/imagenet_utils.py and the models'
// common argument checks), for channels_last images and weights=None.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "keras/initializers/initializers.h"
#include "keras/layers/activation.h"
#include "keras/layers/keras_tensor.h"
#include "keras/layers/spatial_reshaping.h"

namespace keras::applications::internal {

// ValueError (Keras's wording, plus why keras.cpp refuses) unless `weights` is std::nullopt.
void check_weights(const std::optional<std::string>& weights);
// ValueError unless pooling is std::nullopt, "avg" or "max"; classes must be >= 1.
void check_top_options(const std::string& model,
                       const std::optional<std::string>& pooling,
                       int64_t classes);

// obtain_input_shape: the given (rows, cols, channels) checked (3 dims, rows and cols >= min_size
// or None, all known when require_flatten), or the default ((default_size, default_size, 3) with
// the top, (None, None, 3) without it).
Shape obtain_input_shape(const OptionalDims& input_shape,
                         int64_t default_size,
                         int64_t min_size,
                         bool require_flatten);

// The given input tensor, or a new Input of `shape`.
KerasTensor image_input(const std::optional<KerasTensor>& input_tensor, const Shape& shape);
// operation_utils.get_source_inputs: the Input tensors `t` was computed from (the model's inputs
// when an input tensor was given), else {t}.
KerasTensors model_inputs(const std::optional<KerasTensor>& input_tensor, const KerasTensor& t);

// correct_pad: the ZeroPadding2D amounts before a stride-2 "valid" convolution of `kernel_size`
// that give "same"-like output as TensorFlow's padding (one row/column less before for even
// sizes; unknown sizes are treated as even).
layers::SpatialPadding correct_pad(const KerasTensor& x, int64_t kernel_size);

// The classifier or pooling head: with the top, GlobalAveragePooling2D named `top_pool_name`
// + Dense(classes, classifier_activation, "predictions") (with `dropout` > 0 a Dropout named
// "top_dropout" between them, as EfficientNet); without it, "avg" / "max" global pooling named
// `avg_pool_name` / `max_pool_name`. Empty names are Keras's automatic ones.
struct TopOptions {
  bool include_top = true;
  std::optional<std::string> pooling = std::nullopt;
  int64_t classes = 1000;
  layers::ActivationFn classifier_activation = "softmax";
  std::string top_pool_name = {};
  std::string avg_pool_name = {};
  std::string max_pool_name = {};
  double dropout = 0.0;
  initializers::Initializer dense_kernel_initializer = "glorot_uniform";
};
KerasTensor top(const KerasTensor& x, const TopOptions& options);

}  // namespace keras::applications::internal
