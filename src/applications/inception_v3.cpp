#include "keras/applications/inception_v3.h"

#include "applications/imagenet_utils.h"
#include "keras/layers/convolutional.h"
#include "keras/layers/merging.h"
#include "keras/layers/normalization.h"
#include "keras/layers/pooling.h"

namespace keras::applications {
namespace {

namespace L = keras::layers;

// Keras's conv2d_bn, unnamed (as InceptionV3 calls it).
KerasTensor conv2d_bn(const KerasTensor& x,
                      int64_t filters,
                      int64_t rows,
                      int64_t cols,
                      const std::string& padding = "same",
                      int64_t stride = 1) {
  auto y = L::Conv2D(filters, {rows, cols},
                     {.strides = stride, .padding = padding, .use_bias = false})(x);
  y = L::BatchNormalization({.axis = 3, .scale = false})(y);
  return L::Activation("relu")(y);
}

KerasTensor avg_pool_same(const KerasTensor& x) {
  return L::AveragePooling2D(3, {.strides = L::IntOrTuple{1}, .padding = "same"})(x);
}

KerasTensor max_pool(const KerasTensor& x) {
  return L::MaxPooling2D(3, {.strides = L::IntOrTuple{2}})(x);
}

KerasTensor concat(const KerasTensors& branches, const std::string& name = {}) {
  return L::Concatenate({.axis = 3, .name = name})(branches);
}

// mixed0..mixed2: 1x1, 5x5, double 3x3 and pooled branches.
KerasTensor block_35(const KerasTensor& x, int64_t pool_filters, const std::string& name) {
  auto b1x1 = conv2d_bn(x, 64, 1, 1);
  auto b5x5 = conv2d_bn(x, 48, 1, 1);
  b5x5 = conv2d_bn(b5x5, 64, 5, 5);
  auto b3x3dbl = conv2d_bn(x, 64, 1, 1);
  b3x3dbl = conv2d_bn(b3x3dbl, 96, 3, 3);
  b3x3dbl = conv2d_bn(b3x3dbl, 96, 3, 3);
  auto pool = conv2d_bn(avg_pool_same(x), pool_filters, 1, 1);
  return concat({b1x1, b5x5, b3x3dbl, pool}, name);
}

// mixed4..mixed7: factorized 7x7 branches of width c.
KerasTensor block_17(const KerasTensor& x, int64_t c, const std::string& name) {
  auto b1x1 = conv2d_bn(x, 192, 1, 1);
  auto b7x7 = conv2d_bn(x, c, 1, 1);
  b7x7 = conv2d_bn(b7x7, c, 1, 7);
  b7x7 = conv2d_bn(b7x7, 192, 7, 1);
  auto b7x7dbl = conv2d_bn(x, c, 1, 1);
  b7x7dbl = conv2d_bn(b7x7dbl, c, 7, 1);
  b7x7dbl = conv2d_bn(b7x7dbl, c, 1, 7);
  b7x7dbl = conv2d_bn(b7x7dbl, c, 7, 1);
  b7x7dbl = conv2d_bn(b7x7dbl, 192, 1, 7);
  auto pool = conv2d_bn(avg_pool_same(x), 192, 1, 1);
  return concat({b1x1, b7x7, b7x7dbl, pool}, name);
}

// mixed9, mixed10: expanded 1x3 / 3x1 branches.
KerasTensor block_8(const KerasTensor& x, int i) {
  auto b1x1 = conv2d_bn(x, 320, 1, 1);
  auto b3x3 = conv2d_bn(x, 384, 1, 1);
  auto b3x3_1 = conv2d_bn(b3x3, 384, 1, 3);
  auto b3x3_2 = conv2d_bn(b3x3, 384, 3, 1);
  b3x3 = concat({b3x3_1, b3x3_2}, "mixed9_" + std::to_string(i));
  auto b3x3dbl = conv2d_bn(x, 448, 1, 1);
  b3x3dbl = conv2d_bn(b3x3dbl, 384, 3, 3);
  auto b3x3dbl_1 = conv2d_bn(b3x3dbl, 384, 1, 3);
  auto b3x3dbl_2 = conv2d_bn(b3x3dbl, 384, 3, 1);
  b3x3dbl = concat({b3x3dbl_1, b3x3dbl_2});
  auto pool = conv2d_bn(avg_pool_same(x), 192, 1, 1);
  return concat({b1x1, b3x3, b3x3dbl, pool}, "mixed" + std::to_string(9 + i));
}

}  // namespace

Model InceptionV3(const InceptionV3Options& options) {
  internal::check_weights(options.weights);
  internal::check_top_options("InceptionV3", options.pooling, options.classes);
  const Shape shape =
      internal::obtain_input_shape(options.input_shape, 299, 75, options.include_top);
  const KerasTensor img_input = internal::image_input(options.input_tensor, shape);

  auto x = conv2d_bn(img_input, 32, 3, 3, "valid", 2);
  x = conv2d_bn(x, 32, 3, 3, "valid");
  x = conv2d_bn(x, 64, 3, 3);
  x = max_pool(x);
  x = conv2d_bn(x, 80, 1, 1, "valid");
  x = conv2d_bn(x, 192, 3, 3, "valid");
  x = max_pool(x);

  x = block_35(x, 32, "mixed0");
  x = block_35(x, 64, "mixed1");
  x = block_35(x, 64, "mixed2");

  {
    auto b3x3 = conv2d_bn(x, 384, 3, 3, "valid", 2);
    auto b3x3dbl = conv2d_bn(x, 64, 1, 1);
    b3x3dbl = conv2d_bn(b3x3dbl, 96, 3, 3);
    b3x3dbl = conv2d_bn(b3x3dbl, 96, 3, 3, "valid", 2);
    x = concat({b3x3, b3x3dbl, max_pool(x)}, "mixed3");
  }

  x = block_17(x, 128, "mixed4");
  x = block_17(x, 160, "mixed5");
  x = block_17(x, 160, "mixed6");
  x = block_17(x, 192, "mixed7");

  {
    auto b3x3 = conv2d_bn(x, 192, 1, 1);
    b3x3 = conv2d_bn(b3x3, 320, 3, 3, "valid", 2);
    auto b7x7x3 = conv2d_bn(x, 192, 1, 1);
    b7x7x3 = conv2d_bn(b7x7x3, 192, 1, 7);
    b7x7x3 = conv2d_bn(b7x7x3, 192, 7, 1);
    b7x7x3 = conv2d_bn(b7x7x3, 192, 3, 3, "valid", 2);
    x = concat({b3x3, b7x7x3, max_pool(x)}, "mixed8");
  }

  x = block_8(x, 0);
  x = block_8(x, 1);

  x = internal::top(x, {.include_top = options.include_top,
                        .pooling = options.pooling,
                        .classes = options.classes,
                        .classifier_activation = options.classifier_activation,
                        .top_pool_name = "avg_pool"});
  return Model(internal::model_inputs(options.input_tensor, img_input), x, {.name = options.name});
}

}  // namespace keras::applications
