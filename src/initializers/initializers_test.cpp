#include "keras/initializers/initializers.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <string>
#include <vector>

#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/utils/utils.h"

namespace keras::initializers {
namespace {

constexpr double kTruncatedStd = 0.87962566103423978;  // stddev of N(0, 1) truncated to [-2, 2]

struct Stats {
  double mean = 0, stddev = 0, min = 0, max = 0;
};

Stats stats_of(const Tensor& t) {
  const std::vector<double> v = test::to_doubles(t);
  Stats s;
  s.min = *std::min_element(v.begin(), v.end());
  s.max = *std::max_element(v.begin(), v.end());
  for (double x : v) s.mean += x;
  s.mean /= static_cast<double>(v.size());
  for (double x : v) s.stddev += (x - s.mean) * (x - s.mean);
  s.stddev = std::sqrt(s.stddev / static_cast<double>(v.size()));
  return s;
}

// A big enough sample for 1-2% statistics: fan_in 200, fan_out 300.
const Shape kShape = {200, 300};

// ---- names and factories ----

struct NamedCase {
  const char* name;
  const char* class_name;
};

class InitializerByName : public ::testing::TestWithParam<NamedCase> {};

TEST_P(InitializerByName, MakesTensorsOfTheShapeAndDtype) {
  const Initializer init(GetParam().name);
  EXPECT_EQ(init.name(), GetParam().class_name);
  for (const DType dtype : {float32, float64}) {
    const Tensor t = init({4, 5}, dtype);
    EXPECT_EQ(shape_str(t.shape()), "(4, 5)");
    EXPECT_EQ(t.dtype(), dtype);
    for (double v : test::to_doubles(t)) EXPECT_TRUE(std::isfinite(v));
  }
  EXPECT_EQ(init({3, 4, 5}).dtype(), float32);  // default dtype
  EXPECT_EQ(shape_str(init({2, 3, 4, 5}).shape()), "(2, 3, 4, 5)");
}

TEST_P(InitializerByName, CamelCaseNameIsAccepted) {
  EXPECT_EQ(Initializer(std::string(GetParam().class_name)).name(), GetParam().class_name);
}

INSTANTIATE_TEST_SUITE_P(Keras,
                         InitializerByName,
                         ::testing::Values(NamedCase{"glorot_uniform", "GlorotUniform"},
                                           NamedCase{"glorot_normal", "GlorotNormal"},
                                           NamedCase{"he_uniform", "HeUniform"},
                                           NamedCase{"he_normal", "HeNormal"},
                                           NamedCase{"lecun_uniform", "LecunUniform"},
                                           NamedCase{"lecun_normal", "LecunNormal"},
                                           NamedCase{"random_uniform", "RandomUniform"},
                                           NamedCase{"random_normal", "RandomNormal"},
                                           NamedCase{"truncated_normal", "TruncatedNormal"},
                                           NamedCase{"orthogonal", "Orthogonal"},
                                           NamedCase{"variance_scaling", "VarianceScaling"}),
                         [](const ::testing::TestParamInfo<NamedCase>& info) {
                           return std::string(info.param.name);
                         });

TEST(Initializer, AliasesUniformAndNormal) {
  EXPECT_EQ(Initializer("uniform").name(), "RandomUniform");
  EXPECT_EQ(Initializer("normal").name(), "RandomNormal");
}

TEST(Initializer, UnknownNameThrows) {
  test::expect_throws_with<ValueError>([] { Initializer("glorot"); },
                                       "Could not interpret initializer identifier: glorot");
  test::expect_throws_with<ValueError>([] { Initializer(std::string("")); },
                                       "Could not interpret initializer identifier");
}

TEST(Initializer, RandomInitializersRejectIntegerDtypes) {
  test::expect_throws_with<TypeError>([] { GlorotUniform()({2, 2}, int32); }, "float dtype");
  test::expect_throws_with<TypeError>([] { RandomNormal()({2, 2}, int64); }, "float dtype");
  test::expect_throws_with<TypeError>([] { Orthogonal()({2, 2}, int32); }, "float dtype");
}

// ---- constants ----

TEST(Initializer, ZerosOnesConstant) {
  test::expect_all_close(Initializer("zeros")({2, 3}), zeros({2, 3}), 0, 0);
  test::expect_all_close(Initializer("ones")({2, 3}, float64), ones({2, 3}, float64), 0, 0);
  test::expect_all_close(Zeros()({4}), zeros({4}), 0, 0);
  test::expect_all_close(Ones()({4}), ones({4}), 0, 0);
  test::expect_all_close(Constant(0.25)({3, 2}, float64), full({3, 2}, 0.25, float64), 0, 0);
  EXPECT_EQ(Constant(1.5).name(), "Constant");
  // Constants work for integer dtypes too.
  test::expect_all_close(Constant(3)({2}, int32), full({2}, 3, int32), 0, 0);
  test::expect_all_close(Zeros()({}, float32), zeros({}), 0, 0);
}

// keras.initializers.Identity: gain times the identity, 2-D only; Keras writes its config as {}
// (dropping the gain) and reads the gain when it is there.
TEST(Initializer, IdentityIsGainTimesTheIdentityMatrix) {
  test::expect_all_close(Identity({.gain = 2})({2, 3}),
                         test::tensor_of({2, 0, 0, 0, 2, 0}, {2, 3}, float32), 0, 0);
  test::expect_all_close(Initializer("identity")({3, 2}, float64),
                         test::tensor_of({1, 0, 0, 1, 0, 0}, {3, 2}, float64), 0, 0);
  EXPECT_EQ(Initializer("IdentityInitializer")({2, 2}, int32).dtype(), int32);
  test::expect_throws_with<ValueError>(
      [] {
        Identity()({2, 2, 3});
      },
      "Identity matrix initializer can only be used for 2D matrices. Received: shape=(2, 2, 3) "
      "of rank 3.");
  const Initializer keras_file = deserialize(
      Json::parse(R"({"module": "keras.initializers", "class_name": "Identity", "config": {}})"));
  test::expect_all_close(keras_file({2, 2}), test::tensor_of({1, 0, 0, 1}, {2, 2}, float32), 0, 0);
  const Initializer again = deserialize(serialize(Identity({.gain = 0.5})));
  test::expect_all_close(again({1, 1}), test::tensor_of({0.5}, {1, 1}, float32), 0, 0);
  EXPECT_EQ(Initializer("constant").get_config(), Constant(0.0).get_config());
  EXPECT_EQ(Initializer("one").name(), "Ones");
}

// Keras's class names for zeros / ones are Zeros / Ones (initializers.h: name() is "The Keras
// class name"). Zeros() and Ones() are built on Constant() and so report "Constant".
TEST(Initializer, ZerosAndOnesReportTheirKerasClassNames) {
  EXPECT_EQ(Initializer("zeros").name(), "Zeros");
  EXPECT_EQ(Initializer("ones").name(), "Ones");
  EXPECT_EQ(Zeros().name(), "Zeros");
  EXPECT_EQ(Ones().name(), "Ones");
}

// ---- statistics (Keras 3 formulas) ----

TEST(Initializer, GlorotUniformLimitIsSqrtSixOverFanSum) {
  const double limit = std::sqrt(6.0 / (200 + 300));
  const Stats s = stats_of(GlorotUniform({.seed = 1})(kShape, float64));
  EXPECT_GE(s.min, -limit);
  EXPECT_LE(s.max, limit);
  EXPECT_GT(s.max, 0.99 * limit);
  EXPECT_LT(s.min, -0.99 * limit);
  EXPECT_NEAR(s.mean, 0.0, 0.01 * limit);
  EXPECT_NEAR(s.stddev, limit / std::sqrt(3.0), 0.02 * limit / std::sqrt(3.0));
}

TEST(Initializer, GlorotNormalStddevIsSqrtTwoOverFanSum) {
  const double stddev = std::sqrt(2.0 / (200 + 300));
  const Stats s = stats_of(GlorotNormal({.seed = 2})(kShape, float64));
  EXPECT_NEAR(s.stddev, stddev, 0.02 * stddev);
  EXPECT_NEAR(s.mean, 0.0, 0.02 * stddev);
  const double bound = 2 * stddev / kTruncatedStd;  // truncated at 2 sigma of the raw normal
  EXPECT_GE(s.min, -bound);
  EXPECT_LE(s.max, bound);
  EXPECT_GT(s.max, 0.98 * bound);
}

TEST(Initializer, HeNormalIsTruncatedWithStddevSqrtTwoOverFanIn) {
  const double stddev = std::sqrt(2.0 / 200);
  const Stats s = stats_of(HeNormal({.seed = 3})(kShape, float64));
  EXPECT_NEAR(s.stddev, stddev, 0.02 * stddev);
  EXPECT_NEAR(s.mean, 0.0, 0.02 * stddev);
  const double bound = 2 * stddev / kTruncatedStd;
  EXPECT_GE(s.min, -bound);
  EXPECT_LE(s.max, bound);
  EXPECT_GT(s.max, 0.98 * bound);
  EXPECT_LT(s.min, -0.98 * bound);
}

TEST(Initializer, HeUniformLimitIsSqrtSixOverFanIn) {
  const double limit = std::sqrt(6.0 / 200);
  const Stats s = stats_of(HeUniform({.seed = 4})(kShape, float64));
  EXPECT_GE(s.min, -limit);
  EXPECT_LE(s.max, limit);
  EXPECT_GT(s.max, 0.99 * limit);
  EXPECT_NEAR(s.stddev, limit / std::sqrt(3.0), 0.02 * limit / std::sqrt(3.0));
}

TEST(Initializer, LecunUniformLimitIsSqrtThreeOverFanIn) {
  const double limit = std::sqrt(3.0 / 200);
  const Stats s = stats_of(LecunUniform({.seed = 5})(kShape, float64));
  EXPECT_GE(s.min, -limit);
  EXPECT_LE(s.max, limit);
  EXPECT_GT(s.max, 0.99 * limit);
}

TEST(Initializer, LecunNormalStddevIsSqrtOneOverFanIn) {
  const double stddev = std::sqrt(1.0 / 200);
  const Stats s = stats_of(LecunNormal({.seed = 6})(kShape, float64));
  EXPECT_NEAR(s.stddev, stddev, 0.02 * stddev);
  EXPECT_LE(s.max, 2 * stddev / kTruncatedStd);
}

TEST(Initializer, VarianceScalingModesAndDistributions) {
  // fan_out, untruncated normal, scale 3: stddev sqrt(3 / 300).
  {
    const double stddev = std::sqrt(3.0 / 300);
    const Stats s = stats_of(VarianceScaling(
        {.scale = 3.0, .mode = "fan_out", .distribution = "untruncated_normal", .seed = 7})(
        kShape, float64));
    EXPECT_NEAR(s.stddev, stddev, 0.02 * stddev);
    EXPECT_GT(s.max, 3 * stddev);  // not truncated: 60000 draws reach past 3 sigma
  }
  // fan_avg, uniform, scale 0.5: limit sqrt(3 * 0.5 / 250).
  {
    const double limit = std::sqrt(3.0 * 0.5 / 250);
    const Stats s = stats_of(VarianceScaling(
        {.scale = 0.5, .mode = "fan_avg", .distribution = "uniform", .seed = 8})(kShape, float64));
    EXPECT_LE(s.max, limit);
    EXPECT_GE(s.min, -limit);
    EXPECT_GT(s.max, 0.99 * limit);
  }
  // Defaults: scale 1, fan_in, truncated normal.
  {
    const double stddev = std::sqrt(1.0 / 200);
    const Stats s = stats_of(VarianceScaling({.seed = 9})(kShape, float64));
    EXPECT_NEAR(s.stddev, stddev, 0.02 * stddev);
    EXPECT_LE(s.max, 2 * stddev / kTruncatedStd);
  }
}

TEST(Initializer, VarianceScalingFanIsAtLeastOne) {
  // Keras divides by max(1, fan): a zero fan must not blow up.
  const Tensor t = VarianceScaling({.distribution = "uniform", .seed = 1})({0, 4}, float64);
  EXPECT_EQ(t.size(), 0);
  const Tensor u = VarianceScaling({.distribution = "uniform", .seed = 1})({1}, float64);
  EXPECT_LE(std::abs(test::to_doubles(u)[0]), std::sqrt(3.0));
}

TEST(Initializer, VarianceScalingRejectsBadArguments) {
  test::expect_throws_with<ValueError>([] { VarianceScaling({.scale = 0.0}); },
                                       "Argument `scale` must be positive float");
  test::expect_throws_with<ValueError>([] { VarianceScaling({.mode = "fan_sum"}); },
                                       "Invalid `mode` argument");
  test::expect_throws_with<ValueError>([] { VarianceScaling({.distribution = "cauchy"}); },
                                       "Invalid `distribution` argument");
}

TEST(Initializer, RandomUniformDefaultsAndRange) {
  const Stats d = stats_of(RandomUniform({.seed = 1})(kShape, float64));
  EXPECT_GE(d.min, -0.05);
  EXPECT_LE(d.max, 0.05);
  EXPECT_GT(d.max, 0.049);
  const Stats s = stats_of(RandomUniform({.minval = 2.0, .maxval = 3.0, .seed = 2})(kShape));
  EXPECT_GE(s.min, 2.0);
  EXPECT_LE(s.max, 3.0);
  EXPECT_NEAR(s.mean, 2.5, 0.01);
}

TEST(Initializer, RandomNormalDefaultsAndMoments) {
  const Stats d = stats_of(RandomNormal({.seed = 1})(kShape, float64));
  EXPECT_NEAR(d.stddev, 0.05, 0.001);
  EXPECT_NEAR(d.mean, 0.0, 0.001);
  const Stats s = stats_of(RandomNormal({.mean = 1.0, .stddev = 2.0, .seed = 2})(kShape, float64));
  EXPECT_NEAR(s.mean, 1.0, 0.04);
  EXPECT_NEAR(s.stddev, 2.0, 0.04);
}

TEST(Initializer, TruncatedNormalStaysWithinTwoStddevs) {
  const Stats d = stats_of(TruncatedNormal({.seed = 1})(kShape, float64));
  EXPECT_GE(d.min, -0.1);
  EXPECT_LE(d.max, 0.1);
  EXPECT_NEAR(d.stddev, 0.05 * kTruncatedStd, 0.02 * 0.05);
  const Stats s = stats_of(TruncatedNormal({.mean = 3.0, .stddev = 0.5, .seed = 2})(kShape));
  EXPECT_GE(s.min, 2.0 - 1e-6);
  EXPECT_LE(s.max, 4.0 + 1e-6);
  EXPECT_NEAR(s.mean, 3.0, 0.01);
}

// ---- orthogonal ----

// a^T a (columns) or a a^T (rows) for a 2-D row-major matrix given as doubles.
std::vector<double> gram(const std::vector<double>& a,
                         int64_t rows,
                         int64_t cols,
                         bool of_columns) {
  const int64_t n = of_columns ? cols : rows;
  std::vector<double> g(static_cast<size_t>(n * n), 0.0);
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      double acc = 0;
      if (of_columns) {
        for (int64_t r = 0; r < rows; ++r) acc += a[r * cols + i] * a[r * cols + j];
      } else {
        for (int64_t c = 0; c < cols; ++c) acc += a[i * cols + c] * a[j * cols + c];
      }
      g[i * n + j] = acc;
    }
  }
  return g;
}

void expect_scaled_identity(const std::vector<double>& g, int64_t n, double scale, double tol) {
  for (int64_t i = 0; i < n; ++i) {
    for (int64_t j = 0; j < n; ++j) {
      EXPECT_NEAR(g[i * n + j], i == j ? scale : 0.0, tol) << "at (" << i << ", " << j << ")";
    }
  }
}

TEST(Initializer, OrthogonalTallHasOrthonormalColumns) {
  const Tensor w = Orthogonal({.seed = 1})({6, 4}, float64);
  expect_scaled_identity(gram(test::to_doubles(w), 6, 4, true), 4, 1.0, 1e-10);
}

TEST(Initializer, OrthogonalWideHasOrthonormalRows) {
  const Tensor w = Orthogonal({.seed = 2})({3, 7}, float64);
  expect_scaled_identity(gram(test::to_doubles(w), 3, 7, false), 3, 1.0, 1e-10);
}

TEST(Initializer, OrthogonalSquareIsOrthogonalBothWays) {
  const Tensor w = Orthogonal({.seed = 3})({5, 5}, float64);
  expect_scaled_identity(gram(test::to_doubles(w), 5, 5, true), 5, 1.0, 1e-10);
  expect_scaled_identity(gram(test::to_doubles(w), 5, 5, false), 5, 1.0, 1e-10);
}

TEST(Initializer, OrthogonalGainScales) {
  const Tensor w = Orthogonal({.gain = 2.0, .seed = 4})({4, 3}, float64);
  expect_scaled_identity(gram(test::to_doubles(w), 4, 3, true), 3, 4.0, 1e-9);
}

TEST(Initializer, OrthogonalFlattensLeadingDimensions) {
  // (2, 3, 4) is treated as a 6 x 4 matrix.
  const Tensor w = Orthogonal({.seed = 5})({2, 3, 4}, float64);
  EXPECT_EQ(shape_str(w.shape()), "(2, 3, 4)");
  expect_scaled_identity(gram(test::to_doubles(w), 6, 4, true), 4, 1.0, 1e-10);
}

TEST(Initializer, OrthogonalFloat32IsOrthonormalToSinglePrecision) {
  const Tensor w = Orthogonal({.seed = 6})({8, 8});
  EXPECT_EQ(w.dtype(), float32);
  expect_scaled_identity(gram(test::to_doubles(w), 8, 8, true), 8, 1.0, 1e-5);
}

TEST(Initializer, OrthogonalNeedsRankTwo) {
  test::expect_throws_with<ValueError>([] { Orthogonal()({5}); }, "rank >= 2");
}

// ---- seeding ----

TEST(Initializer, SeededInitializersAreReproducible) {
  const Shape shape = {5, 6};
  const std::vector<Initializer> a = {
      GlorotUniform({.seed = 42}), GlorotNormal({.seed = 42}),   HeUniform({.seed = 42}),
      HeNormal({.seed = 42}),      LecunUniform({.seed = 42}),   LecunNormal({.seed = 42}),
      RandomUniform({.seed = 42}), RandomNormal({.seed = 42}),   TruncatedNormal({.seed = 42}),
      Orthogonal({.seed = 42}),    VarianceScaling({.seed = 42})};
  const std::vector<Initializer> b = {
      GlorotUniform({.seed = 42}), GlorotNormal({.seed = 42}),   HeUniform({.seed = 42}),
      HeNormal({.seed = 42}),      LecunUniform({.seed = 42}),   LecunNormal({.seed = 42}),
      RandomUniform({.seed = 42}), RandomNormal({.seed = 42}),   TruncatedNormal({.seed = 42}),
      Orthogonal({.seed = 42}),    VarianceScaling({.seed = 42})};
  for (size_t i = 0; i < a.size(); ++i) {
    SCOPED_TRACE(a[i].name());
    const Tensor first = a[i](shape);
    utils::set_random_seed(i + 1);                     // the global generator does not matter
    test::expect_all_close(a[i](shape), first, 0, 0);  // same instance, called again
    test::expect_all_close(b[i](shape), first, 0, 0);  // another instance, same seed
  }
}

TEST(Initializer, DifferentSeedsGiveDifferentValues) {
  const Tensor a = GlorotUniform({.seed = 1})({4, 4});
  const Tensor b = GlorotUniform({.seed = 2})({4, 4});
  EXPECT_FALSE(test::all_close(a, b, 0, 0));
}

TEST(Initializer, UnseededInitializersFollowTheGlobalSeed) {
  const Initializer init("glorot_uniform");
  utils::set_random_seed(123);
  const Tensor a = init({4, 4});
  const Tensor b = init({4, 4});
  EXPECT_FALSE(test::all_close(a, b, 0, 0));  // the generator advanced
  utils::set_random_seed(123);
  test::expect_all_close(init({4, 4}), a, 0, 0);
}

// ---- fans ----

TEST(ComputeFans, FollowsKerasForRanksZeroToFour) {
  EXPECT_EQ(compute_fans({}), std::make_pair(1.0, 1.0));
  EXPECT_EQ(compute_fans({7}), std::make_pair(7.0, 7.0));
  EXPECT_EQ(compute_fans({3, 5}), std::make_pair(3.0, 5.0));
  // Conv1D kernel (kernel_size, in, out): receptive field multiplies both.
  EXPECT_EQ(compute_fans({4, 3, 5}), std::make_pair(12.0, 20.0));
  // Conv2D kernel (kh, kw, in, out).
  EXPECT_EQ(compute_fans({3, 3, 16, 32}), std::make_pair(144.0, 288.0));
}

TEST(ComputeFans, UsedByConvShapedKernels) {
  // (3, 3, 64, 100): fan_in 3 * 3 * 64 = 576 -> he_normal stddev sqrt(2 / 576).
  const double expected = std::sqrt(2.0 / (3 * 3 * 64));
  const Stats s = stats_of(HeNormal({.seed = 11})({3, 3, 64, 100}, float64));
  EXPECT_NEAR(s.stddev, expected, 0.02 * expected);
}

}  // namespace
}  // namespace keras::initializers
