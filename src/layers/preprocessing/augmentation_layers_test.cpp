// RandomFlip, RandomContrast and RandomBrightness: the contract in inference mode (where they are
// the identity) and their training-mode statistics. Keras's exact random numbers are not
// reproduced.
#include <gtest/gtest.h>

#include <cmath>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/preprocessing/random_brightness.h"
#include "keras/layers/preprocessing/random_contrast.h"
#include "keras/layers/preprocessing/random_flip.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

TEST(RandomFlip, Contract) {
  test::run_layer_test({.make_layer = [] { return RandomFlip(); },
                        .input_shape = {2, 3, 4, 2},
                        .expected_output_shape = {2, 3, 4, 2},
                        .stochastic = true});
}

// Each image comes out either unchanged or flipped (both ways at once for
// horizontal_and_vertical), about half of them flipped.
TEST(RandomFlip, TrainingFlipsHalfTheImages) {
  const int64_t n = 4000;
  const Tensor x = test::random_tensor({n, 2, 3, 1}, float32, -1, 1, 7);
  for (const char* mode : {"horizontal", "vertical", "horizontal_and_vertical"}) {
    SCOPED_TRACE(mode);
    RandomFlip layer(mode, {.seed = 3});
    const Tensor y = layer(x, true);
    const std::string m = mode;
    Tensor flipped = x;
    if (m != "vertical")
      flipped = ops::concatenate(
          {ops::slice_axis(x, 2, 2, 1), ops::slice_axis(x, 2, 1, 1), ops::slice_axis(x, 2, 0, 1)},
          2);
    if (m != "horizontal")
      flipped = ops::concatenate(
          {ops::slice_axis(flipped, 1, 1, 1), ops::slice_axis(flipped, 1, 0, 1)}, 1);
    int64_t count = 0;
    for (int64_t i = 0; i < n; ++i) {
      const Tensor yi = ops::slice_axis(y, 0, i, 1);
      const bool same = test::max_abs(ops::subtract(yi, ops::slice_axis(x, 0, i, 1))) == 0;
      const bool flip = test::max_abs(ops::subtract(yi, ops::slice_axis(flipped, 0, i, 1))) == 0;
      ASSERT_TRUE(same || flip) << i;
      count += flip;
    }
    // Binomial(4000, 1/2): standard deviation ~32; 5 of them.
    EXPECT_NEAR(static_cast<double>(count), n / 2.0, 160.0);
    test::expect_all_close(layer(x, false), x, 0, 0);
  }
  test::expect_throws_with<ValueError>([] { RandomFlip("diagonal"); }, "unknown mode=diagonal");
}

TEST(RandomContrast, Contract) {
  test::run_layer_test({.make_layer = [] { return RandomContrast(0.3); },
                        .input_shape = {2, 3, 4, 2},
                        .expected_output_shape = {2, 3, 4, 2},
                        .stochastic = true});
}

TEST(RandomContrast, TrainingScalesAroundTheMeanByKerasRange) {
  // Keras keeps factor 0.4 as (0, 0.4): factors uniform in [1, 1.4], per image.
  RandomContrast layer(0.4, {.seed = 5});
  EXPECT_EQ(layer->factor(), std::make_pair(0.0, 0.4));
  const int64_t n = 2000;
  const Tensor x = ops::add(test::random_tensor({n, 3, 3, 2}, float32, -20, 20, 9), 100.0);
  const Tensor y = layer(x, true);
  const Tensor mean = ops::mean(x, {1, 2}, true);
  // The factor of each image: (y - m) / (x - m) at one entry.
  const Tensor f = ops::divide(ops::subtract(y, mean), ops::subtract(x, mean));
  const Tensor f0 = ops::cast(
      ops::slice_axis(ops::slice_axis(ops::slice_axis(f, 1, 0, 1), 2, 0, 1), 3, 0, 1), float64);
  EXPECT_GE(ops::min(f0).item<double>(), 1.0 - 1e-4);
  EXPECT_LE(ops::max(f0).item<double>(), 1.4 + 1e-4);
  // Uniform on [1, 1.4]: mean 1.2, standard error 0.115 / sqrt(2000) = 0.0026.
  EXPECT_NEAR(ops::mean(f0).item<double>(), 1.2, 0.013);
  test::expect_all_close(layer(x, false), x, 0, 0);
  // Clipped to value_range.
  const Tensor wide = layer(ops::multiply(x, 3.0), true);
  EXPECT_LE(ops::max(wide).item<float>(), 255.0f);
  EXPECT_GE(ops::min(wide).item<float>(), 0.0f);
  test::expect_throws_with<ValueError>([] { RandomContrast(1.5); }, "The `factor` argument");
  EXPECT_EQ(layer->get_config()["factor"], Json::array({0.0, 0.4}));
}

TEST(RandomBrightness, Contract) {
  // value_range as the harness's inputs ([-1, 1]): offsets of up to 0.2 * 2, as an image would get.
  test::run_layer_test({.make_layer =
                            [] {
                              return RandomBrightness(0.2, {.value_range = {-1.0, 1.0}});
                            },
                        .input_shape = {2, 3, 4, 2},
                        .expected_output_shape = {2, 3, 4, 2},
                        .stochastic = true});
}

TEST(RandomBrightness, TrainingAddsOneOffsetPerImage) {
  RandomBrightness layer({-0.1, 0.3}, {.value_range = {0.0, 1.0}, .seed = 2});
  const int64_t n = 4000;
  const Tensor x = full({n, 2, 2, 3}, 0.5, float32);
  const Tensor d = ops::cast(ops::subtract(layer(x, true), x), float64);
  // One offset per image, uniform in [-0.1, 0.3] * (1 - 0): mean 0.1, standard error 0.0018.
  test::expect_all_close(ops::min(d, {1, 2, 3}), ops::max(d, {1, 2, 3}), 0, 0);
  EXPECT_NEAR(ops::mean(d).item<double>(), 0.1, 0.01);
  EXPECT_GE(ops::min(d).item<double>(), -0.1 - 1e-6);
  EXPECT_LE(ops::max(d).item<double>(), 0.3 + 1e-6);
  test::expect_all_close(layer(x, false), x, 0, 0);
  EXPECT_EQ(layer->get_config()["value_range"], Json::array({0.0, 1.0}));
}

}  // namespace
}  // namespace keras::layers
