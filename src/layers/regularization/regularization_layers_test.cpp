// GaussianNoise, GaussianDropout, AlphaDropout and ActivityRegularization: the layer contract
// (inference mode for the random ones) and their training-mode statistics. Keras's exact random
// numbers are not reproduced; tests/integration/layer_fixtures_test.cpp checks Keras's files.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/regularization/activity_regularization.h"
#include "keras/layers/regularization/alpha_dropout.h"
#include "keras/layers/regularization/gaussian_dropout.h"
#include "keras/layers/regularization/gaussian_noise.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"

namespace keras::layers {
namespace {

struct Stats {
  double mean, stddev;
};
Stats stats(const Tensor& t) {
  const Tensor x = ops::cast(t, float64);
  const double mean = ops::mean(x).item<double>();
  const double var = ops::mean(ops::square(ops::subtract(x, mean))).item<double>();
  return {mean, std::sqrt(var)};
}

// 200,000 draws: the sample mean's standard error is sigma / 447 and the sample standard
// deviation's about sigma / 632; 5 standard errors bound each check (odds of a false failure
// ~1e-6), while a wrong formula (another stddev, no centring) misses by far more.
constexpr int64_t kN = 200000;
constexpr double kSe = 5.0 / 447.0;

TEST(GaussianNoise, Contract) {
  test::run_layer_test({.make_layer = [] { return GaussianNoise(0.5); },
                        .input_shape = {2, 3},
                        .expected_output_shape = {2, 3},
                        .stochastic = true});
}

TEST(GaussianNoise, TrainingAddsNoiseOfStddevInferenceIsIdentity) {
  GaussianNoise layer(0.3, {.seed = 5});
  const Tensor x = full({kN}, 2.0, float32);
  const Stats s = stats(ops::subtract(layer(x, /*training=*/true), x));
  EXPECT_NEAR(s.mean, 0.0, 0.3 * kSe);
  EXPECT_NEAR(s.stddev, 0.3, 0.3 * kSe);
  test::expect_all_close(layer(x, false), x, 0, 0);
  // Seeded: a new layer with the same seed draws the same noise; later calls draw anew.
  GaussianNoise again(0.3, {.seed = 5});
  const Tensor a = again(x, true);
  test::expect_all_close(GaussianNoise(0.3, {.seed = 5})(x, true), a, 0, 0);
  EXPECT_GT(test::max_abs(ops::subtract(again(x, true), a)), 0.0);
  test::expect_throws_with<ValueError>([] { GaussianNoise(1.5); }, "Expected a float value");
}

TEST(GaussianDropout, Contract) {
  test::run_layer_test({.make_layer = [] { return GaussianDropout(0.3); },
                        .input_shape = {2, 3},
                        .expected_output_shape = {2, 3},
                        .stochastic = true});
}

TEST(GaussianDropout, TrainingMultipliesByOneCenteredNoise) {
  GaussianDropout layer(0.2, {.seed = 3});
  const Tensor x = full({kN}, 3.0, float32);
  const Stats s = stats(ops::divide(layer(x, true), x));
  const double sd = std::sqrt(0.2 / 0.8);
  EXPECT_NEAR(s.mean, 1.0, sd * kSe);
  EXPECT_NEAR(s.stddev, sd, sd * kSe);
  test::expect_all_close(layer(x, false), x, 0, 0);
}

TEST(AlphaDropout, Contract) {
  test::run_layer_test({.make_layer = [] { return AlphaDropout(0.2); },
                        .input_shape = {2, 3},
                        .expected_output_shape = {2, 3},
                        .stochastic = true});
}

TEST(AlphaDropout, TrainingKeepsZeroMeanUnitVariance) {
  // For standard normal inputs (SELU's fixed point) the affine correction keeps mean 0 and
  // variance 1 while a fraction `rate` of the entries is set to a * alpha_p + b.
  AlphaDropout layer(0.25, {.seed = 11});
  const Tensor x = random::normal({kN}, 0.0, 1.0, float32, 12);
  const Tensor y = layer(x, true);
  const Stats s = stats(y);
  EXPECT_NEAR(s.mean, 0.0, kSe * 1.5);
  EXPECT_NEAR(s.stddev, 1.0, kSe * 1.5);
  constexpr double kAlphaP = -1.6732632423543772848170429916717 * 1.0507009873554804934193349852946;
  const double a = std::pow(0.75 * (1 + 0.25 * kAlphaP * kAlphaP), -0.5);
  const double dropped_value = a * kAlphaP - a * kAlphaP * 0.25;
  const double dropped = ops::mean(ops::cast(ops::less(ops::abs(ops::subtract(y, dropped_value)),
                                                       ops::full_like(y, 1e-5)),
                                             float64))
                             .item<double>();
  EXPECT_NEAR(dropped, 0.25, 0.005);  // binomial standard error 0.001
  test::expect_all_close(layer(x, false), x, 0, 0);
}

TEST(AlphaDropout, NoiseShapeSharesDraws) {
  AlphaDropout layer(0.5, {.noise_shape = std::vector<Dim>{std::nullopt, 1}, .seed = 2});
  const Tensor y = layer(zeros({64, 5}), true);
  for (int64_t r = 0; r < 64; ++r) {
    for (int64_t c = 1; c < 5; ++c) EXPECT_EQ(y.at<float>({r, c}), y.at<float>({r, 0}));
  }
  EXPECT_EQ(layer->get_config()["noise_shape"], Json::array({nullptr, 1}));
}

TEST(ActivityRegularization, Contract) {
  test::run_layer_test({.make_layer = [] { return ActivityRegularization({.l1 = 0.1, .l2 = 0.2}); },
                        .input_shape = {2, 3},
                        .expected_output_shape = {2, 3}});
}

TEST(ActivityRegularization, AddsThePenaltyPerSampleToTheLoss) {
  auto x = Input({3});
  Dense dense(2, {.kernel_initializer = "ones"});
  ActivityRegularization reg({.l1 = 0.1, .l2 = 0.2});
  keras::Model model(x, dense(reg(x)));
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor xs = test::tensor_of({1, -2, 3, 0.5, 0, -1}, {2, 3}, float32);
  const Tensor ys = zeros({2, 2});
  const double mse = ops::mean(ops::square(model.predict(xs)[0])).item<float>();
  // (0.1 * sum|x| + 0.2 * sum x²) / batch 2.
  const double penalty = (0.1 * 7.5 + 0.2 * 15.25) / 2;
  const double loss = model.evaluate(xs, ys, {.verbose = 0}).at(0);
  EXPECT_NEAR(loss, mse + penalty, 1e-5 * (mse + penalty));
  ASSERT_EQ(reg->losses().size(), 1u);
}

}  // namespace
}  // namespace keras::layers
