// ModelCheckpoint and BackupAndRestore with real files: Model::fit installs Model::save /
// save_weights / load_weights as their default saver.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "harness/tensor_matchers.h"
#include "keras/keras.hpp"

namespace keras {
namespace {

namespace fs = std::filesystem;

keras::Model small_model() {
  auto x = keras::Input({3});
  keras::Model model(x, layers::Dense(1)(layers::Dense(4, {.activation = "relu"})(x)));
  model.compile({.optimizer = "adam", .loss = "mse"});
  return model;
}

fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_cpp_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

TEST(CheckpointFiles, ModelCheckpointWritesLoadableKerasFiles) {
  utils::set_random_seed(2);
  const fs::path dir = fresh_dir("checkpoint");
  keras::Model model = small_model();
  const Tensor x = test::random_tensor({16, 3}, float32, -1, 1, 1);
  const Tensor y = test::random_tensor({16, 1}, float32, -1, 1, 2);
  model.fit(x, y,
            {.epochs = 3,
             .batch_size = 8,
             .verbose = 0,
             .callbacks = {callbacks::ModelCheckpoint((dir / "m-{epoch:02d}.keras").string(),
                                                      {.monitor = "loss"})}});
  for (const char* name : {"m-01.keras", "m-02.keras", "m-03.keras"}) {
    EXPECT_TRUE(fs::exists(dir / name)) << name;
  }
  keras::Model loaded = models::load_model((dir / "m-03.keras").string());
  test::expect_all_close(loaded.predict(x)[0], model.predict(x)[0], 1e-6, 1e-6);
  fs::remove_all(dir);
}

TEST(CheckpointFiles, BackupAndRestoreResumesFromRealFiles) {
  const fs::path dir = fresh_dir("backup");
  const Tensor x = test::random_tensor({16, 3}, float32, -1, 1, 3);
  const Tensor y = test::random_tensor({16, 1}, float32, -1, 1, 4);
  // Stops after epoch 2 of 4, as a killed run would, leaving the backup behind.
  struct StopAt : callbacks::Callback {
    void on_epoch_end(int epoch, const callbacks::Logs&) override {
      if (epoch == 1) trainer().stop_training = true;
    }
  };
  utils::set_random_seed(5);
  keras::Model first = small_model();
  auto backup = callbacks::BackupAndRestore(dir.string(), {.delete_checkpoint = false});
  first.fit(x, y,
            {.epochs = 4,
             .batch_size = 8,
             .verbose = 0,
             .callbacks = {backup, std::make_shared<StopAt>()},
             .shuffle = false});
  utils::set_random_seed(6);  // different initial weights: the restore must replace them
  keras::Model second = small_model();
  auto history = second.fit(
      x, y, {.epochs = 4, .batch_size = 8, .verbose = 0, .callbacks = {backup}, .shuffle = false});
  EXPECT_EQ(history.epoch, (std::vector<int>{2, 3}));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace keras
