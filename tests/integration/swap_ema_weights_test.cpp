// SwapEMAWeights: Keras 3's own tests (callbacks/swap_ema_weights_test.py) in C++, and predict.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <string>

#include "harness/tensor_matchers.h"
#include "keras/keras.hpp"

namespace keras {
namespace {

namespace fs = std::filesystem;
namespace cb = keras::callbacks;

// Keras's _get_compiled_model: SGD with use_ema (momentum 0.9), Dense(2) of ones, no bias.
Model compiled_model(bool use_ema = true) {
  auto x = Input({3});
  Model model(x, layers::Dense(2, {.use_bias = false, .kernel_initializer = "ones"})(x));
  model.compile({.optimizer = optimizers::SGD({.use_ema = use_ema, .ema_momentum = 0.9}),
                 .loss = "mse",
                 .metrics = {"mean_squared_error"}});
  return model;
}

struct Data10 {
  Tensor x = test::random_tensor({10, 3}, float32, -1, 1, 2023);
  Tensor y = test::random_tensor({10, 2}, float32, 0, 1, 2024);
};

std::string message(const std::function<void()>& f) {
  try {
    f();
  } catch (const std::exception& e) {
    return e.what();
  }
  return "no error";
}

TEST(SwapEMAWeights, RefusesAnOptimizerWithoutEma) {
  Data10 d;
  Model model = compiled_model(false);
  EXPECT_EQ(message([&] {
              model.fit(d.x, d.y,
                        {.epochs = 2,
                         .verbose = 0,
                         .callbacks = {cb::SwapEMAWeights()},
                         .validation_data = ValidationData{d.x, d.y}});
            }),
            "SwapEMAWeights must be used when `use_ema=True` is set on the optimizer. Received: "
            "use_ema=False");
}

// Validation inside fit measures the averages, which fit ends with: the last val metric equals
// evaluate's after fit (same weights, same kernels: exactly). Without the callback it does not.
TEST(SwapEMAWeights, ValidationMeasuresTheWeightsFitEndsWith) {
  Data10 d;
  for (bool swap : {false, true}) {
    Model model = compiled_model();
    std::vector<cb::CallbackPtr> callbacks;
    if (swap) callbacks.push_back(cb::SwapEMAWeights());
    const cb::History h = model.fit(d.x, d.y,
                                    {.epochs = 2,
                                     .verbose = 0,
                                     .callbacks = callbacks,
                                     .validation_data = ValidationData{d.x, d.y}});
    const double during = h.history.at("val_mean_squared_error").back();
    const double after = model.evaluate(d.x, d.y, {.verbose = 0})["mean_squared_error"];
    if (swap) {
      EXPECT_EQ(during, after);
    } else {
      EXPECT_NE(during, after);
    }
  }
}

// swap_on_epoch with a ModelCheckpoint after it: the checkpoints hold the averages, and the last
// one equals the model fit ends with.
TEST(SwapEMAWeights, SwapOnEpochCheckpointsTheAverages) {
  Data10 d;
  const fs::path dir =
      fs::temp_directory_path() / ("keras_cpp_swap_ema_" + std::to_string(getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  Model model = compiled_model();
  model.fit(d.x, d.y,
            {.epochs = 2,
             .verbose = 0,
             .callbacks = {cb::SwapEMAWeights({.swap_on_epoch = true}),
                           cb::ModelCheckpoint((dir / "{epoch:1d}.keras").string())},
             .validation_data = ValidationData{d.x, d.y}});
  Model saved = models::load_model((dir / "2.keras").string());
  EXPECT_EQ(model.evaluate(d.x, d.y, {.verbose = 0})["mean_squared_error"],
            saved.evaluate(d.x, d.y, {.verbose = 0})["mean_squared_error"]);
  test::expect_all_close(saved.get_weights()[0], model.get_weights()[0], 0, 0);
  fs::remove_all(dir);
}

// predict with the callback gives the averages' predictions and leaves the trained weights in
// the model (Keras 3 leaves the averages there: docs/differences.md).
TEST(SwapEMAWeights, PredictUsesTheAveragesAndSwapsBack) {
  Data10 d;
  Model model = compiled_model();
  model.fit(d.x, d.y, {.epochs = 1, .verbose = 0});  // ends with the averages in the model
  model.train_on_batch(d.x, d.y);                    // the weights move away from them
  const Tensor trained = model.get_weights()[0].clone();
  const Tensor plain = model.predict(d.x)[0];
  const Tensor averaged = model.predict(d.x, {.callbacks = {cb::SwapEMAWeights()}})[0];
  test::expect_all_close(model.get_weights()[0], trained, 0, 0);
  model.optimizer().swap_variables_with_averages();
  test::expect_all_close(averaged, model.predict(d.x)[0], 0, 0);
  EXPECT_GT(ops::max(ops::abs(ops::subtract(plain, averaged))).item<float>(), 1e-6);
}

}  // namespace
}  // namespace keras
