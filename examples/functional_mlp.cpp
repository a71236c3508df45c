// The guide's first example: a fully connected network, trained on Fashion-MNIST.
//
//   inputs = Input(shape=(784,))
//   x = Dense(64, activation='relu')(inputs)
//   x = Dense(64, activation='relu')(x)
//   predictions = Dense(10, activation='softmax')(x)
//   model = Model(inputs=inputs, outputs=predictions)
//   model.compile(optimizer='rmsprop', loss='categorical_crossentropy', metrics=['accuracy'])
//   model.fit(data, labels)
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;

// (n, 28, 28) uint8 images -> (n, 784) float32 in [0, 1].
keras::Tensor to_features(const keras::Tensor& images) {
  return ops::divide(ops::cast(images.reshape({images.dim(0), 784}), keras::float32), 255.0);
}

int main(int argc, char** argv) {
  const int epochs = argc > 1 ? std::atoi(argv[1]) : 5;
  keras::utils::set_random_seed(argc > 2 ? std::strtoull(argv[2], nullptr, 10) : 2);
  auto [train, test] = keras::datasets::fashion_mnist::load_data();
  keras::Tensor data = to_features(train.x), labels = keras::utils::to_categorical(train.y, 10);
  keras::Tensor test_data = to_features(test.x);
  keras::Tensor test_labels = keras::utils::to_categorical(test.y, 10);

  auto inputs = keras::Input({784});
  auto x = layers::Dense(64, {.activation = "relu"})(inputs);
  x = layers::Dense(64, {.activation = "relu"})(x);
  auto predictions = layers::Dense(10, {.activation = "softmax"})(x);
  keras::Model model(inputs, predictions);
  model.summary();
  model.compile(
      {.optimizer = "rmsprop", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
  auto history =
      model.fit(data, labels, {.epochs = epochs, .batch_size = 32, .validation_split = 0.1});
  auto scores = model.evaluate(test_data, test_labels, {.verbose = 0});
  keras::Tensor probabilities = model.predict(test_data);
  std::printf("predictions: %s, first row sums to %.4f\n",
              keras::shape_str(probabilities.shape()).c_str(),
              ops::sum(probabilities.slice_rows(0, 1)).item<double>());
  std::printf("test loss: %.4f\n", scores[0]);
  std::printf("test accuracy: %.4f\n", scores[1]);
  return 0;
}
