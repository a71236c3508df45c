#include "keras/ops/random.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <numeric>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"

namespace keras::random {
namespace {

using test::OpCase;

double mean_of(const Tensor& t) {
  const std::vector<double> v = test::to_doubles(t);
  return std::accumulate(v.begin(), v.end(), 0.0) / static_cast<double>(v.size());
}

double stddev_of(const Tensor& t) {
  const std::vector<double> v = test::to_doubles(t);
  const double m = mean_of(t);
  double acc = 0;
  for (double x : v) acc += (x - m) * (x - m);
  return std::sqrt(acc / static_cast<double>(v.size()));
}

// Random ops run their kernels on the current backend, so the parity test compares the reference
// and CPU kernels on the same seed. dropout draws from the global generator: its cases reseed it
// first so every evaluation (including the finite differences) sees the same mask.
const OpCase kRandomCases[] = {
    {.name = "uniform_seeded",
     .fn =
         [](const Tensors&) {
           return uniform({3, 4}, -1.0, 2.0, float32, 7);
         },
     .expected_shape = Shape{3, 4},
     .expected_dtype = float32},
    {.name = "uniform_seeded_float64",
     .fn = [](const Tensors&) { return uniform({5}, 0.0, 1.0, float64, 7); },
     .expected_shape = Shape{5},
     .expected_dtype = float64},
    {.name = "normal_seeded",
     .fn =
         [](const Tensors&) {
           return normal({2, 3}, 1.0, 0.5, float32, 9);
         },
     .expected_shape = Shape{2, 3},
     .expected_dtype = float32},
    {.name = "truncated_normal_seeded",
     .fn =
         [](const Tensors&) {
           return truncated_normal({4, 4}, 0.0, 2.0, float64, 3);
         },
     .expected_shape = Shape{4, 4},
     .expected_dtype = float64},
    {.name = "randint_seeded",
     .fn =
         [](const Tensors&) {
           return randint({2, 5}, -3, 4, int32, 5);
         },
     .expected_shape = Shape{2, 5},
     .expected_dtype = int32},
    {.name = "permutation_seeded",
     .fn = [](const Tensors&) { return permutation(6, 11); },
     .expected_shape = Shape{6},
     .expected_dtype = int64},
    {.name = "dropout_reseeded",
     .input_shapes = {{4, 5}},
     .fn =
         [](const Tensors& x) {
           global_generator().reseed(123);
           return dropout(x[0], 0.4);
         },
     .expected_shape = Shape{4, 5}},
    {.name = "dropout_rate_0_is_identity",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return dropout(x[0], 0.0); },
     .expected_shape = Shape{2, 3}},
    {.name = "uniform_scaled_input",
     .input_shapes = {{3, 4}},
     .fn =
         [](const Tensors& x) {
           return ops::multiply(x[0],
                                ops::cast(uniform({3, 4}, 0.5, 1.5, float64, 17), x[0].dtype()));
         },
     .expected_shape = Shape{3, 4}},
};
KERAS_INSTANTIATE_OP_TESTS(Random, kRandomCases);

TEST(Random, SeededCallsAreReproducible) {
  test::expect_all_close(uniform({100}, 0, 1, float32, 42), uniform({100}, 0, 1, float32, 42), 0,
                         0);
  test::expect_all_close(normal({100}, 0, 1, float64, 42), normal({100}, 0, 1, float64, 42), 0, 0);
  test::expect_all_close(truncated_normal({50}, 0, 1, float32, 1),
                         truncated_normal({50}, 0, 1, float32, 1), 0, 0);
  test::expect_all_close(randint({50}, 0, 10, int32, 1), randint({50}, 0, 10, int32, 1), 0, 0);
  test::expect_all_close(permutation(20, 3), permutation(20, 3), 0, 0);
  EXPECT_FALSE(
      test::all_close(uniform({100}, 0, 1, float32, 1), uniform({100}, 0, 1, float32, 2), 0, 0));
}

TEST(Random, UnseededCallsFollowTheGlobalGenerator) {
  global_generator().reseed(99);
  const Tensor a = uniform({10});
  const Tensor b = uniform({10});
  global_generator().reseed(99);
  test::expect_all_close(uniform({10}), a, 0, 0);
  test::expect_all_close(uniform({10}), b, 0, 0);
  EXPECT_FALSE(test::all_close(a, b, 0, 0));
}

TEST(Random, UniformStaysInRangeWithTheRightMoments) {
  const Tensor t = uniform({20000}, -2.0, 4.0, float64, 1);
  const std::vector<double> v = test::to_doubles(t);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), -2.0);
  EXPECT_LT(*std::max_element(v.begin(), v.end()), 4.0);
  EXPECT_NEAR(mean_of(t), 1.0, 0.05);
  EXPECT_NEAR(stddev_of(t), 6.0 / std::sqrt(12.0), 0.05);
}

TEST(Random, NormalHasTheRightMoments) {
  const Tensor t = normal({20000}, 3.0, 2.0, float32, 2);
  EXPECT_EQ(t.dtype(), float32);
  EXPECT_NEAR(mean_of(t), 3.0, 0.05);
  EXPECT_NEAR(stddev_of(t), 2.0, 0.05);
}

TEST(Random, TruncatedNormalStaysWithinTwoStddevs) {
  const Tensor t = truncated_normal({20000}, 1.0, 0.5, float64, 4);
  const std::vector<double> v = test::to_doubles(t);
  EXPECT_GE(*std::min_element(v.begin(), v.end()), 0.0);
  EXPECT_LE(*std::max_element(v.begin(), v.end()), 2.0);
  EXPECT_NEAR(mean_of(t), 1.0, 0.02);
  // The standard normal truncated to [-2, 2] has stddev 0.8796.
  EXPECT_NEAR(stddev_of(t), 0.5 * 0.8796, 0.02);
}

TEST(Random, RandintCoversTheHalfOpenRange) {
  const Tensor t = randint({5000}, -3, 4, int64, 6);
  EXPECT_EQ(t.dtype(), int64);
  std::vector<int> counts(7, 0);
  for (double v : test::to_doubles(t)) {
    ASSERT_GE(v, -3);
    ASSERT_LT(v, 4);
    ++counts[static_cast<size_t>(v + 3)];
  }
  for (int c : counts) EXPECT_GT(c, 500);
  EXPECT_EQ(randint({3}, 0, 1, int32, 1).dtype(), int32);
}

TEST(Random, PermutationIsAPermutation) {
  const Tensor p = permutation(50, 8);
  EXPECT_EQ(p.dtype(), int64);
  std::vector<double> v = test::to_doubles(p);
  EXPECT_FALSE(std::is_sorted(v.begin(), v.end()));
  std::sort(v.begin(), v.end());
  for (size_t i = 0; i < v.size(); ++i) EXPECT_EQ(v[i], static_cast<double>(i));
  EXPECT_EQ(permutation(0, 1).shape(), Shape{0});
}

TEST(Random, DropoutZeroesAndRescales) {
  const Tensor x = ones({10000}, float64);
  global_generator().reseed(5);
  const Tensor y = dropout(x, 0.25);
  int64_t zeros_seen = 0;
  for (double v : test::to_doubles(y)) {
    if (v == 0) {
      ++zeros_seen;
    } else {
      ASSERT_DOUBLE_EQ(v, 1 / 0.75);
    }
  }
  EXPECT_NEAR(static_cast<double>(zeros_seen) / 10000.0, 0.25, 0.02);
  EXPECT_TRUE(dropout(x, 0.0).shares_memory_with(x));
}

TEST(Random, DropoutGradientIsTheScaledMask) {
  const Tensor x = test::random_tensor({200}, float64, 1, 2, 3);
  autodiff::GradientTape tape;
  tape.watch(x);
  global_generator().reseed(6);
  const Tensor y = dropout(x, 0.5);
  const Tensors g = tape.gradient(ops::sum(y), {x});
  // y = x * mask / (1 - rate), so dy/dx = y / x.
  test::expect_all_close(g[0], ops::divide(y, x), 1e-15, 0);
}

TEST(Random, DropoutDrawsANewMaskWhenReplayed) {
  const Tensor x = ones({256}, float32);
  autodiff::KernelTrace trace;
  const Tensor y = dropout(x, 0.5);
  const Tensor first = y.clone();
  std::vector<autodiff::Kernel> kernels = trace.take();
  ASSERT_FALSE(kernels.empty());
  for (auto& k : kernels) k();
  EXPECT_FALSE(test::all_close(y, first, 0, 0)) << "replaying dropout reused the old mask";
  const std::vector<double> v = test::to_doubles(y);
  for (double e : v) EXPECT_TRUE(e == 0.0 || e == 2.0);
}

TEST(Random, RejectsBadArguments) {
  test::expect_throws_with<ValueError>([] { uniform({2}, 1.0, 0.0); },
                                       "keras.random.uniform: minval 1 > maxval 0");
  test::expect_throws_with<TypeError>([] { uniform({2}, 0, 1, int32); },
                                      "keras.random.uniform: dtype must be float32 or float64, "
                                      "got int32");
  test::expect_throws_with<TypeError>([] { normal({2}, 0, 1, int64); },
                                      "keras.random.normal: dtype must be float32 or float64");
  test::expect_throws_with<TypeError>([] { truncated_normal({2}, 0, 1, bool_); },
                                      "keras.random.truncated_normal: dtype must be float32");
  test::expect_throws_with<ValueError>([] { randint({2}, 3, 3); },
                                       "keras.random.randint: minval 3 must be less than maxval 3");
  test::expect_throws_with<ValueError>([] { dropout(ones({2}), 1.0); },
                                       "dropout: rate must be in [0, 1), got 1");
  test::expect_throws_with<ValueError>([] { dropout(ones({2}), -0.1); },
                                       "dropout: rate must be in [0, 1)");
}

TEST(Random, DropoutWithANoiseShapeSharesTheMaskAlongBroadcastAxes) {
  Generator g(5);
  const Tensor y = dropout(ones({6, 4, 3}), 0.5, {6, 1, 3}, &g);
  const std::vector<double> v = test::to_doubles(y);
  int dropped = 0;
  for (int b = 0; b < 6; ++b) {
    for (int c = 0; c < 3; ++c) {
      const double first = v[static_cast<size_t>(b * 12 + c)];
      EXPECT_TRUE(first == 0.0 || first == 2.0);
      dropped += first == 0.0;
      for (int t = 1; t < 4; ++t) EXPECT_EQ(v[static_cast<size_t>(b * 12 + t * 3 + c)], first);
    }
  }
  EXPECT_GT(dropped, 0);
  EXPECT_LT(dropped, 18);
  test::expect_throws_with<ValueError>(
      [] {
        dropout(ones({2, 3}), 0.5, {2, 2});
      },
      "dropout: noise_shape (2, 2) does not broadcast");
  test::expect_throws_with<ValueError>(
      [] {
        dropout(ones({2, 3}), 0.5, {3});
      },
      "does not broadcast");
}

}  // namespace
}  // namespace keras::random
