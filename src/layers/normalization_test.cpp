#include "keras/layers/normalization.h"

#include <gtest/gtest.h>

#include <cmath>

#include "goldens/normalization_goldens.h"
#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/io/npy.h"
#include "keras/layers/dense.h"
#include "keras/layers/embedding.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/pooling.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/optimizers/optimizers.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

template <size_t K>
Tensor golden(const double (&values)[K], Shape shape) {
  return test::tensor_of(std::vector<double>(values, values + K), std::move(shape));
}

// Host formula: gamma * (x - mean) / sqrt(var + eps) + beta over the last axis of a (n, c) x.
Tensor bn_inference_2d(const Tensor& x, const Tensors& w, double eps) {
  const int64_t n = x.shape()[0], c = x.shape()[1];
  std::vector<double> out(static_cast<size_t>(n * c));
  const std::vector<double> xv = test::to_doubles(x), g = test::to_doubles(w[0]),
                            b = test::to_doubles(w[1]), m = test::to_doubles(w[2]),
                            v = test::to_doubles(w[3]);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < c; ++j) {
      const size_t k = static_cast<size_t>(i * c + j), f = static_cast<size_t>(j);
      out[k] = g[f] * (xv[k] - m[f]) / std::sqrt(v[f] + eps) + b[f];
    }
  }
  return test::tensor_of(out, {n, c});
}

// ---- BatchNormalization: the layer contract ----

TEST(BatchNormalization, Contract2D) {
  test::run_layer_test({
      .make_layer = [] { return BatchNormalization({.momentum = 0.5}); },
      .input_shape = {6, 3},
      .expected_output_shape = {6, 3},
      .expected_num_weights = 4,
      .expected_num_trainable_weights = 2,
      // Far from the initial moving statistics (0, 1): evaluate() runs in inference mode, so
      // the loss falls as fit learns them.
      .input_lo = 2.0,
      .input_hi = 6.0,
  });
}

TEST(BatchNormalization, ContractChannelsFirstImages) {
  test::run_layer_test({
      .make_layer = [] { return BatchNormalization({.axis = 1, .momentum = 0.5}); },
      .input_shape = {2, 3, 2, 2},
      .expected_output_shape = {2, 3, 2, 2},
      .expected_num_weights = 4,
      .expected_num_trainable_weights = 2,
      .input_lo = 2.0,
      .input_hi = 6.0,
  });
}

TEST(BatchNormalization, ContractWithoutCenterAndScale) {
  test::run_layer_test({
      .make_layer = [] { return BatchNormalization({.center = false, .scale = false}); },
      .input_shape = {5, 2, 3},
      .expected_output_shape = {5, 2, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 0,
  });
}

TEST(BatchNormalization, WeightsInKerasOrderWithKerasNames) {
  utils::clear_session();
  BatchNormalization bn;
  EXPECT_EQ(bn.name(), "batch_normalization_1");
  bn(zeros({2, 4}));
  const std::vector<Variable> w = bn.weights();
  ASSERT_EQ(w.size(), 4u);
  const char* names[] = {"gamma", "beta", "moving_mean", "moving_variance"};
  for (size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(w[i].path(), std::string("batch_normalization_1/") + names[i]);
    EXPECT_EQ(shape_str(w[i].shape()), "(4,)");
  }
  EXPECT_TRUE(w[0].trainable());
  EXPECT_TRUE(w[1].trainable());
  EXPECT_FALSE(w[2].trainable());
  EXPECT_FALSE(w[3].trainable());
  test::expect_all_close(w[0].value(), ones({4}), 0, 0);
  test::expect_all_close(w[1].value(), zeros({4}), 0, 0);
  test::expect_all_close(w[2].value(), zeros({4}), 0, 0);
  test::expect_all_close(w[3].value(), ones({4}), 0, 0);
  EXPECT_EQ(bn.count_params(), 16);
  EXPECT_EQ(bn->options().momentum, 0.99);
  EXPECT_EQ(bn->options().epsilon, 1e-3);
}

TEST(BatchNormalization, OnlyGammaAndBetaAreRegularized) {
  BatchNormalization bn(
      {.beta_regularizer = regularizers::L2(0.5), .gamma_regularizer = regularizers::L2(0.25)});
  bn(zeros({2, 3}));
  const Tensors losses = bn->losses();
  ASSERT_EQ(losses.size(), 2u);
  double total = 0;
  for (const Tensor& l : losses) total += l.item<double>();
  EXPECT_NEAR(total, 0.25 * 3, 1e-6);  // gamma = ones, beta = zeros
}

// ---- BatchNormalization: values from Keras 3 ----

void expect_bn_golden(int axis,
                      const Shape& shape,
                      const double* x,
                      const double* const weights[4],
                      const double* inference,
                      const double* training,
                      const double* mean_after,
                      const double* variance_after) {
  const int64_t n = num_elements(shape);
  const int64_t c =
      shape[static_cast<size_t>(normalize_axis(axis, static_cast<int>(shape.size())))];
  auto t = [](const double* p, int64_t k, Shape s) {
    return test::tensor_of(std::vector<double>(p, p + k), std::move(s));
  };
  BatchNormalization bn({.axis = axis, .momentum = goldens::kBnMomentum});
  bn->set_dtype(float64);
  const Tensor input = t(x, n, shape);
  bn(input);
  bn.set_weights(
      {t(weights[0], c, {c}), t(weights[1], c, {c}), t(weights[2], c, {c}), t(weights[3], c, {c})});
  test::expect_all_close(bn(input, /*training=*/false), t(inference, n, shape), 1e-12, 1e-12);
  test::expect_all_close(bn(input, /*training=*/true), t(training, n, shape), 1e-12, 1e-12);
  test::expect_all_close(bn->moving_mean().value(), t(mean_after, c, {c}), 1e-12, 1e-12);
  test::expect_all_close(bn->moving_variance().value(), t(variance_after, c, {c}), 1e-12, 1e-12);
}

TEST(BatchNormalization, MatchesKeras2D) {
  using namespace goldens;
  const double* w[4] = {kBn2dGamma, kBn2dBeta, kBn2dMovingMean, kBn2dMovingVariance};
  expect_bn_golden(-1, {4, 3}, kBn2dInput, w, kBn2dInferenceOutput, kBn2dTrainingOutput,
                   kBn2dMovingMeanAfter, kBn2dMovingVarianceAfter);
}

TEST(BatchNormalization, MatchesKerasAxis1) {
  using namespace goldens;
  const double* w[4] = {kBnAxis1Gamma, kBnAxis1Beta, kBnAxis1MovingMean, kBnAxis1MovingVariance};
  expect_bn_golden(1, {2, 3, 2, 2}, kBnAxis1Input, w, kBnAxis1InferenceOutput,
                   kBnAxis1TrainingOutput, kBnAxis1MovingMeanAfter, kBnAxis1MovingVarianceAfter);
}

TEST(BatchNormalization, MatchesKerasLastAxisOfImages) {
  using namespace goldens;
  const double* w[4] = {kBnLast4dGamma, kBnLast4dBeta, kBnLast4dMovingMean,
                        kBnLast4dMovingVariance};
  expect_bn_golden(-1, {2, 3, 2, 2}, kBnLast4dInput, w, kBnLast4dInferenceOutput,
                   kBnLast4dTrainingOutput, kBnLast4dMovingMeanAfter, kBnLast4dMovingVarianceAfter);
}

// ---- BatchNormalization: moving statistics ----

TEST(BatchNormalization, TrainingCallUpdatesMovingStatisticsByTheKeras3Formula) {
  BatchNormalization bn({.momentum = 0.75});
  const Tensor x = test::tensor_of({1, 10, 3, 20, 8, 30}, {3, 2}, float32);
  bn(x, true);
  // Feature 0: mean 4, biased variance 26/3. Feature 1: mean 20, variance 200/3.
  test::expect_all_close(bn->moving_mean().value(),
                         test::tensor_of({0.25 * 4, 0.25 * 20}, {2}, float32), 1e-6, 1e-6);
  test::expect_all_close(
      bn->moving_variance().value(),
      test::tensor_of({0.75 + 0.25 * 26 / 3.0, 0.75 + 0.25 * 200 / 3.0}, {2}, float32), 1e-6, 1e-6);
  bn(x, false);  // inference leaves them alone
  test::expect_all_close(bn->moving_mean().value(),
                         test::tensor_of({0.25 * 4, 0.25 * 20}, {2}, float32), 1e-6, 1e-6);
}

// With a mask, Keras 3's training statistics are over the unmasked steps (sums / (count +
// 1e-7)), and the mask goes on (tests/data/layers/goldens/bn_mask.*: make_layer_fixtures.py
// masked_bn_goldens). Float32 against JAX's float32: sums of 15 terms and a rsqrt, so 1e-5.
TEST(BatchNormalization, MaskedTrainingStatisticsAreKerass) {
  auto g = [](const char* k) {
    return io::load_npy(str(KERAS_TEST_DATA_DIR, "/layers/goldens/bn_mask.", k, ".npy"));
  };
  BatchNormalization bn({.momentum = 0.8});
  const Tensor x = ops::copy(g("x")), mask = g("mask");
  bn(x, false);  // builds
  bn->gamma().assign(g("gamma"));
  bn->beta().assign(g("beta"));
  bn->moving_mean().assign(g("moving_mean"));
  bn->moving_variance().assign(g("moving_variance"));
  x.set_keras_mask(mask);
  Tensor y;
  Tensors grads;
  {
    autodiff::GradientTape tape;
    tape.watch(x);
    y = bn(x, true);
    grads = tape.gradient(ops::sum(ops::multiply(y, g("r"))),
                          {x, bn->gamma().value(), bn->beta().value()});
  }
  test::expect_all_close(y, g("y"), 1e-5, 1e-5);
  test::expect_all_close(bn->moving_mean().value(), g("new_mean"), 1e-5, 1e-5);
  test::expect_all_close(bn->moving_variance().value(), g("new_var"), 1e-5, 1e-5);
  test::expect_all_close(grads[0], g("dx"), 1e-4, 1e-4);
  test::expect_all_close(grads[1], g("dgamma"), 1e-4, 1e-4);
  test::expect_all_close(grads[2], g("dbeta"), 1e-4, 1e-4);
  ASSERT_TRUE(y.keras_mask().defined());  // passed on
  test::expect_all_close(y.keras_mask(), mask, 0, 0);
  // Inference ignores the mask but passes it on too.
  EXPECT_TRUE(bn(x, false).keras_mask().defined());
  const Tensor bad = ops::copy(x);
  bad.set_keras_mask(ones({3}, bool_));
  test::expect_throws_with<ValueError>(
      [&] { bn(bad, false); },
      "The mask provided should be one dimension less than the inputs. Received: "
      "mask.shape=(3,), inputs.shape=(3, 5, 4)");
}

// In fit's replayed steps too, the padded steps take no part in the moving statistics: two
// models that differ only in the padding's embedding vector end with the same statistics.
TEST(BatchNormalization, FitLeavesMaskedStepsOutOfTheMovingStatistics) {
  Tensors means;
  for (double pad : {0.0, 100.0}) {
    auto ids = Input({4}, {.dtype = int32});
    Embedding embedding(5, 3, {.mask_zero = true});
    BatchNormalization bn({.momentum = 0.5});
    auto h = bn(embedding(ids));
    Model model(ids, Dense(1)(GlobalAveragePooling1D()(h)));
    model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
    Tensor table =
        test::tensor_of({pad, pad, pad, 1, 2, 3, -1, 0, 1, 4, 4, 2, 0.5, 0, -2}, {5, 3}, float32);
    embedding->embeddings().assign(table);
    const Tensor x = Tensor::from_vector<int32_t>(
        {1, 2, 0, 0, 3, 0, 0, 0, 4, 4, 1, 0, 2, 3, 4, 1, 1, 0, 0, 0, 3, 2, 0, 0}, {6, 4});
    model.fit(x, zeros({6, 1}), {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});
    means.push_back(ops::copy(bn->moving_mean().value()));
    means.push_back(ops::copy(bn->moving_variance().value()));
  }
  test::expect_all_close(means[2], means[0], 1e-5, 1e-6);
  test::expect_all_close(means[3], means[1], 1e-5, 1e-6);
}

// Input(3) -> BatchNormalization -> Dense(1), float64, fitted as in the Keras script: the traced
// step is replayed for 5 of the 6 batches, so matching moving statistics show the update is part
// of the replayed plan.
TEST(BatchNormalization, FitMatchesKerasAndPredictUsesMovingStatistics) {
  using namespace goldens;
  const Tensor x = golden(kBnFitX, {6, 3}), y = golden(kBnFitY, {6, 1});
  const KerasTensor input = keras::Input({3}, {.dtype = float64});
  BatchNormalization bn;
  bn->set_dtype(float64);
  Dense dense(1, {.kernel_initializer = initializers::Constant(0.1)});
  dense->set_dtype(float64);
  Model model(input, dense(bn(input)));
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  const callbacks::History history =
      model.fit(x, y, {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});

  const std::vector<double>& losses = history.history.at("loss");
  ASSERT_EQ(losses.size(), 2u);
  EXPECT_NEAR(losses[0], kBnFitLosses[0], 1e-12);
  EXPECT_NEAR(losses[1], kBnFitLosses[1], 1e-12);
  test::expect_all_close(bn->moving_mean().value(), golden(kBnFitMovingMean, {3}), 1e-12, 1e-12);
  test::expect_all_close(bn->moving_variance().value(), golden(kBnFitMovingVariance, {3}), 1e-12,
                         1e-12);
  test::expect_all_close(bn->gamma().value(), golden(kBnFitGamma, {3}), 1e-12, 1e-12);
  test::expect_all_close(bn->beta().value(), golden(kBnFitBeta, {3}), 1e-12, 1e-12);
  test::expect_all_close(dense->kernel().value(), golden(kBnFitDenseKernel, {3, 1}), 1e-12, 1e-12);

  const Tensor predicted = model.predict(x, {.batch_size = 6, .verbose = 0});
  test::expect_all_close(predicted, golden(kBnFitPredict, {6, 1}), 1e-12, 1e-12);
  // The same from the formula with the moving statistics.
  const Tensor normalized = bn_inference_2d(x, bn.get_weights(), 1e-3);
  test::expect_all_close(predicted, dense(normalized), 1e-12, 1e-12);
  // evaluate() runs in inference mode too: its loss is the mse of predict().
  const std::vector<double> pv = test::to_doubles(predicted), yv = test::to_doubles(y);
  double mse = 0;
  for (size_t i = 0; i < pv.size(); ++i) mse += (pv[i] - yv[i]) * (pv[i] - yv[i]) / 6.0;
  EXPECT_NEAR(model.evaluate(x, y, {.batch_size = 3, .verbose = 0}).at(0), mse, 1e-12);
}

TEST(BatchNormalization, FitMatchesKerasInFloat32) {
  using namespace goldens;
  const KerasTensor input = keras::Input({3});
  BatchNormalization bn;
  Dense dense(1, {.kernel_initializer = initializers::Constant(0.1)});
  Model model(input, dense(bn(input)));
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  const Tensor x = golden(kBnFitX, {6, 3}).astype(float32);
  const Tensor y = golden(kBnFitY, {6, 1}).astype(float32);
  model.fit(x, y, {.epochs = 2, .batch_size = 2, .verbose = 0, .shuffle = false});
  test::expect_all_close(bn->moving_mean().value(), golden(kBnFitMovingMean, {3}).astype(float32),
                         1e-5, 1e-6);
  test::expect_all_close(bn->moving_variance().value(),
                         golden(kBnFitMovingVariance, {3}).astype(float32), 1e-5, 1e-6);
  test::expect_all_close(model.predict(x, {.verbose = 0}),
                         golden(kBnFitPredict, {6, 1}).astype(float32), 1e-4, 1e-5);
}

// ---- BatchNormalization: trainable = false (Keras 3: inference mode) ----

TEST(BatchNormalization, FrozenLayerRunsInInferenceModeAndKeepsItsStatistics) {
  BatchNormalization bn({.momentum = 0.5});
  const Tensor x = test::random_tensor({8, 3}, float32, -2, 3, 5);
  bn(x);
  bn.set_weights({full({3}, 2.0), full({3}, 0.5), full({3}, 0.25), full({3}, 4.0)});
  bn.set_trainable(false);
  EXPECT_TRUE(bn.trainable_weights().empty());
  EXPECT_EQ(bn.non_trainable_weights().size(), 4u);
  test::expect_all_close(bn(x, /*training=*/true), bn(x, false), 0, 0);
  test::expect_all_close(bn->moving_mean().value(), full({3}, 0.25), 0, 0);

  const KerasTensor input = keras::Input({3});
  Model model(input, Dense(1)(bn(input)));
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.1}), .loss = "mse"});
  model.fit(x, zeros({8, 1}), {.epochs = 2, .batch_size = 4, .verbose = 0});
  test::expect_all_close(bn->moving_mean().value(), full({3}, 0.25), 0, 0);
  test::expect_all_close(bn->moving_variance().value(), full({3}, 4.0), 0, 0);
  test::expect_all_close(bn->gamma().value(), full({3}, 2.0), 0, 0);

  // Unfreezing makes gamma and beta trainable again, never the moving statistics.
  bn.set_trainable(true);
  ASSERT_EQ(bn.trainable_weights().size(), 2u);
  EXPECT_EQ(bn.trainable_weights()[0].name(), "gamma");
  EXPECT_EQ(bn.trainable_weights()[1].name(), "beta");
}

TEST(BatchNormalization, FitUpdatesMovingStatisticsEveryReplayedStep) {
  BatchNormalization bn({.momentum = 0.5});
  const KerasTensor input = keras::Input({2});
  Model model(input, Dense(1)(bn(input)));
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  // Two batches of two rows; batch means (1, 2) and (5, 6), biased variances 1 and 1.
  const Tensor x = test::tensor_of({0, 1, 2, 3, 4, 5, 6, 7}, {4, 2}, float32);
  model.fit(x, zeros({4, 1}), {.epochs = 3, .batch_size = 2, .verbose = 0, .shuffle = false});
  std::vector<double> mean{0, 0}, var{1, 1};
  for (int step = 0; step < 6; ++step) {
    const double bm[2][2] = {{1, 2}, {5, 6}};
    for (int f = 0; f < 2; ++f) {
      mean[static_cast<size_t>(f)] = 0.5 * mean[static_cast<size_t>(f)] + 0.5 * bm[step % 2][f];
      var[static_cast<size_t>(f)] = 0.5 * var[static_cast<size_t>(f)] + 0.5 * 1.0;
    }
  }
  test::expect_all_close(bn->moving_mean().value(), test::tensor_of(mean, {2}, float32), 1e-6,
                         1e-6);
  test::expect_all_close(bn->moving_variance().value(), test::tensor_of(var, {2}, float32), 1e-6,
                         1e-6);
}

// ---- BatchNormalization: errors ----

TEST(BatchNormalization, AxisOutOfRangeIsAKerasErrorNamingTheLayer) {
  test::expect_throws_with<ValueError>(
      [] { BatchNormalization({.axis = 2, .name = "bn"})(keras::Input({4})); },
      "\"bn\" (type BatchNormalization): Axis 2 is out of bounds for input shape (None, 4)");
  test::expect_throws_with<ValueError>(
      [] { BatchNormalization({.axis = -3, .name = "bn2"})(keras::Input({4})); },
      "Axis -3 is out of bounds");
}

TEST(BatchNormalization, UnknownFeatureSizeAndWrongRankAreErrors) {
  test::expect_throws_with<ValueError>(
      [] {
        BatchNormalization({.name = "bn"})(keras::Input({Dim{3}, Dim{}}));
      },
      "should have a defined dimension");
  BatchNormalization bn({.name = "bn_rank"});
  bn(keras::Input({3, 4}));
  test::expect_throws_with<ValueError>([&] { bn(keras::Input({4})); }, "bn_rank");
  test::expect_throws_with<ValueError>([&] { bn(keras::Input({3, 5})); }, "bn_rank");
}

// ---- LayerNormalization ----

TEST(LayerNormalization, Contract) {
  test::run_layer_test({
      .make_layer = [] { return LayerNormalization(); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(LayerNormalization, ContractOverTwoAxes) {
  test::run_layer_test({
      .make_layer =
          [] {
            return LayerNormalization({.axis = {2, 1}});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(LayerNormalization, ContractWithoutCenter) {
  test::run_layer_test({
      .make_layer = [] { return LayerNormalization({.axis = {1}, .center = false}); },
      .input_shape = {3, 5},
      .expected_output_shape = {3, 5},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
}

TEST(LayerNormalization, NamesAndWeightShapes) {
  utils::clear_session();
  LayerNormalization ln({.axis = {1, -1}});
  EXPECT_EQ(ln.name(), "layer_normalization_1");
  ln(zeros({2, 3, 4, 5}));
  ASSERT_EQ(ln.weights().size(), 2u);
  EXPECT_EQ(ln.weights()[0].path(), "layer_normalization_1/gamma");
  EXPECT_EQ(shape_str(ln->gamma().shape()), "(3, 5)");
  EXPECT_EQ(shape_str(ln->beta().shape()), "(3, 5)");
}

void expect_ln_golden(std::vector<int> axis,
                      const double (&x)[24],
                      const Tensor& gamma,
                      const Tensor& beta,
                      const double (&out)[24]) {
  LayerNormalization ln({.axis = std::move(axis)});
  ln->set_dtype(float64);
  const Tensor input = golden(x, {2, 3, 4});
  ln(input);
  ln.set_weights({gamma, beta});
  test::expect_all_close(ln(input), golden(out, {2, 3, 4}), 1e-12, 1e-12);
  test::expect_all_close(ln(input, /*training=*/true), golden(out, {2, 3, 4}), 1e-12, 1e-12);
}

TEST(LayerNormalization, MatchesKerasLastAxis) {
  using namespace goldens;
  expect_ln_golden({-1}, kLnLastInput, golden(kLnLastGamma, {4}), golden(kLnLastBeta, {4}),
                   kLnLastOutput);
}

TEST(LayerNormalization, MatchesKerasTwoAxes) {
  using namespace goldens;
  expect_ln_golden({1, 2}, kLnAxes12Input, golden(kLnAxes12Gamma, {3, 4}),
                   golden(kLnAxes12Beta, {3, 4}), kLnAxes12Output);
}

TEST(LayerNormalization, Errors) {
  test::expect_throws_with<ValueError>(
      [] {
        LayerNormalization({.axis = {3}, .name = "ln"})(keras::Input({4, 5}));
      },
      "\"ln\" (type LayerNormalization): Axis 3 is out of bounds for input shape (None, 4, 5)");
  test::expect_throws_with<ValueError>(
      [] {
        LayerNormalization({.axis = {1, -2}, .name = "ln2"})(keras::Input({4, 5}));
      },
      "duplicate axes");
  EXPECT_THROW(LayerNormalization({.axis = {}}), ValueError);
  LayerNormalization ln({.name = "ln_rank"});
  ln(keras::Input({3, 4}));
  test::expect_throws_with<ValueError>([&] { ln(keras::Input({3, 5})); }, "ln_rank");
}

}  // namespace
}  // namespace keras::layers
