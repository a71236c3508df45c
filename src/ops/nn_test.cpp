#include "keras/ops/nn.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>
#include <numeric>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/backend/backend.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/linalg.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

using test::inputs_away_from;
using test::OpCase;

const Shape kS = {3, 4};

const OpCase kActivationCases[] = {
    {.name = "relu",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return relu(x[0]); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -2, 2)},
    {.name = "relu6",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return relu6(x[0]); },
     .make_inputs = inputs_away_from({kS}, {0.0, 6.0}, -2, 8)},
    {.name = "leaky_relu_default",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return leaky_relu(x[0]); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -2, 2)},
    {.name = "leaky_relu_0_05",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return leaky_relu(x[0], 0.05); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -2, 2)},
    {.name = "sigmoid",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return sigmoid(x[0]); },
     .lo = -5,
     .hi = 5},
    {.name = "sigmoid_large_inputs",
     .input_shapes = {{6}},
     .fn = [](const Tensors& x) { return sigmoid(x[0]); },
     .lo = -30,
     .hi = 30},
    {.name = "tanh",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return tanh(x[0]); },
     .lo = -3,
     .hi = 3},
    {.name = "softplus",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return softplus(x[0]); },
     .lo = -5,
     .hi = 5},
    {.name = "softsign",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return softsign(x[0]); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -3, 3, 0.01)},
    {.name = "elu_default",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return elu(x[0]); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -3, 2, 0.01)},
    {.name = "elu_alpha_0_5",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return elu(x[0], 0.5); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -3, 2)},
    {.name = "selu",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return selu(x[0]); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -3, 2)},
    {.name = "gelu_approximate",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return gelu(x[0]); },
     .lo = -4,
     .hi = 4},
    {.name = "gelu_exact",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return gelu(x[0], false); },
     .lo = -4,
     .hi = 4},
    {.name = "silu",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return silu(x[0]); },
     .lo = -5,
     .hi = 5},
    {.name = "swish",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return swish(x[0]); },
     .lo = -5,
     .hi = 5},
    {.name = "hard_sigmoid",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return hard_sigmoid(x[0]); },
     .make_inputs = inputs_away_from({kS}, {-3.0, 3.0}, -5, 5)},
    {.name = "hard_silu",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return hard_silu(x[0]); },
     .make_inputs = inputs_away_from({kS}, {-3.0, 3.0}, -5, 5)},
    {.name = "log_sigmoid",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return log_sigmoid(x[0]); },
     .lo = -6,
     .hi = 6},
    {.name = "log_sigmoid_large_inputs",
     .input_shapes = {{6}},
     .fn = [](const Tensors& x) { return log_sigmoid(x[0]); },
     .lo = -40,
     .hi = 40},
    {.name = "activation_chain",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return multiply(sigmoid(x[0]), tanh(softplus(x[0]))); }},
    {.name = "relu_int32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return relu(x[0]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32}},
    {.name = "sigmoid_int32_is_float32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return sigmoid(x[0]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_dtype = float32},
};
KERAS_INSTANTIATE_OP_TESTS(Activation, kActivationCases);

const OpCase kSoftmaxCases[] = {
    {.name = "softmax_last_axis",
     .input_shapes = {{2, 5}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .expected_shape = Shape{2, 5}},
    {.name = "softmax_axis0",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return softmax(x[0], 0); },
     .expected_shape = Shape{3, 4}},
    {.name = "softmax_middle_axis_3d",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return softmax(x[0], 1); },
     .expected_shape = Shape{2, 3, 4}},
    {.name = "softmax_axis_neg1_3d",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return softmax(x[0], -1); },
     .expected_shape = Shape{2, 3, 4}},
    {.name = "softmax_axis0_3d",
     .input_shapes = {{2, 3, 2}},
     .fn = [](const Tensors& x) { return softmax(x[0], 0); },
     .expected_shape = Shape{2, 3, 2}},
    {.name = "softmax_vector",
     .input_shapes = {{6}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .expected_shape = Shape{6}},
    {.name = "softmax_single_class",
     .input_shapes = {{3, 1}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .expected_shape = Shape{3, 1}},
    {.name = "softmax_large_logits",
     .input_shapes = {{2, 4}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .lo = -30,
     .hi = 30,
     .grad_tol = 1e-5},
    {.name = "log_softmax_last_axis",
     .input_shapes = {{2, 5}},
     .fn = [](const Tensors& x) { return log_softmax(x[0]); },
     .expected_shape = Shape{2, 5}},
    {.name = "log_softmax_axis0",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return log_softmax(x[0], 0); },
     .expected_shape = Shape{3, 4}},
    {.name = "log_softmax_middle_axis_3d",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return log_softmax(x[0], 1); },
     .expected_shape = Shape{2, 3, 4}},
    {.name = "log_softmax_vector",
     .input_shapes = {{6}},
     .fn = [](const Tensors& x) { return log_softmax(x[0], -1); },
     .expected_shape = Shape{6}},
    {.name = "log_softmax_large_logits",
     .input_shapes = {{2, 4}},
     .fn = [](const Tensors& x) { return log_softmax(x[0]); },
     .lo = -30,
     .hi = 30},
    {.name = "softmax_then_log",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return log(softmax(x[0], 0)); }},
    {.name = "softmax_large_rows",
     .input_shapes = {{7, 129}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .lo = -5,
     .hi = 5},
    // Rows of 6 to 16 classes take the CPU backend's one-vector-a-row path; -100..100 reaches
    // exponentials that underflow.
    {.name = "softmax_ten_classes",
     .input_shapes = {{37, 10}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .lo = -100,
     .hi = 100,
     .grad_tol = 1e-5},
    {.name = "softmax_six_classes",
     .input_shapes = {{5, 6}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .expected_shape = Shape{5, 6}},
    {.name = "softmax_sixteen_classes",
     .input_shapes = {{3, 2, 16}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .expected_shape = Shape{3, 2, 16}},
    {.name = "log_softmax_large_axis0",
     .input_shapes = {{129, 7}},
     .fn = [](const Tensors& x) { return log_softmax(x[0], 0); },
     .lo = -5,
     .hi = 5},
    {.name = "softmax_int32_is_float32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return softmax(x[0]); },
     .lo = -3,
     .hi = 3,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_dtype = float32},
    {.name = "log_softmax_int32_is_float32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return log_softmax(x[0], 0); },
     .lo = -3,
     .hi = 3,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_dtype = float32},
};
KERAS_INSTANTIATE_OP_TESTS(Softmax, kSoftmaxCases);

// ---- values and the activation registry ----

// keras.ops.norm, layer_normalization and rms_normalization (composed; keras/ops/nn.h, linalg.h).
const test::OpCase kNormCases[] = {
    {.name = "norm_vector_orders",
     .input_shapes = {{3, 4}},
     .fn =
         [](const Tensors& x) {
           const double inf = std::numeric_limits<double>::infinity();
           Tensor y = add(norm(x[0], std::nullopt, {1}), norm(x[0], 3.0, {1}));
           y = add(y, add(norm(x[0], 1.0, {1}), norm(x[0], 0.5, {1})));
           return add(y, add(norm(x[0], inf, {1}), norm(x[0], -inf, {1})));
         },
     .make_inputs = test::inputs_away_from({{3, 4}}, {0.0}, -2.0, 2.0, 0.2),
     .expected_shape = Shape{3}},
    {.name = "norm_matrix_orders",
     .input_shapes = {{2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           const double inf = std::numeric_limits<double>::infinity();
           Tensor y = add(norm(x[0], "fro", {1, 2}), norm(x[0], 1.0, {1, 2}));
           y = add(y, add(norm(x[0], -1.0, {2, 1}), norm(x[0], inf, {1, 2})));
           return add(y, norm(x[0], -inf, {1, 2}, true));
         },
     .make_inputs = test::inputs_away_from({{2, 3, 4}}, {0.0}, -2.0, 2.0, 0.2),
     .expected_shape = Shape{2, 1, 2}},
    {.name = "layer_normalization",
     .input_shapes = {{2, 3, 4}, {4}, {4}},
     .fn = [](const Tensors& x) { return layer_normalization(x[0], x[1], x[2], {-1}, 1e-3); }},
    {.name = "layer_normalization_two_axes",
     .input_shapes = {{2, 3, 4}, {3, 4}},
     .fn =
         [](const Tensors& x) {
           return layer_normalization(x[0], x[1], {}, {1, 2});
         }},
    {.name = "layer_normalization_rms_scaling",
     .input_shapes = {{2, 3, 4}, {4}},
     .fn = [](const Tensors& x) { return layer_normalization(x[0], x[1], {}, {-1}, 1e-3, true); }},
    {.name = "rms_normalization",
     .input_shapes = {{2, 3, 4}, {3, 1}},
     .fn = [](const Tensors& x) { return rms_normalization(x[0], x[1], {1}, 1e-5); }},
};
KERAS_INSTANTIATE_OP_TESTS(Norms, kNormCases);

// Values from Keras 3.15 with JAX.
TEST(Norms, NormsAndNormalizationsGiveKerasValues) {
  const double inf = std::numeric_limits<double>::infinity();
  auto near = [](const Tensor& x, std::vector<double> expected) {
    EXPECT_EQ(x.dtype(), float32);
    test::expect_all_close(x, test::tensor_of(expected, x.shape(), float32), 1e-6, 1e-6);
  };
  const Tensor v = test::tensor_of({3, -4, 0, 1}, {4}, float32);
  near(norm(v), {5.0990195});
  near(norm(v, 2.0), {5.0990195});
  near(norm(v, inf), {4});
  near(norm(v, -inf), {0});
  near(norm(v, 0.0), {3});
  near(norm(v, 1.0), {8});
  near(norm(v, 3.0), {4.5143576});
  near(norm(v, 0.5), {22.3923054});
  const Tensor m = test::tensor_of({1, -2, 3, -4, 5, -6}, {2, 3}, float32);
  near(norm(m), {9.5393925});
  near(norm(m, "fro"), {9.5393925});
  near(norm(m, 1.0), {9});
  near(norm(m, -1.0), {5});
  near(norm(m, inf), {15});
  near(norm(m, -inf), {6});
  std::vector<double> r8(8);
  std::iota(r8.begin(), r8.end(), 0.0);
  near(norm(test::tensor_of(r8, {2, 2, 2}, float32)), {11.83216});
  near(norm(test::tensor_of({3, 4}, {2}, int32)), {5});
  EXPECT_EQ(norm(m, std::nullopt, {}, true).shape(), (Shape{1, 1}));
  // np.linalg.norm(m, "nuc"), norm(m, 2), norm(m, -2)
  near(norm(m, "nuc"), {10.280902});
  near(norm(m, 2.0), {9.508032});
  near(norm(m, -2.0), {0.77286965});
  std::vector<double> r24(24);
  std::iota(r24.begin(), r24.end(), 0.0);
  // np.linalg.norm(np.arange(24).reshape(2, 3, 4), "nuc", axis=(2, 0), keepdims=True)
  const Tensor nuc = norm(test::tensor_of(r24, {2, 3, 4}, float32), "nuc", {2, 0}, true);
  EXPECT_EQ(nuc.shape(), (Shape{1, 3, 1}));
  near(nuc, {29.246048, 38.253513, 48.242424});
  test::expect_throws_with<ValueError>(
      [&] {
        norm(ones({2, 2, 2}), 1.0);
      },
      "Improper number of axes for norm: axis=(0, 1, 2)");
  test::expect_throws_with<ValueError>([&] { norm(v, "fro"); },
                                       "Invalid order 'fro' for vector norm.");
  test::expect_throws_with<ValueError>([&] { norm(m, 3.0); }, "Invalid order '3' for matrix norm.");
  EXPECT_THROW(norm(m, "spectral"), ValueError);
  near(layer_normalization(m, test::tensor_of({1, 2, 3}, {3}, float32),
                           test::tensor_of({0, 1, 0}, {3}, float32)),
       {0.1622214, -1.5955428, 3.4066496, -0.4877131, 3.786932, -2.7172587});
  near(layer_normalization(m, {}, {}, {0, 1}, 1e-3),
       {0.3883656, -0.3883656, 0.9061865, -0.9061865, 1.4240073, -1.4240073});
  near(rms_normalization(m, test::tensor_of({1, 2, 3}, {3}, float32)),
       {0.46291, -1.8516401, 4.1661901, -0.789542, 1.973855, -3.5529392});
  // Keras casts back to the input's dtype.
  const Tensor ri = rms_normalization(test::tensor_of({3, 4}, {1, 2}, int32));
  EXPECT_EQ(ri.dtype(), int32);
  EXPECT_EQ(test::to_doubles(ri), (std::vector<double>{0, 1}));
}

TEST(Softmax, RowsSumToOneAlongTheAxis) {
  const Tensor x = test::random_tensor({2, 3, 4}, float64, -3, 3, 21);
  for (int axis : {0, 1, 2, -1}) {
    const Tensor s = softmax(x, axis);
    const Tensor total = sum(s, {axis});
    test::expect_all_close(total, ones(total.shape(), float64), 1e-15, 1e-15);
    test::expect_all_close(log_softmax(x, axis), log(s), 1e-13, 1e-13);
  }
}

TEST(Softmax, IsShiftInvariantAndStable) {
  const Tensor x = test::tensor_of({1000, 1001, 1002}, {1, 3});
  const Tensor expected = softmax(test::tensor_of({0, 1, 2}, {1, 3}));
  test::expect_all_close(softmax(x), expected, 1e-14, 0);
  test::expect_all_close(log_softmax(test::tensor_of({-1000, 0}, {1, 2})),
                         test::tensor_of({-1000, 0}, {1, 2}), 1e-15, 0);
}

TEST(Softmax, RejectsScalarsAndBadAxes) {
  test::expect_throws_with<ValueError>([] { softmax(zeros({})); },
                                       "softmax: expected a tensor of rank >= 1");
  test::expect_throws_with<ValueError>([] { log_softmax(zeros({})); },
                                       "log_softmax: expected a tensor of rank >= 1");
  test::expect_throws_with<ValueError>(
      [] {
        softmax(zeros({2, 3}), 2);
      },
      "axis 2 is out of bounds for a tensor of rank 2");
  test::expect_throws_with<ValueError>([] { log_softmax(zeros({2, 3}), -3); }, "out of bounds");
}

TEST(Activation, LogSigmoidIsStableForLargeInputs) {
  const Tensor y = log_sigmoid(test::tensor_of({-800, 800}));
  EXPECT_DOUBLE_EQ(y.data<double>()[0], -800);
  EXPECT_DOUBLE_EQ(y.data<double>()[1], 0);
  const Tensor s = sigmoid(test::tensor_of({-800, 800}));
  EXPECT_EQ(s.data<double>()[0], 0);
  EXPECT_EQ(s.data<double>()[1], 1);
}

TEST(Activation, PiecewiseDefinitions) {
  const Tensor x = test::tensor_of({-4, -1, 0.5, 7});
  test::expect_all_close(relu6(x), test::tensor_of({0, 0, 0.5, 6}), 0, 0);
  test::expect_all_close(leaky_relu(x), test::tensor_of({-0.8, -0.2, 0.5, 7}), 1e-15, 0);
  test::expect_all_close(hard_sigmoid(x), test::tensor_of({0, 1.0 / 3, 7.0 / 12, 1}), 1e-15, 0);
  test::expect_all_close(hard_silu(x), test::tensor_of({0, -1.0 / 3, 7.0 / 24, 7}), 1e-15, 0);
  test::expect_all_close(
      elu(x, 2.0), test::tensor_of({2 * std::expm1(-4.0), 2 * std::expm1(-1.0), 0.5, 7}), 1e-15, 0);
}

TEST(Activations, GetReturnsTheNamedOps) {
  const Tensor x = test::random_tensor({2, 5}, float64, -3, 3, 8);
  const std::pair<const char*, Tensor> expected[] = {
      {"linear", x},
      {"", x},
      {"relu", relu(x)},
      {"relu6", relu6(x)},
      {"leaky_relu", leaky_relu(x, 0.2)},
      {"sigmoid", sigmoid(x)},
      {"tanh", tanh(x)},
      {"softmax", softmax(x, -1)},
      {"log_softmax", log_softmax(x, -1)},
      {"elu", elu(x, 1.0)},
      {"selu", selu(x)},
      {"softplus", softplus(x)},
      {"softsign", softsign(x)},
      {"swish", silu(x)},
      {"silu", silu(x)},
      {"gelu", gelu(x, /*approximate=*/false)},
      {"hard_sigmoid", hard_sigmoid(x)},
      {"hard_silu", hard_silu(x)},
      {"hard_swish", hard_silu(x)},
      {"exponential", exp(x)},
  };
  for (const auto& [name, want] : expected) {
    SCOPED_TRACE(name);
    activations::Activation f = activations::get(name);
    ASSERT_TRUE(f);
    test::expect_all_close(f(x), want, 0, 0);
    EXPECT_NO_THROW(activations::validate(name));
  }
}

TEST(Activations, GetRejectsUnknownNames) {
  test::expect_throws_with<ValueError>([] { activations::get("relu7"); },
                                       "Could not interpret activation function identifier: relu7");
  test::expect_throws_with<ValueError>([] { activations::validate("Relu"); },
                                       "Could not interpret activation function identifier: Relu");
}

TEST(Activations, AreDifferentiableThroughTheRegistry) {
  const Tensor x = test::tensor_of({-1.5, 0.5, 2.0});
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensor y = activations::get("tanh")(x);
  const Tensors g = tape.gradient(sum(y), {x});
  const Tensor t = tanh(x);
  test::expect_all_close(g[0], subtract(1.0, multiply(t, t)), 1e-15, 1e-15);
}

// keras.ops.normalize against NumPy: x / ||x|| (order 2 as Keras, x * min(1 / ||x||, 1e7)).
TEST(Normalize, DividesByTheNormAlongTheAxis) {
  const Tensor x = test::tensor_of({3, 4, 0, 0, 1, -2, 2, 0}, {2, 4}, float32);
  test::expect_all_close(
      normalize(x), test::tensor_of({0.6, 0.8, 0, 0, 1. / 3, -2. / 3, 2. / 3, 0}, {2, 4}, float32),
      1e-7, 1e-6);
  test::expect_all_close(
      normalize(x, 0, 1),
      test::tensor_of({0.75, 4. / 6, 0, 0, 0.25, -2. / 6, 1, 0}, {2, 4}, float32), 1e-7, 1e-6);
  // A zero vector stays zero (the 1 / epsilon cap), as in Keras.
  test::expect_all_close(normalize(zeros({1, 3})), zeros({1, 3}), 0, 0);
  test::expect_throws_with<ValueError>([&] { normalize(x, -1, 0); },
                                       "Argument `order` must be an int >= 1. Received: order=0");
}

// ---- moments and batch_normalization ----

const OpCase kNormalizationCases[] = {
    {.name = "normalize_l2_last_axis",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return normalize(x[0]); },
     .expected_shape = Shape{4, 3}},
    {.name = "normalize_l1_axis0",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return normalize(x[0], 0, 1); },
     .expected_shape = Shape{4, 3}},
    {.name = "normalize_l3",
     .input_shapes = {{2, 5}},
     .fn = [](const Tensors& x) { return normalize(x[0], -1, 3); },
     .expected_shape = Shape{2, 5}},
    {.name = "moments_mean_axis0",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return moments(x[0], {0}).mean; },
     .expected_shape = Shape{3}},
    {.name = "moments_variance_axes_0_1",
     .input_shapes = {{3, 2, 4}},
     .fn =
         [](const Tensors& x) {
           return moments(x[0], {0, 1}).variance;
         },
     .expected_shape = Shape{4}},
    {.name = "moments_variance_keepdims",
     .input_shapes = {{2, 5}},
     .fn = [](const Tensors& x) { return moments(x[0], {-1}, true).variance; },
     .expected_shape = Shape{2, 1}},
    {.name = "batch_normalization_last_axis",
     .input_shapes = {{4, 3}, {3}, {3}, {3}, {3}},
     .fn =
         [](const Tensors& x) {
           return batch_normalization(x[0], x[1], square(x[2]), -1, x[3], x[4], 0.1);
         },
     .expected_shape = Shape{4, 3}},
    {.name = "batch_normalization_axis1_no_offset_scale",
     .input_shapes = {{2, 3, 2}, {3}, {3}},
     .fn =
         [](const Tensors& x) {
           return batch_normalization(x[0], x[1], add(square(x[2]), 0.5), 1);
         },
     .expected_shape = Shape{2, 3, 2}},
    {.name = "batch_normalization_of_batch_moments",
     .input_shapes = {{5, 2}, {2}, {2}},
     .fn =
         [](const Tensors& x) {
           const Moments m = moments(x[0], {0});
           return batch_normalization(x[0], m.mean, m.variance, -1, x[1], x[2]);
         },
     .grad_tol = 1e-5,
     .expected_shape = Shape{5, 2}},
    {.name = "batch_normalization_only_x_tracked",
     .input_shapes = {{2, 3, 4}, {3}, {3}, {3}, {3}},
     .fn =
         [](const Tensors& x) {
           return batch_normalization(x[0], x[1], square(x[2]), 1, x[3], x[4]);
         },
     .differentiable = {true, false, false, false, false},
     .expected_shape = Shape{2, 3, 4}},
    // The fused training form: y, and the statistics as outputs of their own (their gradients
    // reach x through the same kernel), channels last (rows) and channels first (runs).
    {.name = "fused_batch_normalization_last_axis",
     .input_shapes = {{6, 3}, {3}, {3}},
     .fn = [](const Tensors& x) { return fused_batch_normalization(x[0], -1, x[1], x[2], 0.1).y; },
     .grad_tol = 1e-5,
     .expected_shape = Shape{6, 3}},
    {.name = "fused_batch_normalization_axis1_runs",
     .input_shapes = {{2, 3, 5}, {3}, {3}},
     .fn = [](const Tensors& x) { return fused_batch_normalization(x[0], 1, x[1], x[2]).y; },
     .grad_tol = 1e-5,
     .expected_shape = Shape{2, 3, 5}},
    {.name = "fused_batch_normalization_no_offset_scale",
     .input_shapes = {{4, 2, 3}},
     .fn = [](const Tensors& x) { return fused_batch_normalization(x[0], 0).y; },
     .grad_tol = 1e-5,
     .expected_shape = Shape{4, 2, 3}},
    {.name = "fused_batch_normalization_mean",
     .input_shapes = {{5, 2, 3}},
     .fn = [](const Tensors& x) { return fused_batch_normalization(x[0], 1).mean; },
     .expected_shape = Shape{2}},
    {.name = "fused_batch_normalization_variance",
     .input_shapes = {{5, 2, 3}},
     .fn = [](const Tensors& x) { return fused_batch_normalization(x[0], -1).variance; },
     .expected_shape = Shape{3}},
    {.name = "fused_batch_normalization_all_outputs",
     .input_shapes = {{4, 3}, {3}, {3}},
     .fn =
         [](const Tensors& x) {
           const FusedBatchNormalization r = fused_batch_normalization(x[0], -1, x[1], x[2]);
           return add(add(r.y, multiply(r.mean, 2.0)), square(r.variance));
         },
     .grad_tol = 1e-5,
     .expected_shape = Shape{4, 3}},
};
KERAS_INSTANTIATE_OP_TESTS(Normalization, kNormalizationCases);

// Type promotion as in Keras: integer x computes in float32, other arguments take x's dtype, and
// the gradients come back in each argument's own dtype.
TEST(BatchNormalizationOp, PromotesDtypes) {
  const Tensor xi = cast(test::tensor_of({1, 2, 3, 4}, {2, 2}), int32);
  const Tensor y = batch_normalization(xi, test::tensor_of({1, 2}), test::tensor_of({4, 1}), -1,
                                       test::tensor_of({10, 20}), test::tensor_of({2, 3}), 0.0);
  EXPECT_EQ(y.dtype(), float32);
  test::expect_all_close(y, cast(test::tensor_of({10, 20, 12, 26}, {2, 2}), float32), 1e-6, 0);
  const Tensor x = random::normal({5, 3}, 0.0, 1.0, float32, 5);
  const Tensor mean64 = random::normal({3}, 0.0, 1.0, float64, 6);
  autodiff::GradientTape tape;
  tape.watch(x);
  tape.watch(mean64);
  const Tensor z = batch_normalization(x, mean64, ones({3}), -1);
  EXPECT_EQ(z.dtype(), float32);
  const Tensors g = tape.gradient(sum(z), {x, mean64});
  EXPECT_EQ(g[0].dtype(), float32);
  EXPECT_EQ(g[1].dtype(), float64);
  const FusedBatchNormalization f = fused_batch_normalization(cast(x, int32), -1, {}, mean64);
  EXPECT_EQ(f.y.dtype(), float32);
  EXPECT_EQ(f.mean.dtype(), float32);
}

TEST(FusedBatchNormalization, EqualsMomentsThenBatchNormalization) {
  const Tensor x = random::normal({4, 3, 5}, 2.0, 3.0, float64, /*seed=*/7);
  for (int axis : {0, 1, 2}) {
    std::vector<int> others;
    for (int d = 0; d < 3; ++d) {
      if (d != axis) others.push_back(d);
    }
    const int64_t c = x.dim(axis);
    const Tensor offset = random::normal({c}, 0.0, 1.0, float64, 10 + axis);
    const Tensor scale = random::normal({c}, 1.0, 1.0, float64, 20 + axis);
    const FusedBatchNormalization f = fused_batch_normalization(x, axis, offset, scale, 0.01);
    const Moments m = moments(x, others);
    test::expect_all_close(f.mean, m.mean, 1e-12, 1e-12);
    test::expect_all_close(f.variance, m.variance, 1e-12, 1e-12);
    test::expect_all_close(
        f.y, batch_normalization(x, m.mean, m.variance, axis, offset, scale, 0.01), 1e-12, 1e-12);
  }
}

// Large enough to split across threads: the CPU kernels (shifted one-pass statistics, blocked
// gradient sums) against the reference's exact two-pass double loops, both layouts and dtypes,
// forward and backward, with a mean far from zero and with outlying first values.
TEST(FusedBatchNormalization, CpuMatchesReferenceOnLargeTensors) {
  struct Case {
    Shape shape;
    int axis;
    DType dtype = float32;
    double stddev = 2.0;
    bool outlier = false;  // the first value of every channel far out
  };
  for (const Case& k :
       {Case{{64, 9, 9, 48}, -1}, Case{{16, 24, 30, 30}, 1}, Case{{3000, 7}, 0},
        Case{{32, 7, 7, 40}, -1, float64}, Case{{8, 12, 50, 50}, 1, float64},
        Case{{100000, 2}, -1, float32, 1e-3, true}, Case{{4, 2, 40000}, 1, float32, 1e-3, true}}) {
    SCOPED_TRACE(shape_str(k.shape) + (k.dtype == float64 ? " float64" : "") +
                 (k.outlier ? " outlier" : ""));
    Tensor x = random::normal(k.shape, 50.0, k.stddev, k.dtype, /*seed=*/1);
    const int axis = k.axis < 0 ? static_cast<int>(k.shape.size()) - 1 : k.axis;
    const int64_t c = k.shape[static_cast<size_t>(axis)];
    if (k.outlier) {
      // 2000 standard deviations away: the CPU kernel's shift is each channel's first value.
      int64_t inner = 1;
      for (size_t d = static_cast<size_t>(axis) + 1; d < k.shape.size(); ++d) inner *= k.shape[d];
      for (int64_t ch = 0; ch < c; ++ch) x.data<float>()[ch * inner] = 48.0f;
    }
    const Tensor dy = random::normal(k.shape, 0.0, 1.0, k.dtype, 2);
    const Tensor offset = random::normal({c}, 0.0, 1.0, k.dtype, 3);
    const Tensor scale = random::normal({c}, 1.0, 1.0, k.dtype, 4);
    auto run = [&](backend::Backend& be) {
      backend::ScopedBackend use(be);
      autodiff::GradientTape tape;
      tape.watch(x);
      const FusedBatchNormalization r = fused_batch_normalization(x, k.axis, offset, scale);
      Tensors out = tape.gradient(multiply(r.y, dy), {x, offset, scale});
      out.insert(out.begin(), {r.y, r.mean, r.variance});
      return out;
    };
    const Tensors want = run(backend::reference_backend()), got = run(backend::cpu_backend());
    const char* names[] = {"y", "mean", "variance", "dx", "doffset", "dscale"};
    for (size_t i = 0; i < want.size(); ++i) {
      SCOPED_TRACE(names[i]);
      // The statistics relative only: the variance can be far below 1.
      test::expect_all_close(got[i], want[i], 1e-4, i == 1 || i == 2 ? 0.0 : 1e-4);
    }
  }
}

// Empty tensors: no work and no crash on either backend; an empty batch has NaN statistics (as
// moments gives), and the fixed-statistics form returns an empty result.
TEST(FusedBatchNormalization, EmptyTensors) {
  for (backend::Backend* be : {&backend::reference_backend(), &backend::cpu_backend()}) {
    SCOPED_TRACE(be->name());
    backend::ScopedBackend use(*be);
    const FusedBatchNormalization batch = fused_batch_normalization(zeros({0, 3}), -1);
    EXPECT_EQ(shape_str(batch.y.shape()), "(0, 3)");
    for (int64_t c = 0; c < 3; ++c) {
      EXPECT_TRUE(std::isnan(batch.mean.data<float>()[c]));
      EXPECT_TRUE(std::isnan(batch.variance.data<float>()[c]));
    }
    EXPECT_EQ(fused_batch_normalization(zeros({4, 0}), -1).mean.size(), 0);
    EXPECT_EQ(fused_batch_normalization(zeros({2, 3, 0}), 1).y.size(), 0);
    autodiff::GradientTape tape;
    const Tensor x = zeros({2, 3, 0});
    tape.watch(x);
    const Tensor y = batch_normalization(x, zeros({3}), ones({3}), 1);
    EXPECT_EQ(tape.gradient(sum(y), {x})[0].size(), 0);
  }
}

TEST(Moments, ValuesAreTheMeanAndBiasedVariance) {
  const Moments m = moments(test::tensor_of({1, 2, 3, 6, 5, 10}, {3, 2}), {0});
  test::expect_all_close(m.mean, test::tensor_of({3, 6}), 1e-12, 0);
  test::expect_all_close(m.variance, test::tensor_of({8.0 / 3, 32.0 / 3}), 1e-12, 0);
}

TEST(BatchNormalizationOp, ValuesAndErrors) {
  const Tensor x = test::tensor_of({1, 2, 3, 4}, {2, 2});
  const Tensor y = batch_normalization(x, test::tensor_of({1, 2}), test::tensor_of({4, 1}), -1,
                                       test::tensor_of({10, 20}), test::tensor_of({2, 3}), 0.0);
  test::expect_all_close(y, test::tensor_of({10, 20, 12, 26}, {2, 2}), 1e-12, 0);
  EXPECT_THROW(batch_normalization(x, test::tensor_of({1, 2, 3}), test::tensor_of({1, 1}), -1),
               ValueError);
  EXPECT_THROW(batch_normalization(x, test::tensor_of({1, 2}), Tensor(), 0), ValueError);
}

// depth_to_space and space_to_depth are reshapes and transposes: gradients from those.
const OpCase kPixelShuffleCases[] = {
    {.name = "depth_to_space_channels_last",
     .input_shapes = {{2, 2, 3, 8}},
     .fn = [](const Tensors& x) { return depth_to_space(x[0], 2); },
     .expected_shape = Shape{2, 4, 6, 2}},
    {.name = "depth_to_space_channels_first",
     .input_shapes = {{1, 9, 2, 2}},
     .fn = [](const Tensors& x) { return depth_to_space(x[0], 3, "channels_first"); },
     .expected_shape = Shape{1, 1, 6, 6}},
    {.name = "space_to_depth_channels_last",
     .input_shapes = {{1, 4, 6, 2}},
     .fn = [](const Tensors& x) { return space_to_depth(x[0], 2); },
     .expected_shape = Shape{1, 2, 3, 8}},
    {.name = "space_to_depth_channels_first",
     .input_shapes = {{2, 3, 4, 4}},
     .fn = [](const Tensors& x) { return space_to_depth(x[0], 2, "channels_first"); },
     .expected_shape = Shape{2, 12, 2, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(PixelShuffle, kPixelShuffleCases);

// Each pixel's channels become a block: row, column, then channel (TensorFlow's DCR order, which
// Keras's backends follow); space_to_depth undoes it.
TEST(PixelShuffle, BlocksAndInverse) {
  std::vector<float> values(8);
  std::iota(values.begin(), values.end(), 0.0f);
  const Tensor x = Tensor::from_vector(values, {1, 1, 1, 8});
  const Tensor y = depth_to_space(x, 2);  // (1, 2, 2, 2): block (i, j) holds channels 2(2i + j)..
  EXPECT_EQ(y.shape(), (Shape{1, 2, 2, 2}));
  EXPECT_EQ(test::to_doubles(y), (std::vector<double>{0, 1, 2, 3, 4, 5, 6, 7}));
  const Tensor r = random::uniform({2, 3, 2, 12}, -1, 1, float32, 5);
  EXPECT_EQ(test::to_doubles(space_to_depth(depth_to_space(r, 2), 2)), test::to_doubles(r));
  const Tensor c = random::uniform({2, 12, 3, 2}, -1, 1, float32, 6);
  EXPECT_EQ(
      test::to_doubles(space_to_depth(depth_to_space(c, 2, "channels_first"), 2, "channels_first")),
      test::to_doubles(c));
  test::expect_throws_with<ValueError>(
      [&] {
        depth_to_space(zeros({1, 2, 2, 6}), 2);
      },
      "multiple of block_size^2");
  test::expect_throws_with<ValueError>(
      [&] {
        space_to_depth(zeros({1, 3, 2, 1}), 2);
      },
      "multiples of block_size");
  test::expect_throws_with<ValueError>([&] { depth_to_space(zeros({2, 8}), 2); }, "4-D");
}

// multi_hot merges the one-hot encodings over axis 1; ids outside [0, num_classes) set nothing.
TEST(MultiHot, MergesAndIgnoresOutOfRangeIds) {
  const Tensor ids = Tensor::from_vector<int32_t>({0, 2, 2, 5, 1, 7, -1, 3}, {2, 4});
  EXPECT_EQ(test::to_doubles(multi_hot(ids, 6)),
            (std::vector<double>{1, 0, 1, 0, 0, 1, 0, 1, 0, 1, 0, 0}));
  EXPECT_EQ(multi_hot(ids, 6).shape(), (Shape{2, 6}));
  const Tensor one = Tensor::from_vector<int32_t>({3, 1}, {2});
  EXPECT_EQ(test::to_doubles(multi_hot(one, 4)), (std::vector<double>{0, 1, 0, 1}));
  EXPECT_EQ(multi_hot(ids, 6, -1, int32).dtype(), int32);
}

}  // namespace
}  // namespace keras::ops

namespace keras::ops {
namespace {

const test::OpCase kCrossentropyCases[] = {
    {.name = "binary_crossentropy",
     .input_shapes = {{3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return binary_crossentropy(x[0], x[1]); },
     .lo = 0.05,
     .hi = 0.95},
    {.name = "binary_crossentropy_from_logits",
     .input_shapes = {{3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return binary_crossentropy(x[0], x[1], true); }},
    {.name = "categorical_crossentropy_axis_0",
     .input_shapes = {{3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return categorical_crossentropy(x[0], x[1], false, 0); },
     .lo = 0.05,
     .hi = 0.95,
     .expected_shape = Shape{4}},
    {.name = "categorical_crossentropy_from_logits",
     .input_shapes = {{3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return categorical_crossentropy(x[0], x[1], true); },
     .expected_shape = Shape{3}},
    {.name = "sparse_categorical_crossentropy",
     .input_shapes = {{3}, {3, 4}},
     .fn = [](const Tensors& x) { return sparse_categorical_crossentropy(x[0], x[1], true); },
     .lo = 0,
     .hi = 3,
     .input_dtypes = {int32, float32},
     .expected_shape = Shape{3}},
    {.name = "psnr",
     .input_shapes = {{3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return psnr(x[0], x[1], 2.0); },
     .expected_shape = Shape{}},
    {.name = "unfold_padding_dilation_stride",
     .input_shapes = {{2, 3, 5, 6}},
     .fn =
         [](const Tensors& x) {
           return unfold(x[0], {2, 3}, {.dilation = {1, 2}, .padding = {1}, .stride = {2, 1}});
         },
     .expected_shape = Shape{2, 18, 3 * 4}},
    {.name = "fold_overlapping",
     .input_shapes = {{2, 12, 20}},
     .fn =
         [](const Tensors& x) {
           return fold(x[0], {5, 6}, {2});
         },
     .expected_shape = Shape{2, 3, 5, 6}},
    {.name = "fold_padding_stride",
     .input_shapes = {{1, 8, 9}},
     .fn =
         [](const Tensors& x) {
           return fold(x[0], {5, 5}, {2}, {.padding = {1}, .stride = {2}});
         },
     .expected_shape = Shape{1, 2, 5, 5}},
};
KERAS_INSTANTIATE_OP_TESTS(Crossentropy, kCrossentropyCases);

TEST(Crossentropy, OpsGiveKerasValues) {
  const Tensor t = Tensor::from_vector<float>({1, 0}, {1, 2});
  const Tensor p = Tensor::from_vector<float>({0.8f, 0.4f}, {1, 2});
  // keras.ops.binary_crossentropy and categorical_crossentropy (JAX).
  test::expect_all_close(binary_crossentropy(t, p),
                         Tensor::from_vector<float>({0.22314353f, 0.51082563f}, {1, 2}), 1e-6, 0);
  test::expect_all_close(categorical_crossentropy(t, p),
                         Tensor::from_vector<float>({0.4054651f}, {1}), 1e-6, 0);
  test::expect_all_close(sparse_categorical_crossentropy(Tensor::from_vector<int32_t>({0}, {1}), p),
                         Tensor::from_vector<float>({0.4054651f}, {1}), 1e-6, 0);
  test::expect_throws_with<ValueError>(
      [&] {
        binary_crossentropy(t, Tensor::from_vector<float>({0.5f}, {1, 1}));
      },
      "Arguments `target` and `output` must have the same shape");
  test::expect_throws_with<ValueError>(
      [&] {
        sparse_categorical_crossentropy(Tensor::from_vector<int32_t>({0, 1}, {2}), p);
      },
      "must have the same shape up until the last dimension");
  // psnr(x, y, 1) with mse 0.01: 20 log10(1) - 10 log10(0.01) = 20.
  EXPECT_NEAR(test::to_doubles(psnr(p, Tensor::from_vector<float>({0.9f, 0.3f}, {1, 2}), 1.0))[0],
              20.0, 1e-4);
}

TEST(Unfold, MatchesPyTorchOrderAndFoldIsItsAdjoint) {
  // A (1, 2, 3, 3) image of 0..17; unfold with 2x2 blocks: column l = (i, j) block, rows
  // (channel, row, column) of the kernel (torch.nn.functional.unfold's order).
  std::vector<float> v(18);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<float>(i);
  const Tensor x = Tensor::from_vector<float>(v, {1, 2, 3, 3});
  const Tensor u = unfold(x, {2});
  ASSERT_EQ(u.shape(), (Shape{1, 8, 4}));
  const std::vector<double> got = test::to_doubles(u);
  EXPECT_EQ(std::vector<double>(got.begin(), got.begin() + 8),
            (std::vector<double>{0, 1, 3, 4, 1, 2, 4, 5}));  // channel 0, kernel (0,0) and (0,1)
  EXPECT_EQ(got[16], 9);                                     // channel 1, kernel (0,0), block 0
  // fold(unfold(x)) counts each pixel once per block holding it.
  const std::vector<double> twice = test::to_doubles(fold(u, {3, 3}, {2}));
  EXPECT_EQ(twice[4], 4 * 4.0);  // the centre is in all four blocks
  EXPECT_EQ(twice[0], 0.0);
  EXPECT_EQ(twice[1], 2 * 1.0);
  test::expect_throws_with<ValueError>([&] { fold(u, {4, 4}, {2}); }, "does not hold");
  test::expect_throws_with<ValueError>([&] { unfold(x, {4}); }, "does not fit");
}

}  // namespace
}  // namespace keras::ops
