#include "keras/callbacks/early_stopping.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <keras/keras.hpp>

namespace keras {
namespace {

using ::testing::ElementsAre;
namespace L = keras::layers;
namespace cb = keras::callbacks;

Model small_model() {
  auto inputs = Input({2});
  return Model(inputs, L::Dense(1)(inputs));
}

// Drives EarlyStopping through epochs whose monitored values are given; before each epoch end the
// weights are set to the epoch number, so restored weights tell which epoch they came from.
struct Outcome {
  int epochs_run = 0;
  float restored = -1;
  int stopped_epoch = 0;
};
Outcome drive(cb::EarlyStoppingOptions options, const std::vector<double>& values) {
  Model model = small_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  trainers::Trainer& trainer = model.impl().trainer();
  auto es = cb::EarlyStopping(options);
  es->set_trainer(&trainer);
  trainer.stop_training = false;
  es->on_train_begin({});
  Outcome run;
  for (size_t e = 0; e < values.size() && !trainer.stop_training; ++e) {
    Tensors w = model.get_weights();
    for (Tensor& t : w) t = full(t.shape(), static_cast<double>(e), float32);
    model.set_weights(w);
    es->on_epoch_end(static_cast<int>(e), {{options.monitor, values[e]}});
    ++run.epochs_run;
  }
  es->on_train_end({});
  run.restored = model.get_weights()[0].data<float>()[0];
  run.stopped_epoch = es->stopped_epoch;
  return run;
}

TEST(EarlyStopping, StopsAfterPatienceEpochsWithoutImprovement) {
  // Best at epoch 1; epochs 2, 3, 4 do not improve; patience 3 stops at epoch 4.
  Outcome r = drive({.monitor = "val_loss", .patience = 3}, {1.0, 0.5, 0.6, 0.5, 0.7, 0.1, 0.1});
  EXPECT_EQ(r.epochs_run, 5);
  EXPECT_EQ(r.stopped_epoch, 4);
  EXPECT_EQ(r.restored, 4.0f);  // restore_best_weights off: the last weights stay
}

TEST(EarlyStopping, RestoresTheBestEpochsWeights) {
  Outcome r = drive({.monitor = "val_loss", .patience = 2, .restore_best_weights = true},
                    {1.0, 0.5, 0.6, 0.7, 0.1});
  EXPECT_EQ(r.stopped_epoch, 3);
  EXPECT_EQ(r.restored, 1.0f);
}

TEST(EarlyStopping, MinDeltaModeBaselineAndStartFromEpoch) {
  // Improvements smaller than min_delta do not count.
  EXPECT_EQ(drive({.monitor = "loss", .min_delta = 0.1, .patience = 1}, {1.0, 0.95, 0.9, 0.5})
                .stopped_epoch,
            1);
  // mode "max" (and "auto" for an accuracy) wants the value to grow.
  EXPECT_EQ(drive({.monitor = "val_accuracy", .patience = 1}, {0.5, 0.6, 0.55, 0.9}).stopped_epoch,
            2);
  EXPECT_EQ(
      drive({.monitor = "val_loss", .patience = 1, .mode = "max"}, {0.5, 0.6, 0.55}).stopped_epoch,
      2);
  // Beating the best but not the baseline keeps the wait going.
  EXPECT_EQ(drive({.monitor = "val_loss", .patience = 2, .baseline = 0.1}, {1.0, 0.9, 0.95, 0.97})
                .stopped_epoch,
            2);
  // Epochs before start_from_epoch are ignored.
  EXPECT_EQ(drive({.monitor = "val_loss", .patience = 1, .start_from_epoch = 2},
                  {0.1, 0.2, 0.3, 0.4, 0.5})
                .stopped_epoch,
            3);
}

TEST(EarlyStopping, UnknownDirectionIsKerasError) {
  EXPECT_THAT([] { drive({.monitor = "val_custom"}, {1.0}); },
              ::testing::ThrowsMessage<ValueError>(
                  ::testing::HasSubstr("Keras isn't able to automatically determine whether that "
                                       "metric should be maximized or minimized")));
}

TEST(EarlyStopping, StopsARealFitAndRestoresItsBestWeights) {
  utils::set_random_seed(3);
  Model model = small_model();
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.05}), .loss = "mse"});
  Tensor x = random::uniform({16, 2}, 0.0, 1.0, float32, 1);
  Tensor y = ops::sum(x, 1, true);
  // The loss keeps falling, so in mode "max" epoch 0 stays the best: stop at epoch 2 (patience 2)
  // and restore epoch 0's weights.
  Tensors best;
  auto grab = cb::LambdaCallback({.on_epoch_end = [&](int epoch, const cb::Logs&) {
    if (epoch == 0) best = model.get_weights();
  }});
  auto es = cb::EarlyStopping(
      {.monitor = "loss", .patience = 2, .mode = "max", .restore_best_weights = true});
  auto h = model.fit(x, y, {.epochs = 10, .batch_size = 4, .verbose = 0, .callbacks = {grab, es}});
  EXPECT_EQ(h.epoch.size(), 3u);
  EXPECT_EQ(es->stopped_epoch, 2);
  EXPECT_EQ(es->best_epoch, 0);
  const Tensors now = model.get_weights();
  ASSERT_EQ(now.size(), best.size());
  for (size_t i = 0; i < now.size(); ++i) {
    for (int64_t j = 0; j < now[i].size(); ++j)
      EXPECT_EQ(now[i].data<float>()[j], best[i].data<float>()[j]);
  }
}

}  // namespace
}  // namespace keras
