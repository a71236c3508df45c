#include "keras/layers/dense.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/layers/input_layer.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

TEST(Dense, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Dense(4, {.activation = "tanh"}); },
      .input_shape = {2, 3},
      .expected_output_shape = {2, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Dense, AppliesToLastAxisOf3dInput) {
  test::run_layer_test({
      .make_layer = [] { return Dense(5); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 5},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Dense, WithoutBiasHasOnlyAKernel) {
  test::run_layer_test({
      .make_layer = [] { return Dense(5, {.use_bias = false}); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 5},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
  Dense d(5, {.use_bias = false});
  d(test::random_tensor({2, 4}, float32, -1, 1, 1));
  ASSERT_EQ(d.weights().size(), 1u);
  EXPECT_EQ(d.weights()[0].name(), "kernel");
  EXPECT_FALSE(d->bias().defined());
}

class DenseActivation : public ::testing::TestWithParam<std::string> {};

TEST_P(DenseActivation, Contract) {
  const std::string name = GetParam();
  test::run_layer_test({
      .make_layer = [name] { return Dense(3, {.activation = name}); },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST_P(DenseActivation, OutputIsTheActivationOfTheAffineMap) {
  const std::string name = GetParam();
  Dense d(3, {.activation = name});
  const Tensor x = test::random_tensor({4, 2}, float32, -1, 1, 3);
  const Tensor y = d(x);
  const Tensor z = ops::add(ops::matmul(x, d->kernel().value()), d->bias().value());
  test::expect_all_close(y, activations::get(name)(z), 1e-6, 1e-6);
}

INSTANTIATE_TEST_SUITE_P(AllNames,
                         DenseActivation,
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

TEST(Dense, ComputesXKernelPlusBias) {
  Dense d(2);
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {2, 3}, float32);
  d(x);
  d.set_weights({test::tensor_of({1, 0, 0, 1, 1, 1}, {3, 2}, float32),
                 test::tensor_of({0.5, -0.5}, {2}, float32)});
  // [[1 2 3] [4 5 6]] @ [[1 0] [0 1] [1 1]] + [0.5 -0.5]
  test::expect_all_close(d(x), test::tensor_of({4.5, 4.5, 10.5, 10.5}, {2, 2}, float32), 0, 0);
  test::expect_throws_with<ValueError>(
      [&] {
        d.set_weights({Tensor(), zeros({2})});
      },
      "with an undefined Tensor as weight 0 (" + d.weights()[0].path() + ")");
}

TEST(Dense, ThreeDInputMatchesFlattenedTwoDInput) {
  Dense d(5);
  const Tensor x = test::random_tensor({2, 3, 4}, float32, -1, 1, 5);
  const Tensor y = d(x);
  const Tensor y2 = d(x.reshape({6, 4}));
  test::expect_all_close(y.reshape({6, 5}), y2, 1e-6, 1e-6);
}

TEST(Dense, KernelAndBiasShapesAndNames) {
  utils::clear_session();
  Dense d(7);
  d(keras::Input({3}));
  ASSERT_EQ(d.weights().size(), 2u);
  EXPECT_EQ(shape_str(d->kernel().shape()), "(3, 7)");
  EXPECT_EQ(shape_str(d->bias().shape()), "(7,)");
  EXPECT_EQ(d->kernel().path(), "dense_1/kernel");
  EXPECT_EQ(d->bias().path(), "dense_1/bias");
  EXPECT_EQ(d.count_params(), 3 * 7 + 7);
  EXPECT_EQ(d->units(), 7);
  EXPECT_EQ(d.class_name(), "Dense");
}

TEST(Dense, DefaultNamesCountUpAndResetWithClearSession) {
  utils::clear_session();
  EXPECT_EQ(Dense(1).name(), "dense_1");
  EXPECT_EQ(Dense(1).name(), "dense_2");
  EXPECT_EQ(Dense(1, {.name = "head"}).name(), "head");
  EXPECT_EQ(Dense(1).name(), "dense_3");
  utils::clear_session();
  EXPECT_EQ(Dense(1).name(), "dense_1");
}

TEST(Dense, InitializersAreUsed) {
  Dense d(3, {.kernel_initializer = "ones", .bias_initializer = initializers::Constant(0.25)});
  d(test::random_tensor({1, 2}, float32, -1, 1, 1));
  test::expect_all_close(d->kernel().value(), ones({2, 3}), 0, 0);
  test::expect_all_close(d->bias().value(), full({3}, 0.25), 0, 0);
}

TEST(Dense, RegularizersAddLossesWithTheirFormula) {
  Dense d(3, {.bias_initializer = "ones",
              .kernel_regularizer = regularizers::L2(0.1),
              .bias_regularizer = regularizers::L1(0.2)});
  EXPECT_TRUE(d->losses().empty());  // not built yet
  d(test::random_tensor({2, 4}, float32, -1, 1, 2));
  const Tensors losses = d->losses();
  ASSERT_EQ(losses.size(), 2u);
  double sum_sq = 0.0;
  for (double w : test::to_doubles(d->kernel().value())) sum_sq += w * w;
  EXPECT_EQ(losses[0].rank(), 0);
  EXPECT_NEAR(losses[0].item<double>(), 0.1 * sum_sq, 1e-6);
  EXPECT_NEAR(losses[1].item<double>(), 0.2 * 3.0, 1e-6);  // bias is ones

  // The penalties follow the current weight values.
  d.set_weights({zeros({4, 3}), full({3}, -2.0)});
  EXPECT_NEAR(d->losses()[0].item<double>(), 0.0, 0.0);
  EXPECT_NEAR(d->losses()[1].item<double>(), 0.2 * 6.0, 1e-6);
}

TEST(Dense, RegularizerByName) {
  Dense d(2, {.kernel_regularizer = "l2"});
  d(test::random_tensor({2, 3}, float32, -1, 1, 2));
  ASSERT_EQ(d->losses().size(), 1u);
  double sum_sq = 0.0;
  for (double w : test::to_doubles(d->kernel().value())) sum_sq += w * w;
  EXPECT_NEAR(d->losses()[0].item<double>(), 0.01 * sum_sq, 1e-7);
}

TEST(Dense, WithoutRegularizersHasNoLosses) {
  Dense d(2);
  d(test::random_tensor({2, 3}, float32, -1, 1, 2));
  EXPECT_TRUE(d->losses().empty());
}

TEST(Dense, RegularizedContract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Dense(3, {.kernel_regularizer = regularizers::L2(0.01),
                             .bias_regularizer = regularizers::L1(0.01)});
          },
      .input_shape = {3, 2},
      .expected_output_shape = {3, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(Dense, IncompatibleLastAxisRaisesKeras2InputSpecError) {
  utils::clear_session();
  Dense d(4);
  d(keras::Input({32}));
  const KerasTensor wrong = keras::Input({16});
  test::expect_throws_with<ValueError>([&] { d(wrong); },
                                       "Input 0 is incompatible with layer dense_");
  test::expect_throws_with<ValueError>([&] { d(wrong); },
                                       "expected axis -1 of input shape to have value 32");
  test::expect_throws_with<ValueError>(
      [&] { d(wrong); },
      "Input 0 is incompatible with layer dense_1: expected axis "
      "-1 of input shape to have value 32 but got shape (None, 16)");
  // Eagerly too.
  test::expect_throws_with<ValueError>(
      [&] {
        d(ones({2, 16}));
      },
      "expected axis -1 of input shape to have value 32");
}

TEST(Dense, RankOneInputRaisesMinNdimError) {
  Dense d(4);
  test::expect_throws_with<ValueError>([&] { d(keras::Input({})); },
                                       "expected min_ndim=2, found ndim=1");
  test::expect_throws_with<ValueError>([&] { d(ones({3})); },
                                       "Input 0 is incompatible with layer dense_");
  test::expect_throws_with<ValueError>([&] { d(ones({3})); }, "expected min_ndim=2, found ndim=1");
  EXPECT_FALSE(d.built());
}

TEST(Dense, UnknownActivationNameThrows) {
  test::expect_throws_with<ValueError>([] { Dense(4, {.activation = "relu7"}); },
                                       "Could not interpret activation function identifier");
}

TEST(Dense, NonPositiveUnitsThrow) {
  test::expect_throws_with<ValueError>([] { Dense(0); }, "expected a positive integer");
  test::expect_throws_with<ValueError>([] { Dense(-3); }, "Received: units=-3");
}

TEST(Dense, UndefinedLastDimensionThrows) {
  Dense d(2);
  test::expect_throws_with<ValueError>([&] { d(keras::Input({std::nullopt})); },
                                       "The last dimension of the inputs to a Dense layer should "
                                       "be defined. Found None.");
}

TEST(Dense, InputShapeAndInputDimOptions) {
  EXPECT_FALSE(Dense(2)->batch_input_shape().has_value());
  const Dense a(2, {.input_shape = std::vector<Dim>{8}});
  ASSERT_TRUE(a->batch_input_shape().has_value());
  EXPECT_EQ(shape_str(*a->batch_input_shape()), "(None, 8)");
  const Dense b(2, {.input_dim = 5});
  ASSERT_TRUE(b->batch_input_shape().has_value());
  EXPECT_EQ(shape_str(*b->batch_input_shape()), "(None, 5)");
}

TEST(Dense, Float64LayerMakesFloat64WeightsAndOutputs) {
  Dense d(2);
  d->set_dtype(float64);
  const Tensor y = d(test::random_tensor({3, 4}, float32, -1, 1, 1));  // input is cast
  EXPECT_EQ(y.dtype(), float64);
  EXPECT_EQ(d->kernel().dtype(), float64);
  test::expect_throws_with<ValueError>([&] { d->set_dtype(float32); }, "before build");
}

TEST(Dense, SymbolicCallRecordsNodes) {
  Dense d(3);
  const KerasTensor x = keras::Input({5});
  const KerasTensor y = d(x);
  EXPECT_EQ(shape_str(y.shape()), "(None, 3)");
  EXPECT_EQ(y.dtype(), float32);
  EXPECT_EQ(d->inbound_nodes().size(), 1u);
  EXPECT_EQ(shape_str(d.input_shape()), "(None, 5)");
  EXPECT_EQ(shape_str(d.output_shape()), "(None, 3)");
  EXPECT_TRUE(d.output() == y);
  EXPECT_TRUE(d.input() == x);
}

}  // namespace
}  // namespace keras::layers
