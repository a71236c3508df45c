#include "keras/layers/activation.h"

#include <gtest/gtest.h>

#include <cmath>
#include <string>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/layers/input_layer.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

TEST(Activation, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Activation("tanh"); },
      .input_shape = {2, 3},
      .expected_output_shape = {2, 3},
  });
}

TEST(Activation, Contract3dSoftmax) {
  test::run_layer_test({
      .make_layer = [] { return Activation("softmax"); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
  });
}

class ActivationByName : public ::testing::TestWithParam<std::string> {};

TEST_P(ActivationByName, MatchesTheActivationFunction) {
  const std::string name = GetParam();
  Activation layer(name);
  const Tensor x = test::random_tensor({3, 4}, float32, -3, 3, 9);
  test::expect_all_close(layer(x), activations::get(name)(x), 0, 0);
  EXPECT_EQ(ActivationFn(name).name(), name);
}

TEST_P(ActivationByName, GradientMatchesFiniteDifferences) {
  const std::string name = GetParam();
  test::run_layer_test({
      .make_layer = [name] { return Activation(name); },
      .input_shape = {2, 5},
      .expected_output_shape = {2, 5},
      .check_training_lowers_loss = false,
  });
}

INSTANTIATE_TEST_SUITE_P(AllNames,
                         ActivationByName,
                         ::testing::Values("linear",
                                           "relu",
                                           "relu6",
                                           "leaky_relu",
                                           "sigmoid",
                                           "tanh",
                                           "softmax",
                                           "log_softmax",
                                           "elu",
                                           "selu",
                                           "softplus",
                                           "softsign",
                                           "swish",
                                           "silu",
                                           "gelu",
                                           "hard_sigmoid",
                                           "hard_silu",
                                           "hard_swish",
                                           "exponential"));

TEST(Activation, KnownValues) {
  const Tensor x = test::tensor_of({-2, -0.5, 0, 0.5, 2}, {1, 5}, float32);
  test::expect_all_close(Activation("relu")(x), test::tensor_of({0, 0, 0, 0.5, 2}, {1, 5}, float32),
                         0, 0);
  test::expect_all_close(Activation("linear")(x), x, 0, 0);
  const Tensor s = Activation("sigmoid")(x);
  EXPECT_NEAR(test::to_doubles(s)[2], 0.5, 1e-7);
  EXPECT_NEAR(test::to_doubles(s)[4], 1.0 / (1.0 + std::exp(-2.0)), 1e-6);
}

TEST(Activation, EmptyNameIsLinear) {
  EXPECT_EQ(ActivationFn("").name(), "linear");
  EXPECT_EQ(ActivationFn().name(), "linear");
  const Tensor x = test::random_tensor({2, 2}, float32, -1, 1, 1);
  test::expect_all_close(Activation("")(x), x, 0, 0);
}

TEST(Activation, CustomCallable) {
  const ActivationFn fn([](const Tensor& t) { return ops::multiply(t, 2.0); }, "double_it");
  EXPECT_EQ(fn.name(), "double_it");
  Activation layer(fn);
  const Tensor x = test::random_tensor({2, 3}, float32, -1, 1, 2);
  test::expect_all_close(layer(x), ops::multiply(x, 2.0), 0, 0);
}

TEST(Activation, UnknownNameThrows) {
  test::expect_throws_with<ValueError>([] { Activation("relu7"); },
                                       "Could not interpret activation function identifier: relu7");
  test::expect_throws_with<ValueError>([] { ActivationFn("Tanh"); },
                                       "Could not interpret activation function identifier");
}

TEST(Activation, SymbolicShapeKeepsNone) {
  Activation a("relu");
  const KerasTensor y = a(keras::Input({std::nullopt, 4}));
  EXPECT_EQ(shape_str(y.shape()), "(None, None, 4)");
  EXPECT_TRUE(a.weights().empty());
}

TEST(Activation, DefaultName) {
  utils::clear_session();
  EXPECT_EQ(Activation("relu").name(), "activation_1");
  EXPECT_EQ(Activation("relu").name(), "activation_2");
  EXPECT_EQ(Activation("relu", {.name = "act"}).name(), "act");
  EXPECT_EQ(Activation("relu").class_name(), "Activation");
}

}  // namespace
}  // namespace keras::layers
