// ModelCheckpoint with a fake saver (the real model.save comes from the
// saving module).
#include "keras/callbacks/model_checkpoint.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <map>

namespace keras {
namespace {

using ::testing::ElementsAre;
namespace L = keras::layers;
namespace cb = keras::callbacks;
namespace fs = std::filesystem;

// A per-process scratch directory, removed when the tests exit.
struct ScratchDir {
  fs::path path = fs::temp_directory_path() / ("keras_ckpt_" + std::to_string(::getpid()));
  ~ScratchDir() {
    std::error_code ec;
    fs::remove_all(path, ec);
  }
};

fs::path temp_dir(const std::string& name) {
  static ScratchDir scratch;
  fs::path dir = scratch.path / name;
  fs::remove_all(dir);
  fs::create_directories(dir);
  return dir;
}

// Remembers every save, keeps weights by path, and writes a marker file so the path exists.
struct FakeSaver {
  std::vector<std::string> saved;
  std::map<std::string, Tensors> store;
  std::vector<std::string> loaded;
  cb::ModelSaver saver() {
    auto keep = [this](const char* what) {
      return [this, what](layers::Layer& model, const std::string& path) {
        saved.push_back(std::string(what) + " " + fs::path(path).filename().string());
        store[path] = model.get_weights();
        std::ofstream(path) << what;
      };
    };
    return {.save_model = keep("model"),
            .save_weights = keep("weights"),
            .load_weights = [this](layers::Layer& model, const std::string& path) {
              loaded.push_back(fs::path(path).filename().string());
              model.set_weights(store.at(path));
            }};
  }
};

Model small_model() {
  auto inputs = Input({2});
  return Model(inputs, L::Dense(1)(inputs));
}

// Calls the checkpoint's epoch hooks with the given val_loss values.
std::vector<std::string> drive(const std::string& pattern,
                               cb::ModelCheckpointOptions options,
                               const std::vector<double>& values) {
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  FakeSaver fake;
  options.saver = fake.saver();
  auto ckpt = cb::ModelCheckpoint(pattern, options);
  ckpt->set_trainer(&model.impl().trainer());
  for (size_t e = 0; e < values.size(); ++e) {
    ckpt->on_epoch_begin(static_cast<int>(e), {});
    ckpt->on_epoch_end(static_cast<int>(e), {{"loss", 1.0}, {"val_loss", values[e]}});
  }
  return fake.saved;
}

TEST(ModelCheckpoint, FormatsFileNamesLikePython) {
  const fs::path dir = temp_dir("names");
  const std::string pattern = (dir / "sub" / "{epoch:02d}-{val_loss:.2f}.keras").string();
  EXPECT_THAT(drive(pattern, {}, {0.5, 0.4321, 0.6}),
              ElementsAre("model 01-0.50.keras", "model 02-0.43.keras", "model 03-0.60.keras"));
  EXPECT_TRUE(fs::exists(dir / "sub" / "02-0.43.keras"));  // the directory was created
  auto ckpt = cb::ModelCheckpoint("w{epoch}-{batch:03d}.weights.h5", {.save_weights_only = true});
  EXPECT_EQ(ckpt->file_path(4, 9, {}), "w5-010.weights.h5");
  EXPECT_THAT([&] { ckpt->file_path(0, -1, {}); },
              ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr(
                  "Failed to format this callback filepath: \"w{epoch}-{batch:03d}.weights.h5\"")));
}

TEST(ModelCheckpoint, SaveBestOnlyTracksTheBestValue) {
  const std::string pattern = (temp_dir("best") / "best-{epoch}.keras").string();
  EXPECT_THAT(drive(pattern, {.save_best_only = true}, {0.5, 0.6, 0.4, 0.4, 0.3}),
              ElementsAre("model best-1.keras", "model best-3.keras", "model best-5.keras"));
  EXPECT_THAT(drive(pattern, {.save_best_only = true, .mode = "max"}, {0.5, 0.6, 0.4}),
              ElementsAre("model best-1.keras", "model best-2.keras"));
  EXPECT_THAT(
      drive(pattern, {.save_best_only = true, .initial_value_threshold = 0.45}, {0.5, 0.4, 0.42}),
      ElementsAre("model best-2.keras"));
  EXPECT_THAT(drive(pattern, {.monitor = "val_accuracy", .save_best_only = true}, {0.5, 0.6}),
              ElementsAre("model best-1.keras", "model best-2.keras"));  // missing: warns, saves
}

TEST(ModelCheckpoint, SavesWeightsEveryNBatchesInAFit) {
  const fs::path dir = temp_dir("batches");
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  FakeSaver fake;
  auto ckpt =
      cb::ModelCheckpoint((dir / "e{epoch}b{batch}.weights.h5").string(),
                          {.save_weights_only = true, .save_freq = 3, .saver = fake.saver()});
  Tensor x = random::uniform({8, 2}, 0.0, 1.0, float32, 1);
  model.fit(x, ops::sum(x, 1, true),
            {.epochs = 2, .batch_size = 2, .verbose = 0, .callbacks = {ckpt}});
  // 4 batches per epoch: saves after batches 3, 6 (epoch 2, batch 2).
  EXPECT_THAT(fake.saved, ElementsAre("weights e1b3.weights.h5", "weights e2b2.weights.h5"));
}

TEST(ModelCheckpoint, RejectsKerasBadArguments) {
  EXPECT_THAT([] { cb::ModelCheckpoint("model.pt"); },
              ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr(
                  "The filepath provided must end in `.keras` (Keras model format). Received: "
                  "filepath=model.pt")));
  EXPECT_THAT([] { cb::ModelCheckpoint("m.keras", {.save_weights_only = true}); },
              ::testing::ThrowsMessage<ValueError>(
                  ::testing::HasSubstr("the filepath provided must end in `.weights.h5`")));
  EXPECT_THAT(
      [] { cb::ModelCheckpoint("m.keras", {.save_freq = "often"}); },
      ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr("Unrecognized save_freq: often")));
}

// Without a saver of its own, ModelCheckpoint saves through Model::save (fit installs it).
TEST(ModelCheckpoint, WithoutASaverUsesModelSave) {
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  Tensor x = random::uniform({4, 2}, 0.0, 1.0, float32, 1);
  const std::string path = (temp_dir("nosaver") / "m.keras").string();
  model.fit(x, ops::sum(x, 1, true), {.verbose = 0, .callbacks = {cb::ModelCheckpoint(path)}});
  EXPECT_TRUE(std::filesystem::exists(path));
}

}  // namespace
}  // namespace keras
