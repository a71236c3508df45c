// Training with Keras's built-in callbacks: TensorBoard logs, a CSV log, the learning rate cut on
// a plateau, and early stopping that keeps the best weights.
//
//   model.fit(x, y, epochs=50, validation_split=0.2, callbacks=[
//       keras.callbacks.TensorBoard(log_dir=log_dir, histogram_freq=1, update_freq="batch"),
//       keras.callbacks.CSVLogger(log_dir + "/training.csv"),
//       keras.callbacks.ReduceLROnPlateau(patience=2, factor=0.5),
//       keras.callbacks.EarlyStopping(patience=4, restore_best_weights=True)])
//
// Usage: callbacks [log_dir] [epochs] (default logs, 50). Then: tensorboard --logdir <log_dir>.
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <keras/keras.hpp>

namespace layers = keras::layers;
namespace callbacks = keras::callbacks;

int main(int argc, char** argv) {
  const std::string log_dir = argc > 1 ? argv[1] : "logs";
  const int epochs = argc > 2 ? std::atoi(argv[2]) : 50;
  keras::utils::set_random_seed(1);
  std::filesystem::create_directories(log_dir);

  // y = sum of the first four features, plus noise: a small regression problem.
  keras::Tensor x = keras::random::uniform({512, 8});
  keras::Tensor y = keras::ops::add(keras::ops::sum(keras::ops::slice_axis(x, 1, 0, 4), 1, true),
                                    keras::random::normal({512, 1}, 0.0, 0.05));
  auto inputs = keras::Input({8});
  auto h = layers::Dense(16, {.activation = "relu"})(inputs);
  keras::Model model(inputs, layers::Dense(1)(h));
  model.compile({.optimizer = "adam", .loss = "mse", .metrics = {"mae"}});

  auto early = callbacks::EarlyStopping({.patience = 4, .restore_best_weights = true});
  auto history = model.fit(
      x, y,
      {.epochs = epochs,
       .verbose = 2,
       .callbacks = {callbacks::TensorBoard(
                         {.log_dir = log_dir, .histogram_freq = 1, .update_freq = "batch"}),
                     callbacks::ReduceLROnPlateau({.factor = 0.5, .patience = 2}),
                     callbacks::CSVLogger(log_dir + "/training.csv"), early},
       .validation_split = 0.2});
  std::printf("epochs run: %zu, best epoch: %d, best val_loss: %.4f\n", history.epoch.size(),
              early->best_epoch + 1, early->best.value_or(0.0));
  std::printf("logs in %s\n", log_dir.c_str());
  return 0;
}
