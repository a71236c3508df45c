// Table-driven op tests (in the style of ggml's test-backend-ops and Flashlight's jacobian tests).
//
// Each op family declares its cases once:
//
//   const test::OpCase kCases[] = {
//       {.name = "matmul_3x4_4x2", .input_shapes = {{3, 4}, {4, 2}},
//        .fn = [](const Tensors& x) { return matmul(x[0], x[1]); }},
//   };
//   KERAS_INSTANTIATE_OP_TESTS(Matmul, kCases);
//
// and every case then runs as the parameterized tests
//   Matmul/OpTest.GradientMatchesFiniteDifferences/<name>
//     inputs in float64, uniform in [lo, hi] (fixed seed); loss = sum(fn(x) * r) for a fixed
//     random r; the GradientTape gradient of every differentiable input against central
//     differences (eps 1e-6), |analytic - numeric| <= grad_tol * (1 + |numeric|).
//     Skipped when forward_only or when no input is differentiable.
//   Matmul/OpTest.CpuMatchesReference/<name>
//     inputs in float32; fn (and the gradients of the same loss, unless forward_only) run under
//     the reference backend and under the CPU backend; they must agree within parity_tol relative
//     to the magnitude of the reference result (exactly, for non-floating outputs).
//   Matmul/OpTest.GuardedDeviceMatchesCpu/<name>
//     inputs in float32; fn (and the gradients, unless forward_only) run on the CPU and again on
//     the test-only guarded device (harness/guarded_device.h, the CPU's kernels behind memory
//     that host code cannot read), with the global generator in the same state: the outputs
//     stay on the guarded device and agree bit for bit.
//   Matmul/OpTest.ShapeIsConsistent/<name>
//     the output shape is the same in float32 and float64 and equals expected_shape (and the
//     dtype expected_dtype) when given; gradients come back with their input's shape and dtype.
//
// Inputs: input i has dtype input_dtypes[i] (float32 when not given). Floating inputs are
// "working precision": float64 in the gradient check, float32 otherwise. Integer inputs are uniform
// integers in [lo, hi]; bool inputs are random. make_inputs, when set, replaces the random inputs
// (its floating tensors are converted to the working precision; others are used as they are).
#pragma once

#include <gtest/gtest.h>

#include <functional>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "harness/tensor_matchers.h"
#include "keras/core/tensor.h"

namespace keras::test {

struct OpCase {
  std::string name{};  // letters, digits and '_' (used as the gtest parameter name)
  std::vector<Shape> input_shapes{};
  std::function<Tensor(const Tensors&)> fn{};
  double lo = -2, hi = 2;  // input range
  double grad_tol = 1e-6;
  double parity_tol = 1e-5;
  bool forward_only = false;
  std::vector<DType> input_dtypes{};           // default float
  std::vector<bool> differentiable{};          // per input, default all (floating) inputs
  std::function<Tensors(void)> make_inputs{};  // optional custom inputs (e.g. int indices)
  std::optional<Shape> expected_shape{};       // checked by ShapeIsConsistent when set
  std::optional<DType> expected_dtype{};       // for float32 working precision, when set
};

// gtest prints parameters on failure; OpCase holds std::functions, so print its name and shapes.
void PrintTo(const OpCase& c, std::ostream* os);

// Parameter names for the generated tests (the case's name, sanitized to [A-Za-z0-9_]).
std::string op_case_name(const ::testing::TestParamInfo<OpCase>& info);

// The inputs a case runs on, with floating inputs in `float_dtype` (fresh tensors every call).
Tensors make_case_inputs(const OpCase& c, DType float_dtype);

// A make_inputs that draws floating inputs of `shapes` uniformly in [lo, hi] but keeps every value
// at least `margin` away from each of `kinks` (points where the op is not differentiable), so
// finite differences never straddle one. Deterministic.
std::function<Tensors(void)> inputs_away_from(std::vector<Shape> shapes,
                                              std::vector<double> kinks,
                                              double lo,
                                              double hi,
                                              double margin = 0.1);

// The fixture of the generated tests (the tests themselves are defined in op_case.cpp).
class OpTest : public ::testing::TestWithParam<OpCase> {};

}  // namespace keras::test

// Instantiates OpTest.{GradientMatchesFiniteDifferences, CpuMatchesReference,
// GuardedDeviceMatchesCpu, ShapeIsConsistent} for every case of `cases` (a C array or a container
// of OpCase), named Suite/OpTest.<Test>/<case>.
#define KERAS_INSTANTIATE_OP_TESTS(Suite, cases) \
  using OpTest = ::keras::test::OpTest;          \
  INSTANTIATE_TEST_SUITE_P(Suite, OpTest, ::testing::ValuesIn(cases), ::keras::test::op_case_name)
