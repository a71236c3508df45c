#include "keras/regularizers/regularizers.h"

#include <gtest/gtest.h>

#include <cmath>

#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/config/json.h"
#include "keras/ops/elementwise.h"

namespace keras::regularizers {
namespace {

// sum |w| = 10, sum w^2 = 30.
Tensor weights(DType dtype = float32) {
  return test::tensor_of({1, -2, 3, -4}, {2, 2}, dtype);
}

TEST(Regularizer, L1IsL1TimesSumOfAbs) {
  const Tensor p = L1(0.1)(weights());
  EXPECT_EQ(p.rank(), 0);
  EXPECT_NEAR(p.item<double>(), 1.0, 1e-6);
  EXPECT_NEAR(L1()(weights()).item<double>(), 0.1, 1e-7);  // default 0.01
  EXPECT_EQ(L1().name(), "L1");
}

TEST(Regularizer, L2IsL2TimesSumOfSquares) {
  const Tensor p = L2(0.1)(weights());
  EXPECT_EQ(p.rank(), 0);
  EXPECT_NEAR(p.item<double>(), 3.0, 1e-6);
  EXPECT_NEAR(L2()(weights()).item<double>(), 0.3, 1e-6);  // default 0.01
  EXPECT_EQ(L2().name(), "L2");
}

TEST(Regularizer, L1L2AddsBoth) {
  EXPECT_NEAR(L1L2(0.1, 0.2)(weights()).item<double>(), 0.1 * 10 + 0.2 * 30, 1e-5);
  EXPECT_NEAR(L1L2(0.5)(weights()).item<double>(), 5.0, 1e-5);
  EXPECT_NEAR(L1L2()(weights()).item<double>(), 0.0, 0.0);  // defaults 0, 0
  EXPECT_EQ(L1L2().name(), "L1L2");
}

// Keras's validate_float_arg (regularizers_test.py's ValidateFloatArgTest): factors are finite
// and non-negative, in constructors and in loaded configs; "l1l2" is L1L2() by name.
TEST(Regularizer, FactorsMustBeNonNegativeFloats) {
  test::expect_throws_with<ValueError>(
      [] { L1(-0.1); },
      "Invalid value for argument l1: expected a non-negative float.Received: l1=-0.1");
  test::expect_throws_with<ValueError>([] { L2(std::nan("")); }, "Received: l2=nan");
  test::expect_throws_with<ValueError>([] { L1L2(-1.0); }, "Received: l1=-1.0");
  test::expect_throws_with<ValueError>([] { L1L2(0.0, INFINITY); }, "Received: l2=inf");
  EXPECT_THROW(deserialize(Json::parse(R"({"class_name": "L1", "config": {"l1": -0.5}})")),
               ValueError);
  EXPECT_EQ(Regularizer("l1l2").name(), "L1L2");
  EXPECT_EQ(Regularizer("l1l2").get_config(), Json::parse(R"({"l1": 0.0, "l2": 0.0})"));
}

TEST(Regularizer, ByName) {
  const Regularizer l1 = "l1";
  const Regularizer l2 = "l2";
  const Regularizer l1_l2 = "l1_l2";
  EXPECT_EQ(l1.name(), "L1");
  EXPECT_EQ(l2.name(), "L2");
  EXPECT_EQ(l1_l2.name(), "L1L2");
  EXPECT_NEAR(l1(weights()).item<double>(), 0.01 * 10, 1e-7);
  EXPECT_NEAR(l2(weights()).item<double>(), 0.01 * 30, 1e-6);
  EXPECT_NEAR(l1_l2(weights()).item<double>(), 0.01 * 10 + 0.01 * 30, 1e-6);
}

TEST(Regularizer, UnknownNameThrows) {
  test::expect_throws_with<ValueError>([] { Regularizer r("l3"); },
                                       "Could not interpret regularizer identifier: l3");
  test::expect_throws_with<ValueError>([] { Regularizer r("L3"); },
                                       "Could not interpret regularizer identifier");
  // Keras's get() also knows the class names.
  EXPECT_EQ(Regularizer("L2").name(), "L2");
  EXPECT_EQ(Regularizer("L1L2").get_config(), Json::parse(R"({"l1": 0.0, "l2": 0.0})"));
  EXPECT_EQ(Regularizer("orthogonal_regularizer").name(), "OrthogonalRegularizer");
}

// Keras 3's OrthogonalRegularizer (factor 0.3) on this 4 x 3 weight: by rows 0.14754341542720795,
// by columns 0.14006049931049347 (float32, JAX). keras.cpp computes 1/sqrt where Keras takes
// rsqrt: a few ulps of float32 apart.
TEST(Regularizer, OrthogonalRegularizerMatchesKeras) {
  const Tensor w = test::tensor_of({1, 2, 0, 0.5, -1, 3, 2, 2, 2, 0, 1, -1}, {4, 3}, float32);
  EXPECT_NEAR(OrthogonalRegularizer({.factor = 0.3})(w).item<double>(), 0.14754341542720795, 1e-6);
  const Regularizer by_columns = OrthogonalRegularizer({.factor = 0.3, .mode = "columns"});
  EXPECT_NEAR(by_columns(w).item<double>(), 0.14006049931049347, 1e-6);
  EXPECT_EQ(by_columns(w).dtype(), float32);
  // Keras keeps the factor as a float32 tensor, and its config says so.
  EXPECT_EQ(serialize(by_columns), Json::parse(R"({"module": "keras.regularizers",
      "class_name": "OrthogonalRegularizer", "config": {"factor": 0.30000001192092896,
      "mode": "columns"}, "registered_name": null})"));
  const Regularizer back = deserialize(serialize(by_columns));
  EXPECT_EQ(back.get_config(), by_columns.get_config());
  EXPECT_EQ(back(w).item<double>(), by_columns(w).item<double>());
  EXPECT_NEAR(Regularizer("orthogonal_regularizer")(w).item<double>(),
              0.14754341542720795 / 0.3 * 0.01, 1e-7);
}

TEST(Regularizer, OrthogonalRegularizerErrorsAsKeras) {
  test::expect_throws_with<ValueError>(
      [] { OrthogonalRegularizer({.mode = "diagonal"}); },
      R"(Invalid value for argument `mode`. Expected one of {"rows", "columns"}. Received: )"
      "mode=diagonal");
  test::expect_throws_with<ValueError>([] { OrthogonalRegularizer({.factor = -1}); },
                                       "Received: factor=-1.0");
  test::expect_throws_with<ValueError>(
      [] {
        OrthogonalRegularizer()(ones({2, 2, 2}));
      },
      "Inputs to OrthogonalRegularizer must have rank 2. Received: inputs.shape=(2, 2, 2)");
}

TEST(Regularizer, DefaultIsNone) {
  const Regularizer none;
  EXPECT_FALSE(static_cast<bool>(none));
  EXPECT_TRUE(static_cast<bool>(L2()));
  EXPECT_TRUE(static_cast<bool>(Regularizer("l1")));
}

TEST(Regularizer, KeepsTheWeightDtype) {
  const Tensor p = L1L2(0.1, 0.2)(weights(float64));
  EXPECT_EQ(p.dtype(), float64);
  EXPECT_NEAR(p.item<double>(), 7.0, 1e-12);
  EXPECT_EQ(L2(0.1)(weights(float32)).dtype(), float32);
}

TEST(Regularizer, GradientsAreTheFormulaDerivatives) {
  const Tensor w = weights(float64);
  Tensors g;
  {
    autodiff::GradientTape tape;
    tape.watch(w);
    g = tape.gradient(ops::add(L2(0.1)(w), L1(0.5)(w)), {w});
  }
  ASSERT_TRUE(g[0].defined());
  // 2 * 0.1 * w + 0.5 * sign(w)
  test::expect_all_close(g[0], test::tensor_of({0.7, -0.9, 1.1, -1.3}, {2, 2}, float64), 1e-12,
                         1e-12);
}

}  // namespace
}  // namespace keras::regularizers
