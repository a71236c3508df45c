// BackupAndRestore with a fake saver that keeps backups in memory (the real files are tested in
// tests/integration/backup_files_test.cpp, kills in resume_kill_test.cpp).
#include "keras/callbacks/backup_and_restore.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <map>

#include "keras/config/json.h"

namespace keras {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::ThrowsMessage;
namespace L = keras::layers;
namespace cb = keras::callbacks;
namespace fs = std::filesystem;

fs::path temp_dir(const std::string& name) {
  const fs::path dir =
      fs::temp_directory_path() / ("keras_backup_" + std::to_string(::getpid())) / name;
  fs::remove_all(dir);
  return dir;
}

optimizers::Optimizer& optimizer_of(layers::Layer& model) {
  return dynamic_cast<models::FunctionalImpl&>(model).trainer().optimizer();
}

// Keeps each backup's weights, optimizer iterations and state by path; writes a marker file so
// that the path exists.
struct FakeSaver {
  struct Backup {
    Tensors weights;
    int64_t iterations;
    std::string state;
  };
  std::map<std::string, Backup> store;
  std::vector<std::string> loaded;
  cb::ModelSaver saver() {
    return {.save_backup =
                [this](layers::Layer& model, const std::string& path, const std::string& state) {
                  store[path] = {model.get_weights(), optimizer_of(model).iterations(), state};
                  std::ofstream(path) << "backup";
                },
            .load_backup =
                [this](layers::Layer& model, const std::string& path) {
                  loaded.push_back(fs::path(path).filename().string());
                  const Backup& b = store.at(path);
                  model.set_weights(b.weights);
                  optimizer_of(model).set_iterations(b.iterations);
                  return b.state;
                }};
  }
};

Model small_model() {
  auto inputs = Input({2});
  Model model(inputs, L::Dense(1)(inputs));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  return model;
}

// Throws at the end of a chosen epoch or batch: a run killed there.
struct Crash : cb::Callback {
  int at_epoch, at_batch;
  int epoch = 0;
  Crash(int e, int b = -1) : at_epoch(e), at_batch(b) {}
  void on_epoch_begin(int e, const cb::Logs&) override { epoch = e; }
  void on_train_batch_end(int batch, const cb::Logs&) override {
    if (epoch == at_epoch && batch == at_batch) throw std::runtime_error("killed");
  }
  void on_epoch_end(int e, const cb::Logs&) override {
    if (e == at_epoch && at_batch < 0) throw std::runtime_error("killed");
  }
};

// (epoch, batch) of every batch a fit runs.
struct Batches : cb::Callback {
  std::vector<std::pair<int, int>> seen;
  int epoch = 0;
  void on_epoch_begin(int e, const cb::Logs&) override { epoch = e; }
  void on_train_batch_begin(int b, const cb::Logs&) override { seen.emplace_back(epoch, b); }
};

struct Data {
  Tensor x = random::uniform({8, 2}, 0.0, 1.0, float32, 1);
  Tensor y = ops::sum(x, 1, true);
};

TEST(BackupAndRestore, AKilledRunResumesAfterItsLastEpoch) {
  const Data d;
  const fs::path dir = temp_dir("epochs");
  const std::string latest = (dir / "latest.weights.h5").string();
  Model model = small_model();
  model.optimizer().set_learning_rate(0.1 / 3);  // not a float32: restored exactly
  FakeSaver fake;
  auto backup = [&] { return cb::BackupAndRestore(dir.string(), {.saver = fake.saver()}); };
  // Crash placed after the backup: epochs 0 and 1 are backed up, then the run dies at epoch 1.
  EXPECT_THROW(
      model.fit(d.x, d.y,
                {.epochs = 5, .verbose = 0, .callbacks = {backup(), std::make_shared<Crash>(1)}}),
      std::runtime_error);
  const Json state = Json::parse(fake.store.at(latest).state);
  EXPECT_EQ(state.at("epoch"), 2);  // Keras's fields
  EXPECT_EQ(state.at("batch"), 0);
  EXPECT_EQ(state.at("step"), 0);
  EXPECT_EQ(state.at("iterations"), 2);
  EXPECT_FALSE(state.at("random").contains("shuffle"));
  const Tensors saved = fake.store.at(latest).weights;

  // A fresh model restarts: weights come back and training goes on at epoch 2.
  Model fresh = small_model();
  std::vector<int> epochs;
  Tensors at_start;
  auto rec = cb::LambdaCallback({.on_epoch_begin = [&](int e, const cb::Logs&) {
    if (epochs.empty()) at_start = fresh.get_weights();
    epochs.push_back(e);
  }});
  fresh.fit(d.x, d.y, {.epochs = 5, .verbose = 0, .callbacks = {backup(), rec}});
  EXPECT_THAT(epochs, ElementsAre(2, 3, 4));
  EXPECT_THAT(fake.loaded, ElementsAre("latest.weights.h5"));
  for (size_t i = 0; i < saved.size(); ++i)
    EXPECT_EQ(at_start[i].data<float>()[0], saved[i].data<float>()[0]);
  EXPECT_EQ(fresh.optimizer().iterations(), 5);
  EXPECT_EQ(fresh.optimizer().learning_rate(), 0.1 / 3);
  EXPECT_FALSE(fs::exists(dir));  // a finished run deletes its backup
}

// A backup after an epoch's last batch resumes at that epoch's end: no batch left to run, then
// the next epoch.
TEST(BackupAndRestore, ABackupAfterTheLastBatchResumesAtTheEpochEnd) {
  const Data d;
  const fs::path dir = temp_dir("batches");
  const std::string latest = (dir / "latest.weights.h5").string();
  FakeSaver fake;
  auto backup = [&] {
    return cb::BackupAndRestore(dir.string(), {.save_freq = 4, .saver = fake.saver()});
  };
  Model model = small_model();
  // 4 batches an epoch: a backup after batch (0,3), then killed after (1,0).
  EXPECT_THROW(model.fit(d.x, d.y,
                         {.epochs = 4,
                          .batch_size = 2,
                          .verbose = 0,
                          .callbacks = {backup(), std::make_shared<Crash>(1, 0)}}),
               std::runtime_error);
  const Json state = Json::parse(fake.store.at(latest).state);
  EXPECT_EQ(state.at("epoch"), 0);
  EXPECT_EQ(state.at("batch"), 3);
  EXPECT_EQ(state.at("step"), 4);
  EXPECT_TRUE(state.at("random").contains("shuffle"));

  Model fresh = small_model();
  auto seen = std::make_shared<Batches>();
  fresh.fit(d.x, d.y, {.epochs = 4, .batch_size = 2, .verbose = 0, .callbacks = {backup(), seen}});
  EXPECT_EQ(seen->seen.front(), std::make_pair(1, 0));
  EXPECT_EQ(seen->seen.size(), 12u);
  EXPECT_EQ(fresh.optimizer().iterations(), 16);
}

// Keras 3 restarts a partly done epoch from batch 0; keras.cpp resumes after the last batch
// backed up, in the same shuffle order.
TEST(BackupAndRestore, ResumesAtTheBatchAfterTheLastBackup) {
  const Data d;
  const fs::path dir = temp_dir("mid");
  FakeSaver fake;
  auto backup = [&] {
    return cb::BackupAndRestore(dir.string(), {.save_freq = 2, .saver = fake.saver()});
  };
  Model model = small_model();
  EXPECT_THROW(model.fit(d.x, d.y,
                         {.epochs = 3,
                          .batch_size = 2,
                          .verbose = 0,
                          .callbacks = {backup(), std::make_shared<Crash>(1, 2)}}),
               std::runtime_error);
  Model fresh = small_model();
  auto seen = std::make_shared<Batches>();
  fresh.fit(d.x, d.y, {.epochs = 3, .batch_size = 2, .verbose = 0, .callbacks = {backup(), seen}});
  // Backed up after (1,1); (1,2) ran again after the restart.
  EXPECT_THAT(seen->seen,
              ElementsAre(std::make_pair(1, 2), std::make_pair(1, 3), std::make_pair(2, 0),
                          std::make_pair(2, 1), std::make_pair(2, 2), std::make_pair(2, 3)));
}

// A backup must not be trusted when its metadata is damaged or does not fit the model.
TEST(BackupAndRestore, UntrustworthyBackupsAreErrors) {
  const Data d;
  const fs::path dir = temp_dir("bad");
  const std::string latest = (dir / "latest.weights.h5").string();
  FakeSaver fake;
  auto backup = [&] { return cb::BackupAndRestore(dir.string(), {.saver = fake.saver()}); };
  Model model = small_model();
  EXPECT_THROW(
      model.fit(d.x, d.y,
                {.epochs = 3, .verbose = 0, .callbacks = {backup(), std::make_shared<Crash>(0)}}),
      std::runtime_error);
  const FakeSaver::Backup good = fake.store.at(latest);
  auto fit_fresh = [&] {
    Model fresh = small_model();
    fresh.fit(d.x, d.y, {.epochs = 3, .verbose = 0, .callbacks = {backup()}});
  };
  auto with_state = [&](const std::function<void(Json&)>& edit) {
    Json state = Json::parse(good.state);
    edit(state);
    fake.store[latest] = good;
    fake.store[latest].state = state.dump();
  };
  with_state([](Json& s) { s.erase("random"); });
  EXPECT_THAT(fit_fresh, ThrowsMessage<IOError>(HasSubstr("malformed training metadata")));
  fake.store[latest].state = "{\"epoch\": 1, \"batch\": 0}";  // Keras's metadata only
  EXPECT_THAT(fit_fresh, ThrowsMessage<IOError>(HasSubstr("malformed training metadata")));
  with_state([](Json& s) { s["epoch"] = -1; });
  EXPECT_THAT(fit_fresh, ThrowsMessage<IOError>(HasSubstr("malformed training metadata")));
  with_state([](Json& s) { s["epoch"] = int64_t{1000000000000}; });  // not wrapped to an int
  EXPECT_THAT(fit_fresh, ThrowsMessage<IOError>(
                             HasSubstr("\"epoch\" is 1000000000000, outside [0, 2147483647]")));
  with_state([](Json& s) { s["batch"] = 1.5; });
  EXPECT_THAT(fit_fresh, ThrowsMessage<IOError>(HasSubstr("\"batch\" is not an integer")));
  with_state([](Json& s) { s["iterations"] = 7; });
  EXPECT_THAT(fit_fresh, ThrowsMessage<IOError>(HasSubstr(
                             "records 7 optimizer iterations but the restored optimizer has 1")));
  with_state([](Json& s) { s["random"]["seed_generators"].push_back(s["random"]["global"]); });
  EXPECT_THAT(fit_fresh,
              ThrowsMessage<ValueError>(HasSubstr("holds the state of 1 seeded random layers but "
                                                  "the model has 0")));
  with_state([](Json& s) {
    s["step"] = 9;
    s["random"]["shuffle"] = s["random"]["global"];
  });
  EXPECT_THAT(fit_fresh,
              ThrowsMessage<ValueError>(HasSubstr("fit: cannot resume epoch 2 at batch 9: an "
                                                  "epoch has 1 batches")));
  fake.store[latest] = good;
  EXPECT_NO_THROW(fit_fresh());
}

TEST(BackupAndRestore, DoubleCheckpointRestoresThePreviousBackupWhenTheLatestIsUnreadable) {
  const Data d;
  const fs::path dir = temp_dir("double");
  const std::string latest = (dir / "latest.weights.h5").string();
  FakeSaver fake;
  cb::ModelSaver saver = fake.saver();
  auto load = saver.load_backup;
  saver.load_backup = [&](layers::Layer& m, const std::string& path) {
    if (path == latest) throw IOError("unreadable");
    return load(m, path);
  };
  auto backup = [&] {
    return cb::BackupAndRestore(dir.string(), {.double_checkpoint = true, .saver = saver});
  };
  Model model = small_model();
  EXPECT_THROW(
      model.fit(d.x, d.y,
                {.epochs = 4, .verbose = 0, .callbacks = {backup(), std::make_shared<Crash>(1)}}),
      std::runtime_error);
  // The .bkp file is a copy of the file the fake wrote: its store entry is the first backup.
  EXPECT_TRUE(fs::exists(latest + ".bkp"));
  Json previous = Json::parse(fake.store.at(latest).state);
  previous["epoch"] = 1;
  previous["iterations"] = 1;
  fake.store[latest + ".bkp"] = {fake.store.at(latest).weights, 1, previous.dump()};
  Model fresh = small_model();
  auto seen = std::make_shared<Batches>();
  fresh.fit(d.x, d.y, {.epochs = 4, .verbose = 0, .callbacks = {backup(), seen}});
  EXPECT_THAT(fake.loaded, ElementsAre("latest.weights.h5.bkp"));
  EXPECT_EQ(seen->seen.front().first, 1);
  EXPECT_FALSE(fs::exists(dir));
}

TEST(BackupAndRestore, RejectsKerasBadArguments) {
  EXPECT_THAT([] { cb::BackupAndRestore(""); },
              ThrowsMessage<ValueError>(HasSubstr("Empty `backup_dir` argument passed")));
  EXPECT_THAT([] { cb::BackupAndRestore("d", {.save_freq = "often"}); },
              ThrowsMessage<ValueError>(
                  HasSubstr("Invalid value for argument `save_freq`. Received: save_freq=often")));
}

}  // namespace
}  // namespace keras
