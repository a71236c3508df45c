#include "keras/layers/einsum_dense.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/initializers/initializers.h"
#include "keras/layers/input_layer.h"
#include "keras/ops/activations.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

TEST(EinsumDense, ContractAsDense) {
  test::run_layer_test({
      .make_layer =
          [] { return EinsumDense("ab,bc->ac", {4}, {.activation = "tanh", .bias_axes = "c"}); },
      .input_shape = {2, 3},
      .expected_output_shape = {2, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(EinsumDense, ContractOverASequence) {
  test::run_layer_test({
      .make_layer =
          [] {
            return EinsumDense("abc,cd->abd", {std::nullopt, 5}, {.bias_axes = "d"});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 5},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(EinsumDense, ContractIntoHeads) {
  test::run_layer_test({
      .make_layer =
          [] {
            return EinsumDense("abc,cde->abde", {std::nullopt, 2, 3}, {.bias_axes = "de"});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 2, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(EinsumDense, ContractWithEllipses) {
  test::run_layer_test({
      .make_layer = [] { return EinsumDense("...b,bc->...c", {3}); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 3},
      .expected_num_weights = 1,
      .expected_num_trainable_weights = 1,
  });
  test::run_layer_test({
      .make_layer = [] { return EinsumDense("ab...,bc->ac...", {5}, {.bias_axes = "c"}); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 5, 4},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

// Kernel and bias shapes as Keras 3.15 builds them (its einsum_dense_test cases).
TEST(EinsumDense, WeightShapesAreKeras) {
  struct Case {
    const char* equation;
    std::vector<Dim> output_shape;
    const char* bias_axes;
    Shape input, kernel, output;
    std::optional<Shape> bias;
  };
  const Case cases[] = {
      {"ab,bc->ac", {4}, "", {7, 2}, {2, 4}, {7, 4}, std::nullopt},
      {"ab,bc->ac", {4}, "c", {7, 2}, {2, 4}, {7, 4}, Shape{4}},
      {"abc,cd->abd", {std::nullopt, 4}, "d", {7, 3, 2}, {2, 4}, {7, 3, 4}, Shape{4}},
      {"abc,cde->abde", {3, 2, 4}, "de", {7, 3, 5}, {5, 2, 4}, {7, 3, 2, 4}, Shape{2, 4}},
      {"abcd,cde->abe", {3, 4}, "e", {7, 3, 2, 5}, {2, 5, 4}, {7, 3, 4}, Shape{4}},
      {"abc,cd->abd", {3, 4}, "bd", {7, 3, 2}, {2, 4}, {7, 3, 4}, Shape{3, 4}},
      {"...b,bc->...c", {4}, "c", {7, 3, 2}, {2, 4}, {7, 3, 4}, Shape{4}},
      {"ab...,bc->ac...", {4}, "c", {7, 2, 3}, {2, 4}, {7, 4, 3}, Shape{4, 1}},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.equation);
    EinsumDense layer(c.equation, c.output_shape, {.bias_axes = c.bias_axes});
    const Tensor y = layer(keras::random::uniform(c.input, -1, 1, float32, 1));
    EXPECT_EQ(y.shape(), c.output);
    EXPECT_EQ(layer->kernel().value().shape(), c.kernel);
    EXPECT_EQ(layer->bias().defined(), c.bias.has_value());
    if (c.bias) {
      EXPECT_EQ(layer->bias().value().shape(), *c.bias);
    }
  }
}

TEST(EinsumDense, ComputesTheEquationPlusTheBias) {
  EinsumDense layer("abc,cde->abde", {std::nullopt, 2, 3},
                    {.activation = "relu", .bias_axes = "de", .bias_initializer = "random_normal"});
  const Tensor x = keras::random::uniform({2, 3, 4}, -1, 1, float32, 2);
  const Tensor y = layer(x);
  const Tensor expected = ops::relu(
      ops::add(ops::einsum("abc,cde->abde", {x, layer->kernel().value()}), layer->bias().value()));
  test::expect_all_close(y, expected, 0, 0);
}

// Keras 3 gives glorot_uniform the kernel's input axes (c) and output axes (d, e) as fans:
// limit sqrt(6 / (fan_in + fan_out)) = sqrt(6 / (64 + 8 * 16)), not the receptive-field fans.
TEST(EinsumDense, GlorotFansComeFromTheKernelsInputAndOutputAxes) {
  EinsumDense layer("abc,cde->abde", {std::nullopt, 8, 16});
  layer(keras::random::uniform({1, 2, 64}, -1, 1, float32, 3));
  const Tensor k = layer->kernel().value();
  ASSERT_EQ(k.shape(), (Shape{64, 8, 16}));
  const double limit = std::sqrt(6.0 / (64 + 8 * 16));
  EXPECT_LE(ops::max(ops::abs(k)).item<double>(), limit);
  EXPECT_GT(ops::max(ops::abs(k)).item<double>(), 0.95 * limit);
}

TEST(EinsumDense, KerasErrors) {
  test::expect_throws_with<ValueError>(
      [] { EinsumDense("ab,bc", {4}); },
      "Invalid einsum equation 'ab,bc'. Equations must be in the form [X],[Y]->[Z], "
      "...[X],[Y]->...[Z], or [X]...,[Y]->[Z]....");
  test::expect_throws_with<ValueError>(
      [] {
        EinsumDense("abc,cd->abd", {4, 5})(keras::random::uniform({2, 3, 4}, -1, 1, float32, 4));
      },
      "Input shape and output shape do not match at shared dimension 'b'. Input shape is 3, and "
      "output shape is 4.");
  test::expect_throws_with<ValueError>(
      [] {
        EinsumDense("ab,bc->acd", {4, 5})(keras::random::uniform({2, 3}, -1, 1, float32, 5));
      },
      "Dimension 'd' was specified in the output 'acd' but has no corresponding dim in the input "
      "spec 'ab' or weight spec 'acd'");
  test::expect_throws_with<ValueError>(
      [] {
        EinsumDense("ab,bcd->ac", {4})(keras::random::uniform({2, 3}, -1, 1, float32, 6));
      },
      "Weight dimension 'd' did not have a match in either the input spec 'ab' or the output spec "
      "'ac'. For this layer, the weight must be fully specified.");
  test::expect_throws_with<ValueError>(
      [] {
        EinsumDense("ab,bc->ac", {4},
                    {.bias_axes = "x"})(keras::random::uniform({2, 3}, -1, 1, float32, 7));
      },
      "Bias dimension 'x' was requested, but is not part of the output spec 'ac'");
}

TEST(EinsumDense, ConfigRoundTripsAsKerasWritesIt) {
  EinsumDense layer("abc,cd->abd", {std::nullopt, 5}, {.bias_axes = "d", .name = "proj"});
  const Json config = layer->get_config();
  EXPECT_EQ(config["equation"], "abc,cd->abd");
  EXPECT_EQ(config["output_shape"], Json::parse("[null, 5]"));
  EXPECT_EQ(config["bias_axes"], "d");
  EXPECT_TRUE(config["quantization_config"].is_null());
  auto back = EinsumDenseImpl::from_config(config);
  EXPECT_EQ(back->get_config(), config);
  Json keras_int = config;
  keras_int["output_shape"] = 5;  // Keras also takes an int
  keras_int["equation"] = "ab,bc->ac";
  keras_int["bias_axes"] = nullptr;
  auto from_int = EinsumDenseImpl::from_config(keras_int);
  EXPECT_EQ(from_int->get_config()["output_shape"], Json::parse("[5]"));
}

}  // namespace
}  // namespace keras::layers
