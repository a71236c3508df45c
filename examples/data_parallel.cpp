// The guide's first model trained on Fashion-MNIST by several processes (data parallelism,
// keras::distribution on Open MPI): the same program as functional_mlp.cpp plus three lines.
//
//   mpirun -np 2 ./build/examples/data_parallel        # add --allow-run-as-root as root
//
// Every process loads the data; fit's batch_size (32) is the global batch, each process trains
// on its half of every batch and the gradients are summed across processes before each step, so
// the weights follow those of one process training on the same batches. Only process 0 prints.
#include <keras/distribution/distribution.h>

#include <cstdio>
#include <cstdlib>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace ops = keras::ops;
namespace distribution = keras::distribution;

// (n, 28, 28) uint8 images -> (n, 784) float32 in [0, 1].
keras::Tensor to_features(const keras::Tensor& images) {
  return ops::divide(ops::cast(images.reshape({images.dim(0), 784}), keras::float32), 255.0);
}

int main(int argc, char** argv) {
  distribution::initialize();  // reads mpirun's environment; one process without mpirun
  distribution::set_distribution(std::make_shared<distribution::DataParallel>());
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
  model.summary();  // std::cout: printed by process 0 only
  model.compile(
      {.optimizer = "rmsprop", .loss = "categorical_crossentropy", .metrics = {"accuracy"}});
  model.fit(data, labels, {.epochs = epochs, .batch_size = 32, .validation_split = 0.1});
  auto scores = model.evaluate(test_data, test_labels, {.verbose = 0});  // over all processes
  if (distribution::is_chief()) {
    std::printf("processes: %d (%s)\n", distribution::process_count(),
                distribution::collective().name().c_str());
    std::printf("test loss: %.4f\n", scores[0]);
    std::printf("test accuracy: %.4f\n", scores[1]);
  }
  return 0;
}
