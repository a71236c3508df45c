// BackupAndRestore with real files (Model::fit installs the saving module's backup functions):
// exact resumption after an interruption at every batch, the file's layout, and backups that
// must not be trusted. Kills at random instants are in resume_kill_test.cpp.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <string>

#include "core/file_util.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/keras.hpp"
#include "saving/h5.h"

namespace keras {
namespace {

namespace fs = std::filesystem;
namespace L = keras::layers;

fs::path fresh_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_cpp_" + name + "_" + std::to_string(::getpid()));
  fs::remove_all(dir);
  return dir;
}

// Unseeded and seeded dropout, Adam, shuffling: every kind of state a resume must restore.
keras::Model dropout_model() {
  utils::set_random_seed(3);
  auto x = Input({4});
  auto h = L::Dropout(0.3)(L::Dense(8, {.activation = "relu"})(x));
  h = L::Dropout(0.2, {.seed = 5})(L::Dense(8, {.activation = "tanh"})(h));
  keras::Model model(x, L::Dense(1)(h));
  model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.01}), .loss = "mse"});
  return model;
}

struct Interrupt : callbacks::Callback {
  int at;  // global batch index
  int seen = 0;
  explicit Interrupt(int batch) : at(batch) {}
  void on_train_batch_end(int, const callbacks::Logs&) override {
    if (seen++ == at) throw std::runtime_error("interrupted");
  }
};

struct Fixture {
  Tensor x = test::random_tensor({16, 4}, float32, -1, 1, 7);
  Tensor y = test::random_tensor({16, 1}, float32, -1, 1, 8);
  FitOptions options(std::vector<callbacks::CallbackPtr> cbs) const {
    return {.epochs = 3, .batch_size = 4, .verbose = 0, .callbacks = std::move(cbs)};
  }
};

// An interrupted fit, resumed by a fresh process's worth of state (new model, same seed), ends
// with the weights of a fit never interrupted, bit for bit (one thread: the same kernels on the
// same shapes), wherever it was interrupted, with backups per epoch or per batch.
TEST(BackupFiles, ResumesExactlyAfterAnInterruptionAtAnyBatch) {
  const int threads = backend::num_threads();
  backend::set_num_threads(1);
  const Fixture f;
  keras::Model straight = dropout_model();
  straight.fit(f.x, f.y, f.options({}));
  const Tensors expected = straight.get_weights();
  for (const callbacks::Frequency& freq :
       {callbacks::Frequency("epoch"), callbacks::Frequency(1), callbacks::Frequency(3)}) {
    for (int at = 0; at < 12; ++at) {
      const fs::path dir = fresh_dir("exact");
      auto backup = [&] { return callbacks::BackupAndRestore(dir.string(), {.save_freq = freq}); };
      keras::Model first = dropout_model();
      EXPECT_THROW(first.fit(f.x, f.y, f.options({backup(), std::make_shared<Interrupt>(at)})),
                   std::runtime_error);
      keras::Model resumed = dropout_model();
      resumed.fit(f.x, f.y, f.options({backup()}));
      const Tensors got = resumed.get_weights();
      for (size_t i = 0; i < got.size(); ++i) {
        test::expect_all_close(got[i], expected[i], 0, 0);
      }
      EXPECT_FALSE(fs::exists(dir));
    }
  }
  backend::set_num_threads(threads);
}

// Seeded generators inside wrappers and recurrent layers are found (Layer::seed_generators) and
// restored too.
TEST(BackupFiles, RestoresTheGeneratorsOfSeededWrappedAndRecurrentLayers) {
  const int threads = backend::num_threads();
  backend::set_num_threads(1);
  auto make = [] {
    utils::set_random_seed(4);
    auto x = Input({5, 3});
    auto h = L::SpatialDropout1D(0.2, {.seed = 1})(x);
    h = L::Bidirectional(L::LSTM(
        4, {.dropout = 0.2, .recurrent_dropout = 0.2, .seed = 2, .return_sequences = true}))(h);
    h = L::TimeDistributed(L::Dropout(0.3, {.seed = 3}))(h);
    keras::Model model(x, L::Dense(1)(L::Flatten()(h)));
    model.compile({.optimizer = "rmsprop", .loss = "mse"});
    return model;
  };
  const Tensor x = test::random_tensor({12, 5, 3}, float32, -1, 1, 9);
  const Tensor y = test::random_tensor({12, 1}, float32, -1, 1, 10);
  auto options = [](std::vector<callbacks::CallbackPtr> cbs) {
    return FitOptions{.epochs = 2, .batch_size = 4, .verbose = 0, .callbacks = std::move(cbs)};
  };
  keras::Model straight = make();
  EXPECT_EQ(straight.impl().seed_generators().size(), 4u);  // forward and backward LSTMs
  straight.fit(x, y, options({}));
  for (int at : {1, 3, 4}) {
    const fs::path dir = fresh_dir("seeded");
    auto backup = [&] { return callbacks::BackupAndRestore(dir.string(), {.save_freq = 1}); };
    EXPECT_THROW(make().fit(x, y, options({backup(), std::make_shared<Interrupt>(at)})),
                 std::runtime_error);
    keras::Model resumed = make();
    resumed.fit(x, y, options({backup()}));
    for (size_t i = 0; i < resumed.get_weights().size(); ++i) {
      test::expect_all_close(resumed.get_weights()[i], straight.get_weights()[i], 0, 0);
    }
  }
  backend::set_num_threads(threads);
}

// One file in Keras 3's .weights.h5 layout (weights, optimizer/vars) with the training metadata
// as a root attribute.
TEST(BackupFiles, TheBackupIsOneKerasWeightsFile) {
  const Fixture f;
  const fs::path dir = fresh_dir("layout");
  keras::Model model = dropout_model();
  EXPECT_THROW(model.fit(f.x, f.y,
                         f.options({callbacks::BackupAndRestore(dir.string(), {.save_freq = 2}),
                                    std::make_shared<Interrupt>(6)})),
               std::runtime_error);
  std::vector<std::string> files;
  for (const auto& e : fs::directory_iterator(dir)) files.push_back(e.path().filename().string());
  EXPECT_EQ(files, std::vector<std::string>{"latest.weights.h5"});
  const std::string bytes = internal::read_file((dir / "latest.weights.h5").string());
  saving::h5::File file = saving::h5::File::open(bytes, "backup");
  EXPECT_TRUE(saving::h5::exists(file.id(), "layers/dense/vars/0"));
  const auto optimizer = saving::h5::open_group(file.id(), "optimizer/vars");
  ASSERT_TRUE(optimizer.has_value());
  EXPECT_EQ(saving::h5::children(optimizer->id()).size(), 2u + 2 * 6);  // m and v per weight
  const auto metadata = saving::h5::read_string_attr(file.id(), "training_metadata");
  ASSERT_TRUE(metadata.has_value());
  const Json state = Json::parse(metadata->front());
  EXPECT_EQ(state.at("epoch"), 1);  // 4 batches an epoch: backed up after batch (1, 1)
  EXPECT_EQ(state.at("batch"), 1);
  EXPECT_EQ(state.at("step"), 2);
  EXPECT_EQ(state.at("iterations"), 6);
  EXPECT_EQ(state.at("random").at("seed_generators").size(), 1u);
  // Keras's load_weights reads it as a weights file, the optimizer included.
  keras::Model other = dropout_model();
  other.optimizer().build(other.impl().trainable_weights());
  other.load_weights((dir / "latest.weights.h5").string());
  EXPECT_EQ(other.optimizer().iterations(), 6);
  fs::remove_all(dir);
}

// A latest.weights.h5 that this callback did not write (here model.save_weights's, as Python
// Keras's BackupAndRestore writes) is an error: ignoring it would train from scratch and delete it.
TEST(BackupFiles, AWeightsFileWithoutTrainingMetadataIsAnError) {
  const Fixture f;
  const fs::path dir = fresh_dir("foreign");
  fs::create_directories(dir);
  keras::Model model = dropout_model();
  model.save_weights((dir / "latest.weights.h5").string());
  test::expect_throws_with<IOError>(
      [&] { model.fit(f.x, f.y, f.options({callbacks::BackupAndRestore(dir.string())})); },
      "is not a complete BackupAndRestore backup: it has no training metadata");
  EXPECT_TRUE(fs::exists(dir / "latest.weights.h5"));  // left for the user to decide
  fs::remove_all(dir);
}

TEST(BackupFiles, ADamagedBackupFallsBackToTheDoubleCheckpointElseIsAnError) {
  const Fixture f;
  const fs::path dir = fresh_dir("damaged");
  const fs::path latest = dir / "latest.weights.h5";
  auto backup = [&](bool twice) {
    return callbacks::BackupAndRestore(dir.string(), {.double_checkpoint = twice});
  };
  keras::Model model = dropout_model();
  EXPECT_THROW(model.fit(f.x, f.y, f.options({backup(true), std::make_shared<Interrupt>(9)})),
               std::runtime_error);
  ASSERT_TRUE(fs::exists(latest.string() + ".bkp"));
  std::ofstream(latest, std::ios::trunc) << "damaged";
  keras::Model resumed = dropout_model();
  std::vector<int> epochs;
  auto record = callbacks::LambdaCallback(
      {.on_epoch_begin = [&](int e, const callbacks::Logs&) { epochs.push_back(e); }});
  resumed.fit(f.x, f.y, f.options({backup(true), record}));
  EXPECT_EQ(epochs, (std::vector<int>{1, 2}));  // the .bkp: the backup after epoch 0
  EXPECT_FALSE(fs::exists(dir));

  EXPECT_THROW(model.fit(f.x, f.y, f.options({backup(false), std::make_shared<Interrupt>(9)})),
               std::runtime_error);
  std::ofstream(latest, std::ios::trunc) << "damaged";
  test::expect_throws_with<IOError>(
      [&] { dropout_model().fit(f.x, f.y, f.options({backup(false)})); }, latest.string());
  fs::remove_all(dir);
}

// Temporaries left by writers that were killed are removed by the next write of the same file.
TEST(BackupFiles, StaleTemporariesAreRemoved) {
  const fs::path dir = fresh_dir("stale");
  fs::create_directories(dir);
  const pid_t dead = ::fork();
  if (dead == 0) ::_exit(0);
  ASSERT_GT(dead, 0);
  ::waitpid(dead, nullptr, 0);
  const std::string path = (dir / "m.keras").string();
  const std::string stale = path + ".tmp" + std::to_string(dead) + ".7";
  const std::string old_style = path + ".tmp3000000000";  // before pids were in the name
  const std::string live = path + ".tmp" + std::to_string(::getpid()) + ".9";
  const std::string other = (dir / ("n.keras.tmp" + std::to_string(dead))).string();
  for (const std::string& p : {stale, old_style, live, other}) std::ofstream(p) << "partial";
  dropout_model().save(path);
  EXPECT_FALSE(fs::exists(stale));
  EXPECT_FALSE(fs::exists(old_style));
  EXPECT_TRUE(fs::exists(live));   // a writer of this process may still be using it
  EXPECT_TRUE(fs::exists(other));  // another file's
  EXPECT_TRUE(fs::exists(path));
  fs::remove_all(dir);
}

}  // namespace
}  // namespace keras
