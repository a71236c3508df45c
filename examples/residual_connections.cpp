// The guide's residual connections on convolution layers.
//
// The identity shortcut: a same-padded convolution with as many filters as the input has channels
// keeps the shape, so the input can be added to its output.
//
//   x = Input(shape=(256, 256, 3))
//   y = Conv2D(3, (3, 3), padding='same')(x)
//   z = add([x, y])                                     # x + y
//
// The projection shortcut: when the block changes the shape (more channels, a stride-2 max-pool),
// the shortcut is a strided 1x1 convolution that linearly downsamples x to the shape of y.
//
//   y = Conv2D(128, 3, activation='relu', padding='same')(x)
//   y = Conv2D(128, 3, activation='relu', padding='same')(y)
//   y = MaxPooling2D(2, strides=2)(y)
//   residual = Conv2D(128, 1, strides=2, padding='same')(x)
//   y = add([y, residual])
//
// Both are trained for a few steps on random images to show the gradients flow through both
// branches. Usage: residual_connections [projection_size] [samples]: the identity shortcut is on
// 256x256 RGB images, the projection shortcut on projection_size^2 x 64 feature maps (32 by
// default).
#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;

void train_briefly(keras::Model& model, const keras::Shape& input_shape, int64_t samples) {
  keras::Shape x_shape{samples};
  x_shape.insert(x_shape.end(), input_shape.begin() + 1, input_shape.end());
  keras::Shape y_shape{samples};
  y_shape.insert(y_shape.end(), model.output().shape().begin() + 1, model.output().shape().end());
  keras::Tensor x = keras::random::uniform(x_shape);
  keras::Tensor y = keras::random::uniform(y_shape);
  model.compile({.optimizer = "adam", .loss = "mse"});
  auto history = model.fit(x, y, {.epochs = 3, .batch_size = 8, .verbose = 0});
  const auto& loss = history.history.at("loss");
  std::printf("%s: trained, loss %.4f -> %.4f\n", model.name().c_str(), loss.front(), loss.back());
}

int main(int argc, char** argv) {
  const int64_t size = argc > 1 ? std::atoll(argv[1]) : 32;
  const int64_t samples = argc > 2 ? std::atoll(argv[2]) : 16;
  keras::utils::set_random_seed(1);

  // Identity shortcut: a 3-channel image plus a same-padded 3-filter convolution of itself.
  auto x = keras::Input({256, 256, 3});
  layers::Conv2D conv(3, {3, 3}, {.padding = "same"});
  auto y = conv(x);
  auto z = layers::add({x, y});
  keras::Model identity(x, z, {.name = "identity_shortcut"});
  identity.summary();
  std::printf("identity shortcut: %s + %s -> %s, parameters: %lld\n",
              keras::shape_str(x.shape()).c_str(), keras::shape_str(y.shape()).c_str(),
              keras::shape_str(z.shape()).c_str(), static_cast<long long>(identity.count_params()));
  // Checked eagerly: the model computes x + conv(x).
  keras::Tensor image = keras::random::uniform({1, 256, 256, 3});
  keras::Tensor sum = identity.predict(image);
  const double error =
      ops::max(ops::abs(ops::subtract(sum, ops::add(image, conv(image))))).item<double>();
  std::printf("identity shortcut: max |z - (x + y)| = %.3g\n", error);
  train_briefly(identity, x.shape(), samples);

  // Projection shortcut after max-pooling: 128 channels at half the size.
  auto input = keras::Input({size, size, 64});
  auto block = layers::Conv2D(128, 3, {.padding = "same", .activation = "relu"})(input);
  block = layers::Conv2D(128, 3, {.padding = "same", .activation = "relu"})(block);
  block = layers::MaxPooling2D(2, {.strides = 2})(block);
  auto residual = layers::Conv2D(128, 1, {.strides = 2, .padding = "same"})(input);
  auto output = layers::add({block, residual});
  keras::Model projection(input, output, {.name = "projection_shortcut"});
  projection.summary();
  std::printf("projection shortcut: %s -> block %s + shortcut %s -> %s, parameters: %lld\n",
              keras::shape_str(input.shape()).c_str(), keras::shape_str(block.shape()).c_str(),
              keras::shape_str(residual.shape()).c_str(), keras::shape_str(output.shape()).c_str(),
              static_cast<long long>(projection.count_params()));
  train_briefly(projection, input.shape(), samples);
  return 0;
}
