// Hook order, stop_training, ProgbarLogger, LambdaCallback, TerminateOnNaN, and the learning-rate
// callbacks changing the rate that fit's replayed plans really use.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <keras/keras.hpp>
#include <limits>
#include <sstream>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;
namespace L = keras::layers;
namespace cb = keras::callbacks;

Model small_model() {
  auto inputs = Input({4});
  return Model(inputs, L::Dense(1)(inputs));
}

struct Sample {
  Tensor x = random::uniform({8, 4}, 0.0, 1.0, float32, 3);
  Tensor y = random::uniform({8, 1}, 0.0, 1.0, float32, 4);
};

// Records every hook as "name" or "name:index".
class Recorder : public cb::Callback {
 public:
  std::vector<std::string> calls;
  void on_train_begin(const cb::Logs&) override { calls.push_back("train_begin"); }
  void on_train_end(const cb::Logs&) override { calls.push_back("train_end"); }
  void on_epoch_begin(int e, const cb::Logs&) override { add("epoch_begin", e); }
  void on_epoch_end(int e, const cb::Logs&) override { add("epoch_end", e); }
  void on_train_batch_begin(int b, const cb::Logs&) override { add("train_batch_begin", b); }
  void on_train_batch_end(int b, const cb::Logs&) override { add("train_batch_end", b); }
  void on_test_begin(const cb::Logs&) override { calls.push_back("test_begin"); }
  void on_test_end(const cb::Logs&) override { calls.push_back("test_end"); }
  void on_test_batch_begin(int b, const cb::Logs&) override { add("test_batch_begin", b); }
  void on_test_batch_end(int b, const cb::Logs&) override { add("test_batch_end", b); }
  void on_predict_begin(const cb::Logs&) override { calls.push_back("predict_begin"); }
  void on_predict_end(const cb::Logs&) override { calls.push_back("predict_end"); }
  void on_predict_batch_begin(int b, const cb::Logs&) override { add("predict_batch_begin", b); }
  void on_predict_batch_end(int b, const cb::Logs&) override { add("predict_batch_end", b); }

 private:
  void add(const char* name, int i) {
    calls.push_back(std::string(name) + ":" + std::to_string(i));
  }
};

TEST(Callback, FitCallsHooksInKerasOrder) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  auto rec = std::make_shared<Recorder>();
  // 6 training rows in batches of 4 (2 batches), 2 validation rows (1 batch).
  model.fit(
      d.x, d.y,
      {.epochs = 2, .batch_size = 4, .verbose = 0, .callbacks = {rec}, .validation_split = 0.25});
  EXPECT_THAT(
      rec->calls,
      ElementsAre("train_begin", "epoch_begin:0", "train_batch_begin:0", "train_batch_end:0",
                  "train_batch_begin:1", "train_batch_end:1", "test_begin", "test_batch_begin:0",
                  "test_batch_end:0", "test_end", "epoch_end:0", "epoch_begin:1",
                  "train_batch_begin:0", "train_batch_end:0", "train_batch_begin:1",
                  "train_batch_end:1", "test_begin", "test_batch_begin:0", "test_batch_end:0",
                  "test_end", "epoch_end:1", "train_end"));
  EXPECT_EQ(rec->params.at("epochs"), 2);
  EXPECT_EQ(rec->params.at("steps"), 2);
}

TEST(Callback, EvaluateAndPredictCallTheirHooks) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  auto rec = std::make_shared<Recorder>();
  model.evaluate(d.x, d.y, {.batch_size = 5, .verbose = 0, .callbacks = {rec}});
  EXPECT_THAT(rec->calls, ElementsAre("test_begin", "test_batch_begin:0", "test_batch_end:0",
                                      "test_batch_begin:1", "test_batch_end:1", "test_end"));
  rec->calls.clear();
  model.predict(d.x, {.batch_size = 5, .callbacks = {rec}});
  EXPECT_THAT(rec->calls,
              ElementsAre("predict_begin", "predict_batch_begin:0", "predict_batch_end:0",
                          "predict_batch_begin:1", "predict_batch_end:1", "predict_end"));
}

TEST(Callback, BatchAndEpochLogsCarryKerasNames) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse", .metrics = {"mae"}});
  std::vector<std::string> batch_keys, epoch_keys, test_keys;
  auto lambda = cb::LambdaCallback({
      .on_epoch_end =
          [&](int, const cb::Logs& l) {
            epoch_keys.clear();
            for (auto& [k, v] : l) epoch_keys.push_back(k);
          },
      .on_train_batch_end =
          [&](int, const cb::Logs& l) {
            batch_keys.clear();
            for (auto& [k, v] : l) batch_keys.push_back(k);
          },
      .on_test_end =
          [&](const cb::Logs& l) {
            test_keys.clear();
            for (auto& [k, v] : l) test_keys.push_back(k);
          },
  });
  model.fit(d.x, d.y,
            {.batch_size = 4, .verbose = 0, .callbacks = {lambda}, .validation_split = 0.25});
  EXPECT_THAT(batch_keys, ElementsAre("loss", "mae"));
  EXPECT_THAT(test_keys, ElementsAre("loss", "mae"));
  EXPECT_THAT(epoch_keys, ElementsAre("loss", "mae", "val_loss", "val_mae"));
}

TEST(Callback, StopTrainingFromACallbackEndsFitAfterThatBatch) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  auto rec = std::make_shared<Recorder>();
  auto stopper = cb::LambdaCallback({.on_train_batch_end = [&](int batch, const cb::Logs&) {
    if (batch == 0) model.impl().trainer().stop_training = true;
  }});
  auto history = model.fit(
      d.x, d.y, {.epochs = 5, .batch_size = 2, .verbose = 0, .callbacks = {stopper, rec}});
  EXPECT_THAT(rec->calls, ElementsAre("train_begin", "epoch_begin:0", "train_batch_begin:0",
                                      "train_batch_end:0", "epoch_end:0", "train_end"));
  EXPECT_EQ(history.epoch.size(), 1u);
  // The next fit starts afresh.
  auto again = model.fit(d.x, d.y, {.epochs = 2, .batch_size = 8, .verbose = 0});
  EXPECT_EQ(again.epoch.size(), 2u);
}

TEST(Callback, ProgbarLoggerIsTheKerasNameForTheProgressBar) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  std::ostringstream out;
  auto bar = std::make_shared<cb::ProgbarLogger>(out);
  model.fit(
      d.x, d.y,
      {.epochs = 2, .batch_size = 4, .verbose = 2, .callbacks = {bar}, .validation_split = 0.25});
  EXPECT_THAT(out.str(), ::testing::MatchesRegex(
                             "Epoch 1/2\n2/2 - [0-9]+s - [0-9]+(s|ms|us)/step - loss: [0-9.e-]+ - "
                             "val_loss: [0-9.e-]+\nEpoch 2/2\n2/2 .*\n"));
  std::ostringstream eval_out;
  model.evaluate(d.x, d.y,
                 {.batch_size = 8,
                  .verbose = 2,
                  .callbacks = {std::make_shared<cb::ProgbarLogger>(eval_out)}});
  EXPECT_THAT(eval_out.str(), ::testing::StartsWith("1/1 - "));
}

TEST(Callback, TerminateOnNaNStopsInsteadOfThrowing) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 1e30}), .loss = "mse"});
  Tensor y = ops::multiply(d.y, 1e30);
  EXPECT_THROW(model.fit(d.x, y, {.epochs = 3, .batch_size = 2, .verbose = 0}), RuntimeError);
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 1e30}), .loss = "mse"});
  testing::internal::CaptureStdout();
  auto h = model.fit(
      d.x, y, {.epochs = 3, .batch_size = 2, .verbose = 0, .callbacks = {cb::TerminateOnNaN()}});
  const std::string printed = testing::internal::GetCapturedStdout();
  EXPECT_THAT(printed,
              ::testing::MatchesRegex("Batch [0-9]+: Invalid loss, terminating training\n"));
  EXPECT_EQ(h.epoch.size(), 1u);
  EXPECT_FALSE(std::isfinite(h.history.at("loss")[0]));
}

// Keras 3's TerminateOnNaN(raise_error=True) fails fit instead of stopping it.
TEST(Callback, TerminateOnNaNRaisesWhenAsked) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 1e30}), .loss = "mse"});
  Tensor y = ops::multiply(d.y, 1e30);
  test::expect_throws_with<RuntimeError>(
      [&] {
        model.fit(d.x, y,  // "NaN or Inf loss encountered at batch 0. Loss value: inf. ..."
                  {.epochs = 3,
                   .batch_size = 2,
                   .verbose = 0,
                   .callbacks = {cb::TerminateOnNaN({.raise_error = true})}});
      },
      ". Terminating training immediately.");
}

// Keras 3's terminate_on_nan_test: infinite targets make an infinite loss, which TerminateOnNaN
// handles (fit otherwise refuses such data up front: docs/differences.md); raising skips
// on_train_end.
TEST(Callback, TerminateOnNaNHandlesInfiniteTargets) {
  const float inf = std::numeric_limits<float>::infinity();
  auto model = [] {
    auto inputs = Input({1});
    Model m(inputs, L::Dense(1)(inputs));
    m.compile({.optimizer = "sgd", .loss = "mse"});
    return m;
  };
  const Tensor x = Tensor::from_vector<float>({1, 2}, {2, 1});
  const Tensor y = Tensor::from_vector<float>({inf, inf}, {2, 1});
  Model graceful = model();
  EXPECT_THROW(graceful.fit(x, y, {.epochs = 2, .batch_size = 1, .verbose = 0}), ValueError);
  testing::internal::CaptureStdout();
  const cb::History h = graceful.fit(
      x, y, {.epochs = 2, .batch_size = 1, .verbose = 0, .callbacks = {cb::TerminateOnNaN()}});
  testing::internal::GetCapturedStdout();
  EXPECT_EQ(h.history.at("loss").size(), 1u);
  struct Tracking : cb::Callback {
    bool train_end_called = false;
    void on_train_end(const cb::Logs&) override { train_end_called = true; }
  };
  auto tracking = std::make_shared<Tracking>();
  Model raising = model();
  test::expect_throws_with<RuntimeError>(
      [&] {
        raising.fit(x, y,
                    {.epochs = 1,
                     .batch_size = 1,
                     .verbose = 0,
                     .callbacks = {tracking, cb::TerminateOnNaN({.raise_error = true})}});
      },
      "NaN or Inf loss encountered at batch 0. Loss value: inf.");
  EXPECT_FALSE(tracking->train_end_called);
}

// Weights after each epoch, seen from a callback.
struct WeightLog : cb::Callback {
  std::vector<std::vector<float>> after_epoch;
  void on_epoch_end(int, const cb::Logs&) override {
    std::vector<float> w;
    for (const Tensor& t : trainer().model().get_weights())
      for (int64_t i = 0; i < t.size(); ++i) w.push_back(t.data<float>()[i]);
    after_epoch.push_back(w);
  }
};

TEST(Callback, ReduceLROnPlateauChangesTheRateTrainingUses) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  // min_delta so large that nothing counts as an improvement: with patience 1 the rate drops to
  // zero (factor 0) at the end of epoch 1, so epochs 2 and 3 (replayed plans) must not move.
  auto plateau =
      cb::ReduceLROnPlateau({.monitor = "loss", .factor = 0.0, .patience = 1, .min_delta = 1e9});
  auto weights = std::make_shared<WeightLog>();
  auto h = model.fit(d.x, d.y,
                     {.epochs = 4, .batch_size = 2, .verbose = 0, .callbacks = {plateau, weights}});
  EXPECT_EQ(model.optimizer().learning_rate(), 0.0);
  EXPECT_THAT(h.history.at("learning_rate"),
              ElementsAre(static_cast<float>(0.1), static_cast<float>(0.1), 0.0, 0.0));
  EXPECT_NE(weights->after_epoch[0], weights->after_epoch[1]);
  EXPECT_EQ(weights->after_epoch[1], weights->after_epoch[2]);
  EXPECT_EQ(weights->after_epoch[2], weights->after_epoch[3]);
}

TEST(Callback, ReduceLROnPlateauFollowsPatienceCooldownAndMinLr) {
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 1.0}), .loss = "mse"});
  auto r = cb::ReduceLROnPlateau(
      {.factor = 0.5, .patience = 2, .min_delta = 0.0, .cooldown = 1, .min_lr = 0.3});
  r->set_trainer(&model.impl().trainer());
  r->on_train_begin({});
  std::vector<double> lrs;
  for (int e = 0; e < 8; ++e) {
    cb::Logs logs{{"val_loss", 1.0}};  // never improves after epoch 0
    r->on_epoch_end(e, logs);
    EXPECT_TRUE(logs.contains("learning_rate"));
    lrs.push_back(model.optimizer().learning_rate());
  }
  // Reductions at epoch 2 (waited 2), and at epoch 4 (1 cooldown epoch counts as waiting) down to
  // min_lr, stored as float32 as in Keras's variable; then the rate stays.
  const double min_lr = static_cast<float>(0.3);
  EXPECT_THAT(lrs, ElementsAre(1.0, 1.0, 0.5, 0.5, min_lr, min_lr, min_lr, min_lr));
  EXPECT_THROW(cb::ReduceLROnPlateau({.factor = 1.0}), ValueError);
}

// Keras compares its float32 rate with float32(min_lr): a rate reduced to min_lr 0.005 (not a
// float32 number) is not above it, so there is one reduction and the waiting goes on (wait 4,
// cooldown 0 after 6 epochs, as Keras). The reduced rates are float32: 0.01 * 0.1 is Keras's
// float32(float32(0.01) * 0.1), not 0.001.
TEST(Callback, ReduceLROnPlateauKeepsKerasFloat32Rates) {
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.01}), .loss = "mse"});
  auto r = cb::ReduceLROnPlateau({.monitor = "loss",
                                  .factor = 0.5,
                                  .patience = 0,
                                  .mode = "max",
                                  .cooldown = 1,
                                  .min_lr = 0.005});
  r->set_trainer(&model.impl().trainer());
  r->on_train_begin({});
  for (int e = 0; e < 6; ++e) r->on_epoch_end(e, {{"loss", 1.0 - 0.1 * e}});
  EXPECT_EQ(model.optimizer().learning_rate(), static_cast<float>(0.005));
  EXPECT_EQ(r->wait, 4);
  EXPECT_EQ(r->cooldown_counter, 0);

  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.01}), .loss = "mse"});
  auto tenth = cb::ReduceLROnPlateau({.monitor = "loss", .factor = 0.1, .patience = 0});
  tenth->set_trainer(&model.impl().trainer());
  tenth->on_train_begin({});
  tenth->on_epoch_end(0, {{"loss", 1.0}});
  tenth->on_epoch_end(1, {{"loss", 2.0}});
  EXPECT_EQ(model.optimizer().learning_rate(),
            static_cast<float>(static_cast<double>(static_cast<float>(0.01)) * 0.1));
}

// Mode "auto" goes by the compiled metric's direction (Keras 3), not by its name: a BinaryAccuracy
// named "my_metric" and an AUC improve upwards; a count metric has no direction (ValueError).
TEST(Callback, AutoModeTakesTheDirectionOfTheCompiledMetric) {
  namespace M = keras::metrics;
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 1.0}),
                 .loss = "mse",
                 .metrics = {M::BinaryAccuracy({.name = "my_metric"}),
                             std::make_shared<M::AUC>(M::AUCOptions{}), M::TruePositives()}});
  model.fit(d.x, d.y, {.epochs = 1, .batch_size = 8, .verbose = 0});  // builds the metrics
  auto es = cb::EarlyStopping({.monitor = "val_my_metric", .patience = 1});
  es->set_trainer(&model.impl().trainer());
  es->on_train_begin({});
  for (int e = 0; e < 4; ++e) es->on_epoch_end(e, {{"val_my_metric", 0.1 * (e + 1)}});
  EXPECT_EQ(es->stopped_epoch, 0);  // rising every epoch: never stops
  EXPECT_DOUBLE_EQ(*es->best, 0.4);

  auto plateau = cb::ReduceLROnPlateau({.monitor = "val_auc", .factor = 0.5, .patience = 1});
  plateau->set_trainer(&model.impl().trainer());
  plateau->on_train_begin({});
  for (int e = 0; e < 4; ++e) plateau->on_epoch_end(e, {{"val_auc", 0.5 + 0.1 * e}});
  EXPECT_EQ(model.optimizer().learning_rate(), 1.0);  // improving: the rate stays

  auto counts = cb::ReduceLROnPlateau({.monitor = "val_true_positives"});
  counts->set_trainer(&model.impl().trainer());
  counts->on_train_begin({});
  EXPECT_THAT(
      [&] {
        counts->on_epoch_end(0, {{"val_true_positives", 3.0}});
      },
      ::testing::ThrowsMessage<ValueError>(HasSubstr(
          "ReduceLROnPlateau callback received monitor=val_true_positives, but Keras "
          "isn't able to automatically determine whether that metric should be maximized "
          "or minimized. Pass `mode='max'` in order to monitor based on the highest metric "
          "value, or pass `mode='min'` in order to use the lowest value.")));
  EXPECT_EQ(M::BinaryAccuracy()->higher_is_better(), std::optional<bool>(true));
  EXPECT_EQ(M::TruePositives()->higher_is_better(), std::nullopt);
}

// As Keras's comparisons: a NaN value never improves on the best, so patience runs out.
TEST(Callback, ReduceLROnPlateauCountsNaNAsNoImprovement) {
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 1.0}), .loss = "mse"});
  auto r = cb::ReduceLROnPlateau({.factor = 0.5, .patience = 1, .min_delta = 0.0});
  r->set_trainer(&model.impl().trainer());
  r->on_train_begin({});
  r->on_epoch_end(0, {{"val_loss", 1.0}});
  r->on_epoch_end(1, {{"val_loss", std::numeric_limits<double>::quiet_NaN()}});
  EXPECT_EQ(model.optimizer().learning_rate(), 0.5);
  EXPECT_EQ(r->best, 1.0);
}

TEST(Callback, LearningRateSchedulerSetsTheRateEachEpoch) {
  Sample d;
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  std::vector<double> seen;
  auto sched = cb::LearningRateScheduler([&](int epoch, double lr) {
    seen.push_back(lr);
    return epoch >= 1 ? 0.0 : lr;
  });
  auto weights = std::make_shared<WeightLog>();
  auto h = model.fit(d.x, d.y,
                     {.epochs = 3, .batch_size = 2, .verbose = 0, .callbacks = {sched, weights}});
  EXPECT_THAT(seen, ElementsAre(static_cast<float>(0.1), static_cast<float>(0.1), 0.0));
  EXPECT_THAT(h.history.at("learning_rate"), ElementsAre(static_cast<float>(0.1), 0.0, 0.0));
  EXPECT_EQ(weights->after_epoch[1], weights->after_epoch[2]);
}

TEST(Callback, ReplayedPlansTrainWithTheScheduledRatesAsEagerSteps) {
  // Replayed plans read the learning rate when their kernels run: with a rate that changes every
  // epoch, plan and eager execution end with the same weights, bit for bit.
  auto run = [](bool eager) {
    utils::set_random_seed(9);
    Sample d;
    Model model = small_model();
    model.compile({.optimizer = optimizers::Adam({.learning_rate = 0.1}),
                   .loss = "mse",
                   .run_eagerly = eager});
    auto sched = cb::LearningRateScheduler([](int epoch, double) { return 0.1 / (1 << epoch); });
    model.fit(d.x, d.y,
              {.epochs = 4, .batch_size = 2, .verbose = 0, .callbacks = {sched}, .shuffle = false});
    return model.get_weights();
  };
  const Tensors plan = run(false), eager = run(true);
  for (size_t i = 0; i < plan.size(); ++i) {
    for (int64_t j = 0; j < plan[i].size(); ++j)
      EXPECT_EQ(plan[i].data<float>()[j], eager[i].data<float>()[j]);
  }
}

}  // namespace
}  // namespace keras
