// keras.config's max_epochs / max_steps_per_epoch and interactive logging. The counts are Keras
// 3.15's own (trainer_test.py's test_max_epochs_and_steps: 80 samples, batch 8, epochs 4, caps 2
// and 3 -> 2 epochs of 3 batches).
#include "keras/config/settings.h"

#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras {
namespace {

namespace cb = keras::callbacks;

// Restores the caps and interactive logging however the test ends.
struct ResetSettings {
  ~ResetSettings() {
    config::set_max_epochs(std::nullopt);
    config::set_max_steps_per_epoch(std::nullopt);
    config::enable_interactive_logging();
  }
};

Model tiny_model() {
  auto in = Input({4});
  return Model(in, layers::Dense(1)(in));
}

struct Counts {
  int epochs = 0, train_batches = 0, test_batches = 0, predict_batches = 0;
};

std::shared_ptr<cb::Callback> counter(Counts& c) {
  return cb::LambdaCallback({
      .on_epoch_begin = [&](int, const cb::Logs&) { ++c.epochs; },
      .on_train_batch_begin = [&](int, const cb::Logs&) { ++c.train_batches; },
      .on_test_batch_begin = [&](int, const cb::Logs&) { ++c.test_batches; },
      .on_predict_batch_begin = [&](int, const cb::Logs&) { ++c.predict_batches; },
  });
}

TEST(ConfigSettings, DefaultsAndSetters) {
  ResetSettings reset;
  // Unset in the test environment (KERAS_MAX_EPOCHS is not exported by the test runner).
  if (std::getenv("KERAS_MAX_EPOCHS") == nullptr) {
    EXPECT_EQ(config::max_epochs(), std::nullopt);
  }
  config::set_max_epochs(2);
  EXPECT_EQ(config::max_epochs(), 2);
  config::set_max_steps_per_epoch(3);
  EXPECT_EQ(config::max_steps_per_epoch(), 3);
  config::set_max_steps_per_epoch(std::nullopt);
  EXPECT_EQ(config::max_steps_per_epoch(), std::nullopt);
  EXPECT_TRUE(config::is_interactive_logging_enabled());
  utils::disable_interactive_logging();  // keras.utils's alias
  EXPECT_FALSE(config::is_interactive_logging_enabled());
}

TEST(ConfigSettings, FitEvaluatePredictObeyTheCaps) {
  ResetSettings reset;
  Tensor x = test::tensor_of(std::vector<double>(80 * 4, 1.0), {80, 4}, float32);
  Tensor y = test::tensor_of(std::vector<double>(80, 1.0), {80, 1}, float32);
  Model model = tiny_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  Counts plain;
  model.fit(x, y, {.epochs = 4, .batch_size = 8, .verbose = 0, .callbacks = {counter(plain)}});
  EXPECT_EQ(plain.epochs, 4);
  EXPECT_EQ(plain.train_batches, 40);

  config::set_max_epochs(2);
  config::set_max_steps_per_epoch(3);
  Counts capped;
  testing::internal::CaptureStderr();
  auto history = model.fit(x, y,
                           {.epochs = 4,
                            .batch_size = 8,
                            .verbose = 0,
                            .callbacks = {counter(capped)},
                            .validation_split = 0.5});
  const std::string warnings = testing::internal::GetCapturedStderr();
  EXPECT_EQ(capped.epochs, 2);
  EXPECT_EQ(capped.train_batches, 6);
  EXPECT_EQ(capped.test_batches, 6);  // validation: 3 batches an epoch
  EXPECT_EQ(history.epoch.size(), 2u);
  EXPECT_NE(warnings.find("UserWarning: Limiting epochs to 2"), std::string::npos) << warnings;
  EXPECT_NE(warnings.find("UserWarning: Limiting steps_per_epoch to 3"), std::string::npos);

  Counts eval;
  model.evaluate(x, y, {.batch_size = 8, .verbose = 0, .callbacks = {counter(eval)}});
  EXPECT_EQ(eval.test_batches, 3);
  Counts pred;
  Tensors out = model.predict(x, {.batch_size = 8, .callbacks = {counter(pred)}});
  EXPECT_EQ(pred.predict_batches, 3);
  EXPECT_EQ(out[0].shape(), (Shape{24, 1}));  // the batches that ran
  // Without callbacks (predict's parallel path) the cap holds too.
  EXPECT_EQ(model.predict(x, {.batch_size = 8})[0].shape(), (Shape{24, 1}));

  // A cap above what the call asks for changes nothing; 0 caps nothing, as in Keras.
  config::set_max_epochs(0);
  config::set_max_steps_per_epoch(100);
  Counts loose;
  model.fit(x, y, {.epochs = 3, .batch_size = 8, .verbose = 0, .callbacks = {counter(loose)}});
  EXPECT_EQ(loose.epochs, 3);
  EXPECT_EQ(loose.train_batches, 30);
}

TEST(ConfigSettings, NonInteractiveLoggingLeavesStdout) {
  ResetSettings reset;
  Tensor x = test::tensor_of(std::vector<double>(8 * 4, 1.0), {8, 4}, float32);
  Tensor y = test::tensor_of(std::vector<double>(8, 1.0), {8, 1}, float32);
  Model model = tiny_model();
  model.compile({.optimizer = "sgd", .loss = "mse"});
  testing::internal::CaptureStdout();
  model.fit(x, y, {.epochs = 2, .batch_size = 4, .verbose = 2});
  const std::string interactive = testing::internal::GetCapturedStdout();
  EXPECT_NE(interactive.find("Epoch 2/2"), std::string::npos) << interactive;

  config::disable_interactive_logging();
  testing::internal::CaptureStdout();
  testing::internal::CaptureStderr();
  model.fit(x, y, {.epochs = 2, .batch_size = 4, .verbose = 2});
  const std::string err = testing::internal::GetCapturedStderr();
  const std::string out = testing::internal::GetCapturedStdout();
  EXPECT_EQ(out, "");
  EXPECT_NE(err.find("Epoch 2/2"), std::string::npos) << err;
  EXPECT_NE(err.find("2/2"), std::string::npos);
}

}  // namespace
}  // namespace keras
