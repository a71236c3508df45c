// keras/ops/activations.h: every op through the op harness (float64 gradients, CPU vs reference,
// guarded device, shapes), and against real Keras's values (tests/goldens/activation_goldens.h,
// float64, tools/fixtures/make_activation_goldens.py).
#include "keras/ops/activations.h"

#include <gtest/gtest.h>

#include <cmath>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "goldens/activation_goldens.h"
#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/backend/backend.h"
#include "keras/ops/nn.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

using test::inputs_away_from;
using test::OpCase;
namespace g = keras::goldens;

const Shape kS = {3, 4};

const OpCase kCases[] = {
    {.name = "mish",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return mish(x[0]); },
     .lo = -4,
     .hi = 4},
    {.name = "celu",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return celu(x[0], 1.5); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -3, 3)},
    {.name = "celu_negative_alpha",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return celu(x[0], -0.5); },
     .make_inputs = inputs_away_from({kS}, {0.0}, -3, 3)},
    {.name = "squareplus",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return squareplus(x[0], 2.0); },
     .lo = -4,
     .hi = 4},
    {.name = "sparse_plus",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return sparse_plus(x[0]); },
     .make_inputs = inputs_away_from({kS}, {-1.0, 1.0}, -3, 3)},
    {.name = "sparse_sigmoid",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return sparse_sigmoid(x[0]); },
     .make_inputs = inputs_away_from({kS}, {-1.0, 1.0}, -3, 3)},
    {.name = "tanh_shrink",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return tanh_shrink(x[0]); },
     .lo = -3,
     .hi = 3},
    {.name = "soft_shrink",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return soft_shrink(x[0], 0.7); },
     .make_inputs = inputs_away_from({kS}, {-0.7, 0.7}, -3, 3)},
    {.name = "hard_shrink",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return hard_shrink(x[0], 0.7); },
     .make_inputs = inputs_away_from({kS}, {-0.7, 0.7}, -3, 3)},
    {.name = "threshold",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return threshold(x[0], 0.3, -2.0); },
     .make_inputs = inputs_away_from({kS}, {0.3}, -3, 3)},
    {.name = "hard_tanh",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return hard_tanh(x[0]); },
     .make_inputs = inputs_away_from({kS}, {-1.0, 1.0}, -3, 3)},
    {.name = "glu_last",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return glu(x[0]); },
     .expected_shape = Shape{3, 2}},
    {.name = "glu_axis0",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return glu(x[0], 0); },
     .expected_shape = Shape{2, 3}},
    // Random inputs have no ties and, with probability 1, no entry on a kink of the piecewise
    // linear map, so finite differences hold.
    {.name = "sparsemax_last",
     .input_shapes = {{3, 5}},
     .fn = [](const Tensors& x) { return sparsemax(x[0]); },
     .lo = -1,
     .hi = 1},
    {.name = "sparsemax_axis1",
     .input_shapes = {{2, 6, 3}},
     .fn = [](const Tensors& x) { return sparsemax(x[0], 1); },
     .lo = -1,
     .hi = 1},
    {.name = "relu_all_arguments",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return activations::relu(x[0], 0.1, 2.0, 0.3); },
     .make_inputs = inputs_away_from({kS}, {0.3, 2.0}, -3, 3)},
    {.name = "relu_max_6",
     .input_shapes = {kS},
     .fn = [](const Tensors& x) { return activations::relu(x[0], 0.2, 6.0); },
     .make_inputs = inputs_away_from({kS}, {0.0, 6.0}, -3, 8)},
};
KERAS_INSTANTIATE_OP_TESTS(ActivationOps, kCases);

Tensor x_golden(DType dtype = float64) {
  return test::tensor_of(std::vector<double>(std::begin(g::kActX2), std::end(g::kActX2)),
                         {static_cast<int64_t>(std::size(g::kActX2))}, dtype);
}

Tensor rows_golden() {
  return test::tensor_of(std::vector<double>(std::begin(g::kActRows), std::end(g::kActRows)),
                         {4, 5});
}

template <size_t N>
Tensor want(const double (&values)[N], Shape shape, DType dtype = float64) {
  return test::tensor_of(std::vector<double>(std::begin(values), std::end(values)),
                         std::move(shape), dtype);
}

TEST(ActivationOpsGoldens, ElementwiseMatchKerasOnBothBackends) {
  const int64_t n = static_cast<int64_t>(std::size(g::kActX2));
  const std::vector<
      std::pair<std::string, std::pair<std::function<Tensor(const Tensor&)>, const double*>>>
      cases = {
          {"mish", {activations::get("mish"), g::kAct2_mish}},
          {"celu", {activations::get("celu"), g::kAct2_celu}},
          {"celu_alpha_2", {[](const Tensor& x) { return celu(x, 2.0); }, g::kAct2_celu_alpha_2}},
          {"squareplus", {activations::get("squareplus"), g::kAct2_squareplus}},
          {"squareplus_b_1",
           {[](const Tensor& x) { return squareplus(x, 1.0); }, g::kAct2_squareplus_b_1}},
          {"sparse_plus", {activations::get("sparse_plus"), g::kAct2_sparse_plus}},
          {"sparse_sigmoid", {activations::get("sparse_sigmoid"), g::kAct2_sparse_sigmoid}},
          {"tanh_shrink", {activations::get("tanh_shrink"), g::kAct2_tanh_shrink}},
          {"soft_shrink", {activations::get("soft_shrink"), g::kAct2_soft_shrink}},
          {"soft_shrink_1",
           {[](const Tensor& x) { return soft_shrink(x, 1.2); }, g::kAct2_soft_shrink_1}},
          {"hard_shrink", {activations::get("hard_shrink"), g::kAct2_hard_shrink}},
          {"hard_shrink_1",
           {[](const Tensor& x) { return hard_shrink(x, 1.2); }, g::kAct2_hard_shrink_1}},
          {"threshold",
           {[](const Tensor& x) { return threshold(x, 0.3, -2.0); }, g::kAct2_threshold}},
          {"hard_tanh", {activations::get("hard_tanh"), g::kAct2_hard_tanh}},
          {"log_sigmoid", {activations::get("log_sigmoid"), g::kAct2_log_sigmoid}},
          {"relu6", {activations::get("relu6"), g::kAct2_relu6}},
          {"leaky_relu", {activations::get("leaky_relu"), g::kAct2_leaky_relu}},
          {"hard_silu", {activations::get("hard_swish"), g::kAct2_hard_silu}},
          {"gelu_approximate",
           {[](const Tensor& x) { return gelu(x, true); }, g::kAct2_gelu_approximate}},
          {"relu_all",
           {[](const Tensor& x) { return activations::relu(x, 0.1, 2.0, 0.3); },
            g::kAct2_relu_all}},
          {"relu_threshold",
           {[](const Tensor& x) { return activations::relu(x, 0.0, std::nullopt, 0.3); },
            g::kAct2_relu_threshold}},
          {"relu_max",
           {[](const Tensor& x) { return activations::relu(x, 0.0, 0.7); }, g::kAct2_relu_max}},
          {"relu_slope_max",
           {[](const Tensor& x) { return activations::relu(x, 0.2, 0.7); },
            g::kAct2_relu_slope_max}},
      };
  for (backend::Backend* be : {&backend::reference_backend(), &backend::cpu_backend()}) {
    backend::ScopedBackend scope(*be);
    for (const auto& [name, c] : cases) {
      SCOPED_TRACE(name + " on " + be->name());
      const std::vector<double> values(c.second, c.second + n);
      // float64 throughout: only rounding differences (a few ulps through exp, tanh, sqrt).
      test::expect_all_close(c.first(x_golden()), test::tensor_of(values, {n}), 1e-12, 1e-15);
      // float32: Keras's float64 values rounded, plus float32 rounding in the op chain.
      test::expect_all_close(c.first(x_golden(float32)), test::tensor_of(values, {n}, float32),
                             2e-6, 1e-6);
    }
  }
}

TEST(ActivationOpsGoldens, RowwiseMatchKeras) {
  for (backend::Backend* be : {&backend::reference_backend(), &backend::cpu_backend()}) {
    backend::ScopedBackend scope(*be);
    SCOPED_TRACE(be->name());
    const Tensor x = rows_golden();
    // kActRows has ties (0.3, 0.3; 0.2, 0.2) and an all-zero row: the stable tie-break matters.
    test::expect_all_close(activations::get("sparsemax")(x), want(g::kAct2_sparsemax, {4, 5}),
                           1e-12, 1e-15);
    test::expect_all_close(sparsemax(x, 0), want(g::kAct2_sparsemax_axis0, {4, 5}), 1e-12, 1e-15);
    test::expect_all_close(activations::get("glu")(slice_axis(x, 1, 0, 4)),
                           want(g::kAct2_glu, {4, 2}), 1e-12, 1e-15);
    test::expect_all_close(glu(x, 0), want(g::kAct2_glu_axis0, {2, 5}), 1e-12, 1e-15);
  }
}

TEST(ActivationOps, ErrorsUseKerasWords) {
  test::expect_throws_with<ValueError>(
      [] {
        glu(test::tensor_of({1, 2, 3}));
      },
      "axis size must be divisible by 2");
  test::expect_throws_with<ValueError>([] { activations::get("threshold"); },
                                       "needs its arguments `threshold` and `default_value`");
  test::expect_throws_with<ValueError>([] { celu(test::tensor_of({1}), 0.0); }, "alpha");
}

// NaN through the relu family as Keras 3 (JAX and TensorFlow alike) gives it: relu and relu6
// keep it (max(x, 0)), and so do max_value's clip and the leaky slope; the threshold's
// where(x > threshold, x, 0) gives 0. The gradients at NaN are 0.
TEST(ActivationOps, ReluKeepsNaNAsKeras) {
  const double nan = std::nan("");
  const Tensor x = test::tensor_of({nan, -1, 2, 7}, {4}, float32);
  auto expect = [](const Tensor& got, const std::vector<double>& want) {  // NaN matches NaN
    test::expect_all_close(got, test::tensor_of(want, got.shape(), got.dtype()), 1e-6, 0);
  };
  expect(relu(x), {nan, 0, 2, 7});
  expect(relu6(x), {nan, 0, 2, 6});
  expect(leaky_relu(x, 0.2), {nan, -0.2, 2, 7});
  expect(activations::relu(x, 0.0, 3.0), {nan, 0, 2, 3});
  expect(activations::relu(x, 0.1, 3.0), {nan, -0.1, 2, 3});
  expect(activations::relu(x, 0.0, std::nullopt, 1.0), {0, 0, 2, 7});
  auto gradient = [&](Tensor (*f)(const Tensor&)) {
    const Tensor v = x.clone();
    autodiff::GradientTape tape;
    tape.watch(v);
    return tape.gradient(sum(f(v)), {v})[0];
  };
  expect(gradient(+[](const Tensor& t) { return relu(t); }), {0, 0, 1, 1});
  expect(gradient(+[](const Tensor& t) { return relu6(t); }), {0, 0, 1, 0});
}

TEST(ActivationOps, IntegerInputsComputeInFloat32) {
  const Tensor x = test::tensor_of({-2, 0, 3}, {3}, int32);
  EXPECT_EQ(mish(x).dtype(), float32);
  EXPECT_EQ(hard_tanh(x).dtype(), float32);
  EXPECT_EQ(sparsemax(x).dtype(), float32);
}

}  // namespace
}  // namespace keras::ops
