// Optimizer updates against Keras 3's own numbers (tests/goldens, made by real Keras).
#include "keras/optimizers/optimizers.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "goldens/keras_goldens.h"
#include "keras/backend/backend.h"

namespace keras::optimizers {
namespace {

using Golden = const double[3][8];

// Runs three steps of the golden protocol on float64 variables and compares every value.
void expect_matches(OptimizerPtr opt, Golden& golden, double tol = 1e-12) {
  Variable w0("w0", Tensor::from_vector<double>({1.0, -2.0, 3.0, 0.5}));
  Variable w1("w1", Tensor::from_vector<double>({0.1, 0.2, 0.3, -0.4}, {2, 2}));
  for (int t = 1; t <= 3; ++t) {
    Tensor g0 = Tensor::from_vector<double>({0.1 * t, -0.2 * t, 0.3 * t, 4.0 * t});
    Tensor g1 = Tensor::from_vector<double>({0.5 * t, -0.5 * t, 0.25 * t, 1.0 * t}, {2, 2});
    opt->apply({g0, g1}, {w0, w1});
    for (int i = 0; i < 4; ++i) {
      EXPECT_NEAR(w0.value().data<double>()[i], golden[t - 1][i], tol)
          << "step " << t << " w0[" << i << "]";
      EXPECT_NEAR(w1.value().data<double>()[i], golden[t - 1][4 + i], tol)
          << "step " << t << " w1[" << i << "]";
    }
  }
  EXPECT_EQ(opt->iterations(), 3);
}

TEST(Optimizers, SgdMatchesKeras) {
  expect_matches(SGD(), goldens::kOpt_sgd_default);
  expect_matches(SGD({.learning_rate = 0.1}), goldens::kOpt_sgd_lr_0_1);
  expect_matches(SGD({.learning_rate = 0.1, .momentum = 0.9}), goldens::kOpt_sgd_momentum);
  expect_matches(SGD({.learning_rate = 0.1, .momentum = 0.9, .nesterov = true}),
                 goldens::kOpt_sgd_nesterov);
}

TEST(Optimizers, RmspropMatchesKeras) {
  expect_matches(RMSprop(), goldens::kOpt_rmsprop_default);
  expect_matches(RMSprop({.learning_rate = 0.5}), goldens::kOpt_rmsprop_lr_0_5);
  expect_matches(RMSprop({.learning_rate = 0.01, .momentum = 0.5}), goldens::kOpt_rmsprop_momentum);
  expect_matches(RMSprop({.learning_rate = 0.01, .centered = true}),
                 goldens::kOpt_rmsprop_centered);
}

TEST(Optimizers, RmspropSingleStepFromTheIssue) {
  Variable w("w", Tensor::from_vector<double>({1.0}));
  RMSprop({.learning_rate = 0.5})->apply({Tensor::from_vector<double>({1.0})}, {w});
  EXPECT_NEAR(w.value().data<double>()[0], goldens::kOpt_rmsprop_single_step, 1e-14);
  EXPECT_NEAR(w.value().data<double>()[0], -0.5811, 1e-4);
}

TEST(Optimizers, AdamFamilyMatchesKeras) {
  expect_matches(Adam(), goldens::kOpt_adam_default);
  expect_matches(Adam({.learning_rate = 0.1}), goldens::kOpt_adam_lr_0_1);
  expect_matches(Adam({.learning_rate = 0.1, .amsgrad = true}), goldens::kOpt_adam_amsgrad);
  expect_matches(AdamW(), goldens::kOpt_adamw_default);
  expect_matches(AdamW({.learning_rate = 0.1, .weight_decay = 0.1}), goldens::kOpt_adamw_lr_0_1);
}

TEST(Optimizers, AdagradMatchesKeras) {
  expect_matches(Adagrad(), goldens::kOpt_adagrad_default);
  expect_matches(Adagrad({.learning_rate = 0.1}), goldens::kOpt_adagrad_lr_0_1);
}

TEST(Optimizers, GradientClippingMatchesKeras) {
  expect_matches(SGD({.learning_rate = 0.1, .clip = {.clipnorm = 1.0}}),
                 goldens::kOpt_sgd_clipnorm);
  expect_matches(SGD({.learning_rate = 0.1, .clip = {.clipvalue = 0.25}}),
                 goldens::kOpt_sgd_clipvalue);
  expect_matches(SGD({.learning_rate = 0.1, .clip = {.global_clipnorm = 1.0}}),
                 goldens::kOpt_sgd_global_clipnorm);
  expect_matches(Adam({.learning_rate = 0.1, .clip = {.clipnorm = 0.5}}),
                 goldens::kOpt_adam_clipnorm);
}

TEST(Optimizers, Float32FastKernelsMatchReference) {
  auto run = [](backend::Backend& be, OptimizerPtr opt) {
    backend::ScopedBackend scope(be);
    Variable w("w", Tensor::from_vector<float>({1.0f, -2.0f, 3.0f, 0.5f}));
    for (int t = 1; t <= 3; ++t) {
      opt->apply({Tensor::from_vector<float>({0.1f * t, -0.2f * t, 0.3f * t, 4.0f * t})}, {w});
    }
    return w.value().clone();
  };
  for (auto make : {+[] { return RMSprop(); }, +[] { return Adam({.learning_rate = 0.1}); },
                    +[] { return AdamW(); }}) {
    Tensor fast = run(backend::cpu_backend(), make());
    Tensor ref = run(backend::reference_backend(), make());
    for (int i = 0; i < 4; ++i) EXPECT_NEAR(fast.data<float>()[i], ref.data<float>()[i], 1e-6);
  }
}

TEST(Optimizers, RejectsBadArguments) {
  EXPECT_THROW(SGD({.clip = {.clipnorm = 1.0, .clipvalue = 1.0}}), ValueError);
  EXPECT_THROW(SGD({.momentum = 1.5}), ValueError);
  EXPECT_THROW(RMSprop({.learning_rate = -1}), ValueError);
  EXPECT_THROW(get("adamax2"), ValueError);
  EXPECT_EQ(get("RMSprop")->name(), "RMSprop");
  Variable w("w", Tensor::from_vector<float>({1.0f}));
  EXPECT_THROW(SGD()->apply({Tensor::from_vector<float>({1.0f, 2.0f})}, {w}), ValueError);
}

TEST(Optimizers, LearningRateChangesApplyToLaterSteps) {
  auto opt = SGD({.learning_rate = 0.1});
  Variable w("w", Tensor::from_vector<double>({1.0}));
  opt->apply({Tensor::from_vector<double>({1.0})}, {w});
  opt->set_learning_rate(0.01);
  opt->apply({Tensor::from_vector<double>({1.0})}, {w});
  EXPECT_NEAR(w.value().data<double>()[0], 1.0 - 0.1 - 0.01, 1e-15);
}

}  // namespace
}  // namespace keras::optimizers
