// Keras 3's own callback tests (keras/src/callbacks/*_test.py), ported case by case: what each
// asserts there is asserted here, on the same models and data shapes, with Keras's messages.
// Random data as in Keras's tests; every assertion holds for any data (counts of epochs, rates,
// messages), so nothing depends on the generator's values.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cmath>
#include <filesystem>
#include <fstream>
#include <keras/keras.hpp>
#include <limits>
#include <sstream>
#include <string>

#include "callbacks/monitor.h"
#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using ::testing::HasSubstr;
namespace L = keras::layers;
namespace cb = keras::callbacks;
namespace fs = std::filesystem;

// Keras's Sequential((Dense(1, relu), Dense(1, relu))) on 5 features.
Model two_relu_dense(int64_t features = 5) {
  Sequential model;
  model.add(Input({features}));
  model.add(L::Dense(1, {.activation = "relu"}));
  model.add(L::Dense(1, {.activation = "relu"}));
  return model;
}

Tensor uniform(Shape shape, uint64_t seed) {
  return random::uniform(std::move(shape), 0.0, 1.0, float32, seed);
}

// A path in the temporary directory of this process's own (ctest runs the thread variants of
// a test at the same time).
fs::path temp_path(const std::string& name) {
  return fs::path(::testing::TempDir()) / (name + "_" + std::to_string(::getpid()));
}

// What std::cout receives while `f` runs.
template <class F>
std::string stdout_of(F&& f) {
  std::ostringstream captured;
  std::streambuf* previous = std::cout.rdbuf(captured.rdbuf());
  try {
    f();
  } catch (...) {
    std::cout.rdbuf(previous);
    throw;
  }
  std::cout.rdbuf(previous);
  return captured.str();
}

// --- early_stopping_test.py ---

// test_early_stopping_reuse: one EarlyStopping in two fits; each runs at least `patience` epochs.
TEST(KerasCallbackTests, EarlyStoppingReuse) {
  const int patience = 3;
  Tensor data = uniform({100, 1}, 1);
  Tensor labels = ops::cast(ops::greater(data, 0.5), float32);
  Model model = two_relu_dense(1);
  model.compile({.optimizer = "sgd", .loss = "mae", .metrics = {"mse"}});
  auto stopper = cb::EarlyStopping({.monitor = "mse", .patience = patience});
  auto h1 = model.fit(data, labels, {.epochs = 20, .verbose = 0, .callbacks = {stopper}});
  EXPECT_GE(h1.epoch.size(), static_cast<size_t>(patience));
  auto h2 = model.fit(data, labels, {.epochs = 20, .verbose = 0, .callbacks = {stopper}});
  EXPECT_GE(h2.epoch.size(), static_cast<size_t>(patience));
}

// test_state_reset_across_fit_calls: on_train_begin clears the last run's state.
TEST(KerasCallbackTests, EarlyStoppingStateResetAcrossFitCalls) {
  Model model = two_relu_dense();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  auto stopper = cb::EarlyStopping({.monitor = "loss", .patience = 3});
  stopper->set_trainer(&model.impl().trainer());
  stopper->on_train_begin({});
  stopper->best = 0.1;
  stopper->wait = 3;
  stopper->stopped_epoch = 5;
  stopper->best_epoch = 5;
  stopper->on_train_begin({});
  EXPECT_FALSE(stopper->best.has_value());
  EXPECT_EQ(stopper->wait, 0);
  EXPECT_EQ(stopper->stopped_epoch, 0);
  EXPECT_EQ(stopper->best_epoch, 0);
}

// test_early_stopping_with_baseline.
TEST(KerasCallbackTests, EarlyStoppingWithBaseline) {
  const int patience = 3;
  Model model = two_relu_dense();
  model.compile({.optimizer = "sgd", .loss = "mae", .metrics = {"mse"}});
  auto stopper = cb::EarlyStopping({.monitor = "mse", .patience = patience, .baseline = 0.6});
  auto h = model.fit(uniform({10, 5}, 2), uniform({10, 1}, 3),
                     {.epochs = 20, .verbose = 0, .callbacks = {stopper}});
  EXPECT_GE(h.epoch.size(), static_cast<size_t>(patience));
}

// test_early_stopping_final_weights_when_restoring_model_weights: the weights are set to the
// epoch's number before each epoch end, so the restored weights name the epoch they came from.
struct Restored {
  int epochs_trained = 0;
  float weights = -1;
};
Restored drive(cb::EarlyStoppingOptions options,
               const std::vector<double>& losses,
               int other_callback_stops_at = -1) {
  auto inputs = Input({1});
  Model model(inputs, L::Dense(1)(inputs));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  trainers::Trainer& trainer = model.impl().trainer();
  auto stopper = cb::EarlyStopping(options);
  stopper->set_trainer(&trainer);
  trainer.stop_training = false;
  Restored r;
  stopper->on_train_begin({});
  for (size_t epoch = 0; epoch < losses.size(); ++epoch) {
    ++r.epochs_trained;
    Tensors w = model.get_weights();
    for (Tensor& t : w) t = full(t.shape(), static_cast<double>(epoch), float32);
    model.set_weights(w);
    stopper->on_epoch_end(static_cast<int>(epoch), {{"val_loss", losses[epoch]}});
    if (static_cast<int>(epoch) == other_callback_stops_at) trainer.stop_training = true;
    if (trainer.stop_training) break;
  }
  stopper->on_train_end({});
  r.weights = model.get_weights()[0].data<float>()[0];
  return r;
}

TEST(KerasCallbackTests, EarlyStoppingFinalWeightsWhenRestoringModelWeights) {
  // The best epoch is 2 (0.1); patience 2 stops at epoch 4 and restores epoch 2.
  EXPECT_EQ(drive({.monitor = "val_loss", .patience = 2, .restore_best_weights = true},
                  {0.2, 0.15, 0.1, 0.11, 0.12})
                .weights,
            2.0f);
  // No epoch beats the baseline: 5 epochs, then the best of them (epoch 2) is restored.
  const cb::EarlyStoppingOptions baseline{
      .monitor = "val_loss", .patience = 5, .baseline = 0.5, .restore_best_weights = true};
  const std::vector<double> losses{0.9, 0.8, 0.7, 0.71, 0.72, 0.73};
  Restored r = drive(baseline, losses);
  EXPECT_EQ(r.epochs_trained, 5);
  EXPECT_EQ(r.weights, 2.0f);
  // Another callback stops training at epoch 3: the best weights are restored all the same.
  r = drive(baseline, losses, 3);
  EXPECT_EQ(r.epochs_trained, 4);
  EXPECT_EQ(r.weights, 2.0f);
}

// test_early_stopping_with_start_from_epoch, with patience 3 and then the boundary patience 0.
TEST(KerasCallbackTests, EarlyStoppingWithStartFromEpoch) {
  Model model = two_relu_dense();
  model.compile({.optimizer = "sgd", .loss = "mae", .metrics = {"mse"}});
  const Tensor x = uniform({10, 5}, 4), y = uniform({10, 1}, 5);
  for (int patience : {3, 0}) {
    auto stopper =
        cb::EarlyStopping({.monitor = "mse", .patience = patience, .start_from_epoch = 2});
    auto h = model.fit(x, y, {.epochs = 20, .verbose = 0, .callbacks = {stopper}});
    EXPECT_GE(h.epoch.size(), static_cast<size_t>(patience + 2)) << "patience " << patience;
  }
}

// --- monitor_callback_test.py ---

// test_monitor_op_logic: mode "auto" settles each monitored name's direction from the compiled
// metrics (after a fit has built them); an unknown name is a ValueError.
TEST(KerasCallbackTests, MonitorOpLogic) {
  Model model = two_relu_dense();
  model.compile(
      {.optimizer = "adam",
       .loss = "mae",
       .metrics = {"mse", "acc", "accuracy", "hinge", metrics::F1Score({.name = "f1_score"})}});
  model.fit(uniform({10, 5}, 6), uniform({10, 1}, 7),
            {.epochs = 2,
             .batch_size = 5,
             .verbose = 0,
             .validation_data = ValidationData{uniform({10, 5}, 8), uniform({10, 1}, 9)}});
  const trainers::Trainer* trainer = &model.impl().trainer();
  const std::vector<std::pair<std::string, bool>> cases{{"val_mse", false}, {"loss", false},
                                                        {"acc", true},      {"val_accuracy", true},
                                                        {"hinge", false},   {"f1_score", true}};
  for (const auto& [monitor, upwards] : cases)
    EXPECT_EQ(cb::detail::auto_direction(monitor, trainer, "MonitorCallback"), upwards) << monitor;
  EXPECT_THROW(cb::detail::auto_direction("unknown", trainer, "MonitorCallback"), ValueError);
}

// --- reduce_lr_on_plateau_test.py ---

// Keras's setUp: Sequential([Dense(5), Dense(2)]) on (10, 3) inputs with one-hot targets.
Model dense_5_2() {
  Sequential model;
  model.add(Input({3}));
  model.add(L::Dense(5));
  model.add(L::Dense(2));
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  return model;
}
struct PlateauSetup {
  Model model = dense_5_2();
  Tensor x_train = uniform({10, 3}, 10),
         y_train = utils::to_categorical(ops::cast(ops::greater(uniform({10}, 11), 0.5), int32), 2);
  Tensor x_test = uniform({10, 3}, 12), y_test = y_train;
  cb::History fit(cb::CallbackPtr callback, int epochs) {
    return model.fit(x_train, y_train,
                     {.epochs = epochs,
                      .verbose = 0,
                      .callbacks = {std::move(callback)},
                      .validation_data = ValidationData{x_test, y_test}});
  }
};

// test_reduces_lr_with_model_fit.
TEST(KerasCallbackTests, ReduceLROnPlateauReducesLrWithModelFit) {
  PlateauSetup s;
  s.fit(cb::ReduceLROnPlateau(
            {.monitor = "val_loss", .factor = 0.1, .patience = 1, .min_delta = 100}),
        2);
  EXPECT_NEAR(s.model.optimizer().learning_rate(), 0.01, 1e-9);
}

// test_throws_when_optimizer_has_schedule.
TEST(KerasCallbackTests, ReduceLROnPlateauThrowsWhenOptimizerHasSchedule) {
  PlateauSetup s;
  s.model.compile(
      {.optimizer = optimizers::Adam({.learning_rate = optimizers::schedules::PolynomialDecay(
                                          {.initial_learning_rate = 0.1, .decay_steps = 10})}),
       .loss = "mse"});
  EXPECT_THAT(
      [&] {
        s.fit(cb::ReduceLROnPlateau(
                  {.monitor = "val_loss", .factor = 0.1, .patience = 1, .min_delta = 100}),
              2);
      },
      ::testing::ThrowsMessage<TypeError>(
          HasSubstr("This optimizer was created with a `LearningRateSchedule`")));
}

// test_verbose_logging.
TEST(KerasCallbackTests, ReduceLROnPlateauVerboseLogging) {
  PlateauSetup s;
  const std::string out = stdout_of([&] {
    s.fit(
        cb::ReduceLROnPlateau(
            {.monitor = "val_loss", .factor = 0.1, .patience = 1, .verbose = 1, .min_delta = 100}),
        2);
  });
  EXPECT_THAT(out, HasSubstr("ReduceLROnPlateau reducing learning rate to 0.01"));
}

// test_honors_min_lr: Keras compares its float32 variable with 0.005.
TEST(KerasCallbackTests, ReduceLROnPlateauHonorsMinLr) {
  PlateauSetup s;
  s.fit(
      cb::ReduceLROnPlateau(
          {.monitor = "val_loss", .factor = 0.1, .patience = 1, .min_delta = 10, .min_lr = 0.005}),
      4);
  EXPECT_EQ(s.model.optimizer().learning_rate(), static_cast<float>(0.005));
}

// test_cooldown: a cooldown of 2 reduces every other epoch: twice in 4 epochs.
TEST(KerasCallbackTests, ReduceLROnPlateauCooldown) {
  PlateauSetup s;
  s.fit(cb::ReduceLROnPlateau(
            {.monitor = "val_loss", .factor = 0.1, .patience = 1, .min_delta = 100, .cooldown = 2}),
        4);
  EXPECT_NEAR(s.model.optimizer().learning_rate(), 0.001, 1e-9);
}

// test_state_reset_across_fit_calls.
TEST(KerasCallbackTests, ReduceLROnPlateauStateResetAcrossFitCalls) {
  PlateauSetup s;
  auto r = cb::ReduceLROnPlateau(
      {.monitor = "loss", .factor = 0.1, .patience = 1, .min_delta = 0, .cooldown = 2});
  r->set_trainer(&s.model.impl().trainer());
  r->on_train_begin({});
  r->best = 0.5;
  r->wait = 3;
  r->cooldown_counter = 2;
  r->on_train_begin({});
  EXPECT_EQ(r->wait, 0);
  EXPECT_EQ(r->cooldown_counter, 0);
  // Keras's best is None again: the next value, however bad, is the new best.
  r->on_epoch_end(0, {{"loss", 1e9}});
  EXPECT_EQ(r->best, 1e9);
  EXPECT_EQ(r->wait, 0);
}

// --- learning_rate_scheduler_test.py ---

// test_updates_learning_rate (verbose 1): 1 / (2 + epoch) after one epoch.
TEST(KerasCallbackTests, LearningRateSchedulerUpdatesLearningRate) {
  PlateauSetup s;
  stdout_of([&] {
    s.fit(cb::LearningRateScheduler([](int epoch, double) { return 1.0 / (2.0 + epoch); }, 1), 1);
  });
  EXPECT_EQ(s.model.optimizer().learning_rate(), 0.5);
}

// test_verbose_logging.
TEST(KerasCallbackTests, LearningRateSchedulerVerboseLogging) {
  PlateauSetup s;
  const std::string out = stdout_of([&] {
    s.fit(cb::LearningRateScheduler([](int epoch, double) { return 1.0 / (1.0 + epoch); }, 1), 1);
  });
  EXPECT_THAT(out, HasSubstr("LearningRateScheduler setting learning rate to 1.0"));
}

// test_schedule_dependent_on_previous_learning_rate: halved twice from Adam's 0.03.
TEST(KerasCallbackTests, LearningRateSchedulerDependentOnPreviousLearningRate) {
  PlateauSetup s;
  s.model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.03}), .loss = "mse"});
  s.fit(cb::LearningRateScheduler([](int, double lr) { return lr / 2; }), 2);
  // Keras's float32 variable: float32(float32(float32(0.03) / 2) / 2), which is float32(0.0075).
  EXPECT_EQ(s.model.optimizer().learning_rate(), static_cast<float>(0.03 / 4.0));
}

// test_throws_when_optimizer_has_schedule.
TEST(KerasCallbackTests, LearningRateSchedulerThrowsWhenOptimizerHasSchedule) {
  PlateauSetup s;
  s.model.compile(
      {.optimizer = optimizers::Adam({.learning_rate = optimizers::schedules::PolynomialDecay(
                                          {.initial_learning_rate = 0.1, .decay_steps = 10})}),
       .loss = "mse"});
  EXPECT_THAT([&] { s.fit(cb::LearningRateScheduler([](int, double lr) { return lr / 2; }), 2); },
              ::testing::ThrowsMessage<TypeError>(
                  HasSubstr("This optimizer was created with a `LearningRateSchedule`")));
}

// test_learning_rate_in_history.
TEST(KerasCallbackTests, LearningRateSchedulerLearningRateInHistory) {
  PlateauSetup s;
  auto h = s.fit(cb::LearningRateScheduler([](int, double) { return 0.5; }), 1);
  ASSERT_TRUE(h.history.contains("learning_rate"));
  EXPECT_EQ(h.history.at("learning_rate")[0], 0.5);
}

// --- lambda_callback_test.py ---

// test_lambda_callback and test_lambda_callback_with_batches: the hooks run during fit (with a
// validation split), test_lambda_callback_with_kwargs during evaluate, and
// test_lambda_callback_during_prediction during predict; test_lambda_callback_no_args: no hooks.
TEST(KerasCallbackTests, LambdaCallbackHooksRunInFitEvaluateAndPredict) {
  Sequential model;
  model.add(Input({2}, {.batch_size = 4}));
  model.add(L::Dense(1));
  model.compile({.optimizer = optimizers::SGD(), .loss = losses::MeanSquaredError()});
  const Tensor x = random::normal({16, 2}, 0.0, 1.0, float32, 13);
  const Tensor y = random::normal({16, 1}, 0.0, 1.0, float32, 14);
  std::map<std::string, int> seen;
  auto phase = [&seen](const char* name) {
    return [&seen, name](const cb::Logs&) { ++seen[name]; };
  };
  auto indexed = [&seen](const char* name) {
    return [&seen, name](int, const cb::Logs&) { ++seen[name]; };
  };
  auto hooks = cb::LambdaCallback({.on_epoch_begin = indexed("on_epoch_begin"),
                                   .on_epoch_end = indexed("on_epoch_end"),
                                   .on_train_begin = phase("on_train_begin"),
                                   .on_train_end = phase("on_train_end"),
                                   .on_train_batch_begin = indexed("on_train_batch_begin"),
                                   .on_train_batch_end = indexed("on_train_batch_end"),
                                   .on_test_begin = phase("on_test_begin"),
                                   .on_predict_begin = phase("on_predict_begin"),
                                   .on_predict_end = phase("on_predict_end")});
  model.fit(
      x, y,
      {.epochs = 5, .batch_size = 4, .verbose = 0, .callbacks = {hooks}, .validation_split = 0.2});
  EXPECT_EQ(seen["on_train_begin"], 1);
  EXPECT_EQ(seen["on_train_end"], 1);
  EXPECT_EQ(seen["on_epoch_begin"], 5);
  EXPECT_EQ(seen["on_epoch_end"], 5);
  EXPECT_EQ(seen["on_train_batch_begin"], 15);  // 12 training rows in batches of 4, 5 epochs
  EXPECT_EQ(seen["on_train_batch_end"], 15);
  seen.clear();
  model.evaluate(x, y, {.batch_size = 4, .verbose = 0, .callbacks = {hooks}});
  EXPECT_EQ(seen["on_test_begin"], 1);
  model.predict(x, {.batch_size = 4, .verbose = 0, .callbacks = {hooks}});
  EXPECT_EQ(seen["on_predict_begin"], 1);
  EXPECT_EQ(seen["on_predict_end"], 1);
  auto empty = cb::LambdaCallback({});
  EXPECT_NO_THROW(model.fit(x, y, {.epochs = 1, .verbose = 0, .callbacks = {empty}}));
}

// --- terminate_on_nan_test.py ---

Model one_dense() {
  Sequential model;
  model.add(Input({1}));
  model.add(L::Dense(1));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  return model;
}
Tensor column(std::vector<float> v) {
  const auto n = static_cast<int64_t>(v.size());
  return Tensor::from_vector(std::move(v), {n, 1});
}
constexpr float kInf = std::numeric_limits<float>::infinity();

// test_terminate_on_nan_graceful_stop.
TEST(KerasCallbackTests, TerminateOnNaNGracefulStop) {
  Model model = one_dense();
  auto h = model.fit(column({1, 2}), column({kInf, kInf}),
                     {.epochs = 2,
                      .batch_size = 1,
                      .verbose = 0,
                      .callbacks = {cb::TerminateOnNaN({.raise_error = false})}});
  EXPECT_LT(h.history.at("loss").size(), 4u);
}

// test_terminate_on_nan_raise_error_raises_error.
TEST(KerasCallbackTests, TerminateOnNaNRaiseErrorRaisesError) {
  Model model = one_dense();
  EXPECT_THAT(
      [&] {
        model.fit(column({1, 2}), column({kInf, kInf}),
                  {.epochs = 1,
                   .batch_size = 1,
                   .verbose = 0,
                   .callbacks = {cb::TerminateOnNaN({.raise_error = true})}});
      },
      ::testing::ThrowsMessage<RuntimeError>(HasSubstr("NaN or Inf loss encountered")));
}

// test_raise_error_terminate_does_not_trigger_on_train_end.
TEST(KerasCallbackTests, TerminateOnNaNRaiseErrorDoesNotTriggerOnTrainEnd) {
  Model model = one_dense();
  bool train_end_called = false;
  auto tracking = cb::LambdaCallback(
      {.on_train_end = [&train_end_called](const cb::Logs&) { train_end_called = true; }});
  EXPECT_THROW(model.fit(column({1}), column({kInf}),
                         {.epochs = 1,
                          .verbose = 0,
                          .callbacks = {tracking, cb::TerminateOnNaN({.raise_error = true})}}),
               RuntimeError);
  EXPECT_FALSE(train_end_called);
}

// test_raise_error_terminate_preserves_backup: the error leaves BackupAndRestore's directory (a
// failed fit is what it is there for).
TEST(KerasCallbackTests, TerminateOnNaNRaiseErrorPreservesBackup) {
  const fs::path dir = temp_path("keras_callback_tests_backup");
  fs::remove_all(dir);
  fs::create_directories(dir);
  const fs::path fake = dir / "checkpoint.txt";
  std::ofstream(fake) << "dummy checkpoint";
  Model model = one_dense();
  EXPECT_THROW(model.fit(column({1}), column({kInf}),
                         {.epochs = 1,
                          .verbose = 0,
                          .callbacks = {cb::BackupAndRestore(dir.string()),
                                        cb::TerminateOnNaN({.raise_error = true})}}),
               RuntimeError);
  EXPECT_TRUE(fs::exists(dir));
  EXPECT_TRUE(fs::exists(fake));
  fs::remove_all(dir);
}

// test_normal_training_does_not_raise, with raise_error false and true.
TEST(KerasCallbackTests, TerminateOnNaNNormalTrainingDoesNotRaise) {
  for (bool raise_error : {false, true}) {
    Model model = one_dense();
    auto h = model.fit(column({1, 2}), column({1, 2}),
                       {.epochs = 2,
                        .verbose = 0,
                        .callbacks = {cb::TerminateOnNaN({.raise_error = raise_error})}});
    EXPECT_EQ(h.history.at("loss").size(), 2u);
  }
}

// test_raise_error_terminate_stops_on_later_batch: the message names the batch.
TEST(KerasCallbackTests, TerminateOnNaNRaiseErrorStopsOnLaterBatch) {
  Model model = one_dense();
  EXPECT_THAT(
      [&] {
        model.fit(column({1, 2}), column({1, kInf}),
                  {.epochs = 1,
                   .batch_size = 1,
                   .verbose = 0,
                   .callbacks = {cb::TerminateOnNaN({.raise_error = true})},
                   .shuffle = false});
      },
      ::testing::ThrowsMessage<RuntimeError>(HasSubstr("batch 1")));
}

// --- csv_logger_test.py ---

// test_stop_training_csv: TerminateOnNaN stops after the first batch's infinite loss; the CSV
// row of that epoch is still written, with the NaN in it.
TEST(KerasCallbackTests, CSVLoggerStopTrainingCsv) {
  const fs::path file = temp_path("keras_callback_tests_csv_logger");
  fs::remove(file);
  Sequential model;
  model.add(Input({3}));
  for (int i = 0; i < 5; ++i)
    model.add(
        L::Dense(2, {.activation = "relu", .kernel_initializer = initializers::Constant(1e5)}));
  model.add(L::Dense(2));
  model.compile({.optimizer = "sgd", .loss = "mean_squared_error"});
  const Tensor y_train =
      utils::to_categorical(ops::cast(ops::greater(uniform({10}, 15), 0.5), int32), 2);
  const Tensor y_test =
      utils::to_categorical(ops::cast(ops::greater(uniform({10}, 16), 0.5), int32), 2);
  auto h = model.fit(uniform({10, 3}, 17), y_train,
                     {.epochs = 20,
                      .batch_size = 4,
                      .verbose = 0,
                      .callbacks = {cb::TerminateOnNaN(), cb::CSVLogger(file.string())},
                      .validation_data = ValidationData{uniform({10, 3}, 18), y_test}});
  const std::vector<double>& loss = h.history.at("loss");
  ASSERT_EQ(loss.size(), 1u);
  EXPECT_FALSE(std::isfinite(loss[0]));
  std::ifstream in(file);
  std::string line, last;
  while (std::getline(in, line))
    if (!line.empty()) last = line;
  EXPECT_THAT(last, HasSubstr("nan"));
  fs::remove(file);
}

// --- model_checkpoint_test.py ---

// Keras's get_model (Dense(5, relu), Dense(3, softmax), categorical crossentropy, sgd,
// Accuracy("acc")) and its data: 30 training and 30 test rows of 3 features, 3 classes.
struct CheckpointSetup {
  Model model = [] {
    Sequential m;
    m.add(Input({3}));
    m.add(L::Dense(5, {.activation = "relu"}));
    m.add(L::Dense(3, {.activation = "softmax"}));
    m.compile({.optimizer = "sgd",
               .loss = "categorical_crossentropy",
               .metrics = {metrics::Accuracy("acc")}});
    return Model(m);
  }();
  Tensor x = uniform({30, 3}, 19);
  Tensor y = utils::to_categorical(ops::cast(ops::multiply(uniform({30}, 20), 3.0), int32), 3);
  Tensor x_test = uniform({30, 3}, 21);
  Tensor y_test = utils::to_categorical(ops::cast(ops::multiply(uniform({30}, 22), 3.0), int32), 3);
  fs::path dir;
  explicit CheckpointSetup(const char* name = "keras_callback_tests_checkpoints")
      : dir(temp_path(name)) {
    fs::remove_all(dir);
    fs::create_directories(dir);
  }
  ~CheckpointSetup() { fs::remove_all(dir); }
  void fit(cb::CallbackPtr callback, int epochs, int batch_size = 5) {
    model.fit(x, y,
              {.epochs = epochs,
               .batch_size = batch_size,
               .verbose = 0,
               .callbacks = {std::move(callback)},
               .validation_data = ValidationData{x_test, y_test}});
  }
  std::string path(const std::string& name) const { return (dir / name).string(); }
};

// test_model_checkpoint_options, cases 1-5: a file after one epoch whatever the mode and monitor
// (case 5: an unknown monitor with save_best_only warns and saves, as Keras 3.15), into a
// directory the callback creates.
TEST(KerasCallbackTests, ModelCheckpointModesAndMonitors) {
  CheckpointSetup s;
  const std::string file = (s.dir / "subdir" / "checkpoint.keras").string();
  struct Case {
    std::string monitor, mode;
    bool best;
  };
  for (const Case& c : {Case{"val_loss", "auto", false}, Case{"val_loss", "min", false},
                        Case{"val_acc", "max", false}, Case{"val_acc", "max", true},
                        Case{"unknown", "min", true}}) {
    s.fit(
        cb::ModelCheckpoint(file, {.monitor = c.monitor, .save_best_only = c.best, .mode = c.mode}),
        1);
    EXPECT_TRUE(fs::exists(file)) << c.monitor << " " << c.mode;
    fs::remove(file);
  }
}

// Cases 8a and 8b: save_freq=15 with 5 batches an epoch saves at the ends of epochs 3, 6 and 9,
// the model or its weights.
TEST(KerasCallbackTests, ModelCheckpointIntegerSaveFreq) {
  CheckpointSetup s;
  for (const char* name :
       {"checkpoint.epoch{epoch:02d}.keras", "checkpoint.epoch{epoch:02d}.weights.h5"}) {
    const bool weights = std::string(name).ends_with(".weights.h5");
    s.fit(cb::ModelCheckpoint(s.path(name), {.save_weights_only = weights, .save_freq = 15}), 10,
          6);
    const std::string stem = weights ? ".weights.h5" : ".keras";
    for (int epoch = 1; epoch <= 9; ++epoch) {
      const std::string file = s.path(str("checkpoint.epoch", epoch < 10 ? "0" : "", epoch, stem));
      EXPECT_EQ(fs::exists(file), epoch % 3 == 0) << file;
    }
  }
}

// Case 9: Keras's error for a save_freq that is neither "epoch" nor a number.
TEST(KerasCallbackTests, ModelCheckpointUnrecognizedSaveFreq) {
  EXPECT_THAT(
      [] {
        cb::ModelCheckpoint("ckpt.weights.h5",
                            {.save_weights_only = true, .save_freq = "invalid_save_freq"});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("Unrecognized save_freq")));
  EXPECT_NO_THROW(
      cb::ModelCheckpoint("ckpt.weights.h5", {.save_weights_only = true, .save_freq = 3}));
}

// Cases 10a and 10b: save_freq=1 with the batch in the name: 30 rows in batches of 15 give
// batches 1 and 2 of each of 5 epochs.
TEST(KerasCallbackTests, ModelCheckpointBatchInFileName) {
  CheckpointSetup s;
  for (const char* stem : {".keras", ".weights.h5"}) {
    const bool weights = std::string(stem) == ".weights.h5";
    s.fit(cb::ModelCheckpoint(s.path(str("checkpoint.epoch{epoch:02d}batch{batch:02d}", stem)),
                              {.save_weights_only = weights, .save_freq = 1}),
          5, 15);
    for (int epoch = 1; epoch <= 5; ++epoch) {
      for (int batch = 1; batch <= 2; ++batch) {
        EXPECT_TRUE(fs::exists(s.path(str("checkpoint.epoch0", epoch, "batch0", batch, stem))))
            << epoch << " " << batch << stem;
      }
    }
  }
}

// Cases 11 and 12: save_best_only with an initial_value_threshold any first value beats, and
// without one.
TEST(KerasCallbackTests, ModelCheckpointInitialValueThreshold) {
  CheckpointSetup s;
  const std::string file = s.path("checkpoint.keras");
  s.fit(cb::ModelCheckpoint(file, {.monitor = "val_acc",
                                   .save_best_only = true,
                                   .mode = "max",
                                   .initial_value_threshold = -0.01}),
        1);
  EXPECT_TRUE(fs::exists(file));
  fs::remove(file);
  s.fit(cb::ModelCheckpoint(file, {.monitor = "val_loss", .save_best_only = true}), 1);
  EXPECT_TRUE(fs::exists(file));
}

// test_model_checkpoint_loading: the best model (and the best weights) load back as the trained
// model's weights.
TEST(KerasCallbackTests, ModelCheckpointLoading) {
  CheckpointSetup s;
  const std::string file = s.path("checkpoint.model.keras");
  s.fit(cb::ModelCheckpoint(file, {.save_best_only = true}), 1);
  Model loaded = models::load_model(file);
  const Tensors ref = s.model.get_weights(), got = loaded.get_weights();
  ASSERT_EQ(ref.size(), got.size());
  for (size_t i = 0; i < ref.size(); ++i) test::expect_all_close(got[i], ref[i], 0, 0);
  CheckpointSetup w("keras_callback_tests_checkpoint_weights");
  const std::string weights = w.path("checkpoint.weights.h5");
  w.fit(cb::ModelCheckpoint(weights, {.save_best_only = true, .save_weights_only = true}), 1);
  CheckpointSetup fresh("keras_callback_tests_checkpoint_fresh");
  fresh.model.load_weights(weights);
  const Tensors wref = w.model.get_weights(), wgot = fresh.model.get_weights();
  ASSERT_EQ(wref.size(), wgot.size());
  for (size_t i = 0; i < wref.size(); ++i) test::expect_all_close(wgot[i], wref[i], 0, 0);
}

// --- backup_and_restore_test.py ---

// test_save_freq_unknown_error, test_backup_dir_empty_error (Keras's None is C++'s empty too).
TEST(KerasCallbackTests, BackupAndRestoreArgumentErrors) {
  EXPECT_THAT([] { cb::BackupAndRestore("backup_dir", {.save_freq = "invalid"}); },
              ::testing::ThrowsMessage<ValueError>(
                  HasSubstr("Invalid value for argument `save_freq`. Received: save_freq=invalid. "
                            "Expected either 'epoch' or an integer value.")));
  EXPECT_THAT(
      [] { cb::BackupAndRestore(""); },
      ::testing::ThrowsMessage<ValueError>(HasSubstr("Empty `backup_dir` argument passed")));
}

}  // namespace
}  // namespace keras
