#include "keras/ops/elementwise.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <numbers>
#include <numeric>
#include <optional>
#include <tuple>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/ops/linalg.h"
#include "keras/ops/nn.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/ops/sort.h"

namespace keras::ops {
namespace {

using backend::UnaryOp;
using test::OpCase;

using BinaryFn = Tensor (*)(const Tensor&, const Tensor&);

struct NamedBinary {
  const char* name;
  BinaryFn fn;
  double lo, hi;  // input range (positive where the op needs it)
};

struct BroadcastPattern {
  const char* name;
  Shape a, b, out;
};

// The broadcasting patterns every differentiable binary op is checked on.
const BroadcastPattern kPatterns[] = {
    {"same_2x3", {2, 3}, {2, 3}, {2, 3}},        {"2x3_row3", {2, 3}, {3}, {2, 3}},
    {"row3_2x3", {3}, {2, 3}, {2, 3}},           {"2x3_col2x1", {2, 3}, {2, 1}, {2, 3}},
    {"col2x1_2x3", {2, 1}, {2, 3}, {2, 3}},      {"2x3_scalar", {2, 3}, {}, {2, 3}},
    {"scalar_2x3", {}, {2, 3}, {2, 3}},          {"2x1x4_3x1", {2, 1, 4}, {3, 1}, {2, 3, 4}},
    {"1x3_2x1", {1, 3}, {2, 1}, {2, 3}},         {"scalar_scalar", {}, {}, {}},
    {"2x3x4_1x4", {2, 3, 4}, {1, 4}, {2, 3, 4}},
};

std::vector<OpCase> binary_cases() {
  const NamedBinary ops[] = {
      {"add", add, -2, 2},        {"subtract", subtract, -2, 2}, {"multiply", multiply, -2, 2},
      {"divide", divide, 0.5, 2}, {"maximum", maximum, -2, 2},   {"minimum", minimum, -2, 2},
      {"power", power, 0.5, 2},
  };
  std::vector<OpCase> cases;
  for (const NamedBinary& op : ops) {
    for (const BroadcastPattern& p : kPatterns) {
      cases.push_back({.name = std::string(op.name) + "_" + p.name,
                       .input_shapes = {p.a, p.b},
                       .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], x[1]); },
                       .lo = op.lo,
                       .hi = op.hi,
                       .expected_shape = p.out,
                       .expected_dtype = float32});
    }
  }
  // The same input used twice: the gradient accumulates.
  cases.push_back({.name = "multiply_self", .input_shapes = {{2, 3}}, .fn = [](const Tensors& x) {
                     return multiply(x[0], x[0]);
                   }});
  cases.push_back({.name = "divide_self_plus",
                   .input_shapes = {{4}},
                   .fn = [](const Tensors& x) { return divide(x[0], add(x[0], 3.0)); },
                   .lo = 0.5});
  // Operators.
  cases.push_back(
      {.name = "operators",
       .input_shapes = {{2, 3}, {3}},
       .fn = [](const Tensors& x) { return (x[0] + x[1]) * x[0] - x[1] / add(x[0], 3.0); },
       .lo = 0.5});
  cases.push_back({.name = "unary_minus", .input_shapes = {{2, 2}}, .fn = [](const Tensors& x) {
                     return -x[0];
                   }});
  return cases;
}

const std::vector<OpCase> kBinaryCases = binary_cases();
KERAS_INSTANTIATE_OP_TESTS(Binary, kBinaryCases);

// Tensor-scalar overloads.
const OpCase kScalarCases[] = {
    {.name = "add_scalar",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return add(x[0], 1.5); }},
    {.name = "subtract_scalar",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return subtract(x[0], 0.5); }},
    {.name = "scalar_subtract",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return subtract(2.0, x[0]); }},
    {.name = "multiply_scalar",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return multiply(x[0], -1.5); }},
    {.name = "divide_scalar",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return divide(x[0], 4.0); }},
    {.name = "scalar_divide",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return divide(3.0, x[0]); },
     .lo = 0.5},
    {.name = "maximum_scalar",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return maximum(x[0], 0.25); },
     .make_inputs = test::inputs_away_from({{2, 3}}, {0.25}, -2, 2)},
    {.name = "minimum_scalar",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return minimum(x[0], -0.25); },
     .make_inputs = test::inputs_away_from({{2, 3}}, {-0.25}, -2, 2)},
    {.name = "power_scalar_3",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return power(x[0], 3.0); }},
    {.name = "power_scalar_half",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return power(x[0], 0.5); },
     .lo = 0.5,
     .hi = 3},
    {.name = "power_scalar_neg",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return power(x[0], -1.5); },
     .lo = 0.5,
     .hi = 3},
    {.name = "power_scalar_2_of_negative",
     .input_shapes = {{5}},
     .fn = [](const Tensors& x) { return power(x[0], 2.0); },
     .lo = -3,
     .hi = -0.5},
};
KERAS_INSTANTIATE_OP_TESTS(ScalarOperand, kScalarCases);

// Mixed dtypes promote as in Keras; integer results are not differentiable.
const OpCase kPromotionCases[] = {
    {.name = "add_int32_float32",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return add(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32, float32},
     .expected_dtype = float32},
    {.name = "multiply_float32_int64_broadcast",
     .input_shapes = {{2, 3}, {3}},
     .fn = [](const Tensors& x) { return multiply(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {float32, int64},
     .expected_shape = Shape{2, 3},
     .expected_dtype = float32},
    {.name = "add_int32_int32",
     .input_shapes = {{2, 3}, {2, 1}},
     .fn = [](const Tensors& x) { return add(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32, int32},
     .expected_dtype = int32},
    {.name = "subtract_int32_int64",
     .input_shapes = {{2, 3}, {3}},
     .fn = [](const Tensors& x) { return subtract(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32, int64},
     .expected_dtype = int64},
    {.name = "multiply_uint8_int32",
     .input_shapes = {{4}, {4}},
     .fn = [](const Tensors& x) { return multiply(x[0], x[1]); },
     .lo = 0,
     .hi = 9,
     .forward_only = true,
     .input_dtypes = {uint8, int32},
     .expected_dtype = int32},
    {.name = "add_bool_float32",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return add(x[0], x[1]); },
     .forward_only = true,
     .input_dtypes = {bool_, float32},
     .expected_dtype = float32},
    {.name = "divide_int32_int32_is_true_division",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return divide(x[0], x[1]); },
     .lo = 1,
     .hi = 7,
     .forward_only = true,
     .input_dtypes = {int32, int32},
     .expected_dtype = float32},
    {.name = "maximum_int32_int32",
     .input_shapes = {{2, 3}, {3}},
     .fn = [](const Tensors& x) { return maximum(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32, int32},
     .expected_dtype = int32},
    {.name = "minimum_int64_float32",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return minimum(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int64, float32},
     .expected_dtype = float32},
    {.name = "power_int32_int32",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return power(x[0], x[1]); },
     .lo = 0,
     .hi = 4,
     .forward_only = true,
     .input_dtypes = {int32, int32},
     .expected_dtype = int32},
    {.name = "add_int32_scalar",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return add(x[0], 2.0); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_dtype = int32},
    // A float64 operand promotes a float32 one; the gradient flows back through the cast.
    {.name = "add_float32_float64",
     .input_shapes = {{2, 3}, {3}},
     .fn = [](const Tensors& x) { return add(cast(x[0], float32), cast(x[1], float64)); },
     .forward_only = true,
     .expected_dtype = float64},
};
KERAS_INSTANTIATE_OP_TESTS(Promotion, kPromotionCases);

// Comparisons and logic: bool outputs, forward only.
std::vector<OpCase> comparison_cases() {
  const NamedBinary ops[] = {
      {"equal", equal, 0, 2},
      {"not_equal", not_equal, 0, 2},
      {"less", less, 0, 2},
      {"less_equal", less_equal, 0, 2},
      {"greater", greater, 0, 2},
      {"greater_equal", greater_equal, 0, 2},
      {"logical_and", logical_and, 0, 1},
      {"logical_or", logical_or, 0, 1},
  };
  std::vector<OpCase> cases;
  for (const NamedBinary& op : ops) {
    // Small integers, so equal elements occur.
    cases.push_back({.name = std::string(op.name) + "_int32_2x3_row3",
                     .input_shapes = {{2, 3}, {3}},
                     .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], x[1]); },
                     .lo = op.lo,
                     .hi = op.hi,
                     .forward_only = true,
                     .input_dtypes = {int32, int32},
                     .expected_shape = Shape{2, 3},
                     .expected_dtype = bool_});
    cases.push_back({.name = std::string(op.name) + "_float_2x1x4_3x1",
                     .input_shapes = {{2, 1, 4}, {3, 1}},
                     .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], x[1]); },
                     .forward_only = true,
                     .expected_shape = Shape{2, 3, 4},
                     .expected_dtype = bool_});
    cases.push_back({.name = std::string(op.name) + "_int32_float",
                     .input_shapes = {{2, 3}, {2, 1}},
                     .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], x[1]); },
                     .forward_only = true,
                     .input_dtypes = {int32, float32},
                     .expected_shape = Shape{2, 3},
                     .expected_dtype = bool_});
  }
  cases.push_back({.name = "logical_and_bool",
                   .input_shapes = {{2, 3}, {2, 3}},
                   .fn = [](const Tensors& x) { return logical_and(x[0], x[1]); },
                   .forward_only = true,
                   .input_dtypes = {bool_, bool_},
                   .expected_dtype = bool_});
  cases.push_back({.name = "logical_or_bool_broadcast",
                   .input_shapes = {{2, 3}, {2, 1}},
                   .fn = [](const Tensors& x) { return logical_or(x[0], x[1]); },
                   .forward_only = true,
                   .input_dtypes = {bool_, bool_},
                   .expected_shape = Shape{2, 3},
                   .expected_dtype = bool_});
  cases.push_back({.name = "logical_not_bool",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return logical_not(x[0]); },
                   .forward_only = true,
                   .input_dtypes = {bool_},
                   .expected_dtype = bool_});
  cases.push_back({.name = "logical_not_float",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return logical_not(x[0]); },
                   .forward_only = true,
                   .expected_dtype = bool_});
  cases.push_back({.name = "greater_scalar",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return greater(x[0], 0.5); },
                   .forward_only = true,
                   .expected_dtype = bool_});
  return cases;
}

const std::vector<OpCase> kComparisonCases = comparison_cases();
KERAS_INSTANTIATE_OP_TESTS(Comparison, kComparisonCases);

const OpCase kWhereCases[] = {
    {.name = "where_same_shape",
     .input_shapes = {{2, 3}, {2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return where(x[0], x[1], x[2]); },
     .input_dtypes = {bool_, float32, float32},
     .differentiable = {false, true, true},
     .expected_shape = Shape{2, 3}},
    {.name = "where_broadcast_b_row",
     .input_shapes = {{2, 3}, {2, 3}, {3}},
     .fn = [](const Tensors& x) { return where(x[0], x[1], x[2]); },
     .input_dtypes = {bool_, float32, float32},
     .differentiable = {false, true, true},
     .expected_shape = Shape{2, 3}},
    {.name = "where_broadcast_cond_column_scalar_b",
     .input_shapes = {{2, 1}, {3}, {}},
     .fn = [](const Tensors& x) { return where(x[0], x[1], x[2]); },
     .input_dtypes = {bool_, float32, float32},
     .differentiable = {false, true, true},
     .expected_shape = Shape{2, 3}},
    {.name = "where_cond_from_comparison",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return where(greater(x[0], x[1]), x[0], multiply(x[1], 2.0)); },
     .expected_shape = Shape{2, 3}},
    {.name = "where_int_cond",
     .input_shapes = {{2, 3}, {2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return where(x[0], x[1], x[2]); },
     .lo = 0,
     .hi = 1,
     .input_dtypes = {int32, float32, float32},
     .differentiable = {false, true, true}},
    {.name = "where_int_values",
     .input_shapes = {{2, 3}, {2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return where(x[0], x[1], x[2]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {bool_, int32, int32},
     .expected_dtype = int32},
};
KERAS_INSTANTIATE_OP_TESTS(Where, kWhereCases);

const OpCase kUnaryCases[] =
    {
        {.name = "negative",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return negative(x[0]); }},
        {.name = "abs",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return abs(x[0]); },
         .make_inputs = test::inputs_away_from({{2, 3}}, {0.0}, -2, 2)},
        {.name = "sign",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return sign(x[0]); },
         .make_inputs = test::inputs_away_from({{2, 3}}, {0.0}, -2, 2)},
        {.name = "square",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return square(x[0]); }},
        {.name = "sqrt",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return sqrt(x[0]); },
         .lo = 0.2,
         .hi = 4},
        {.name = "exp", .input_shapes = {{2, 3}}, .fn = [](const Tensors& x) { return exp(x[0]); }},
        {.name = "log",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return log(x[0]); },
         .lo = 0.2,
         .hi = 4},
        {.name = "log1p",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return log1p(x[0]); },
         .lo = -0.7,
         .hi = 3},
        {.name = "reciprocal_positive",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return reciprocal(x[0]); },
         .lo = 0.3,
         .hi = 3},
        {.name = "reciprocal_negative",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return reciprocal(x[0]); },
         .lo = -3,
         .hi = -0.3},
        {.name = "floor",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return floor(x[0]); },
         .lo = -3,
         .hi = 3},
        {.name = "round",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return round(x[0]); },
         .lo = -3,
         .hi = 3},
        {.name = "sin",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return sin(x[0]); },
         .lo = -2,
         .hi = 2},
        {.name = "cos",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return cos(x[0]); },
         .lo = -2,
         .hi = 2},
        {.name = "tan",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return tan(x[0]); },
         .lo = -1.2,
         .hi = 1.2},
        {.name = "arcsin",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return arcsin(x[0]); },
         .lo = -0.9,
         .hi = 0.9},
        {.name = "arccos",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return arccos(x[0]); },
         .lo = -0.9,
         .hi = 0.9},
        {.name = "arctan",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return arctan(x[0]); },
         .lo = -3,
         .hi = 3},
        {.name = "sinh",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return sinh(x[0]); },
         .lo = -2,
         .hi = 2},
        {.name = "cosh",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return cosh(x[0]); },
         .lo = -2,
         .hi = 2},
        {.name = "arcsinh",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return arcsinh(x[0]); },
         .lo = -3,
         .hi = 3},
        {.name = "arccosh",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return arccosh(x[0]); },
         .lo = 1.2,
         .hi = 3},
        {.name = "arctanh",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return arctanh(x[0]); },
         .lo = -0.9,
         .hi = 0.9},
        {.name = "expm1",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return expm1(x[0]); },
         .lo = -2,
         .hi = 2},
        {.name = "log2",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return log2(x[0]); },
         .lo = 0.2,
         .hi = 4},
        {.name = "log10",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return log10(x[0]); },
         .lo = 0.2,
         .hi = 4},
        {.name = "exp2",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return exp2(x[0]); },
         .lo = -2,
         .hi = 2},
        {.name = "erf",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return erf(x[0]); },
         .lo = -2,
         .hi = 2},
        {.name = "ceil",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return ceil(x[0]); },
         .make_inputs = test::inputs_away_from({{2, 3}}, {-2, -1, 0, 1, 2}, -2.5, 2.5)},
        {.name = "trunc",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return trunc(x[0]); },
         .make_inputs = test::inputs_away_from({{2, 3}}, {-2, -1, 0, 1, 2}, -2.5, 2.5)},
        {.name = "mod_tensor",
         .input_shapes = {{2, 3}, {2, 3}},
         .fn = [](const Tensors& x) { return mod(x[0], add(abs(x[1]), 1.3)); },
         .lo = 0.1,
         .hi = 0.9},
        {.name = "mod_constant",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return mod(x[0], -2.5); },
         .lo = 0.2,
         .hi = 2.3},
        {.name = "floor_divide_zero_gradient",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return floor_divide(x[0], 0.7); },
         .make_inputs = test::inputs_away_from({{2, 3}}, {-1.4, -0.7, 0.0, 0.7, 1.4}, -2, 2)},
        {.name = "var_axis",
         .input_shapes = {{3, 4}},
         .fn = [](const Tensors& x) { return var(x[0], {1}); }},
        {.name = "std_all_keepdims",
         .input_shapes = {{3, 4}},
         .fn = [](const Tensors& x) { return std(x[0], {}, true); },
         .expected_shape = Shape{1, 1}},
        {.name = "amax_axis",
         .input_shapes = {{3, 4}},
         .fn = [](const Tensors& x) { return amax(x[0], {0}); }},
        {.name = "swapaxes",
         .input_shapes = {{2, 3, 4}},
         .fn = [](const Tensors& x) { return swapaxes(x[0], 0, -1); },
         .expected_shape = Shape{4, 3, 2}},
        {.name = "moveaxis",
         .input_shapes = {{2, 3, 4, 5}},
         .fn =
             [](const Tensors& x) {
               return moveaxis(x[0], {0, 1}, {-1, 0});
             },
         .expected_shape = Shape{3, 4, 5, 2}},
        {.name = "tril",
         .input_shapes = {{2, 3, 4}},
         .fn = [](const Tensors& x) { return tril(x[0], 1); }},
        {.name = "triu",
         .input_shapes = {{3, 4}},
         .fn = [](const Tensors& x) { return triu(x[0], -1); }},
        {.name = "flip",
         .input_shapes = {{2, 3, 4}},
         .fn =
             [](const Tensors& x) {
               return flip(x[0], {0, 2});
             }},
        {.name = "roll",
         .input_shapes = {{2, 3, 4}},
         .fn =
             [](const Tensors& x) {
               return roll(x[0], {1, -3}, {1, 2});
             }},
        {.name = "roll_flat",
         .input_shapes = {{3, 4}},
         .fn = [](const Tensors& x) { return roll(x[0], {5}); }},
        {.name = "take_axis",
         .input_shapes = {{2, 3, 4}},
         .fn =
             [](const Tensors& x) {
               return take(x[0], Tensor::from_vector<int32_t>({2, 0, 0, 1}, {2, 2}), 1);
             },
         .expected_shape = Shape{2, 2, 2, 4}},
        {.name = "tile",
         .input_shapes = {{2, 3}},
         .fn =
             [](const Tensors& x) {
               return tile(x[0], {2, 1, 2});
             },
         .expected_shape = Shape{2, 2, 6}},
        {.name = "sort",
         .input_shapes = {{3, 5}},
         .fn = [](const Tensors& x) { return sort(x[0]); }},
        {.name = "sort_axis0",
         .input_shapes = {{4, 2, 3}},
         .fn = [](const Tensors& x) { return sort(x[0], 0); }},
        {.name = "top_k",
         .input_shapes = {{2, 3, 6}},
         .fn = [](const Tensors& x) { return top_k(x[0], 4).first; },
         .expected_shape = Shape{2, 3, 4}},
        {.name = "take_along_axis",
         .input_shapes = {{2, 1, 4}},
         .fn =
             [](const Tensors& x) {
               const Tensor idx = Tensor::from_vector<int32_t>({3, -1, 0, 2, 1, 1}, {1, 3, 2});
               return take_along_axis(x[0], idx, 2);
             },
         .expected_shape = Shape{2, 3, 2}},
        {.name = "take_along_flat",
         .input_shapes = {{2, 3}},
         .fn =
             [](const Tensors& x) {
               return take_along_axis(x[0], Tensor::from_vector<int64_t>({5, 0, 5}, {3}),
                                      std::nullopt);
             },
         .expected_shape = Shape{3}},
        {.name = "cbrt",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return cbrt(x[0]); },
         .lo = 0.3,
         .hi = 2.0},
        {.name = "erfc_sinc_deg2rad",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return add(add(erfc(x[0]), sinc(x[0])), deg2rad(x[0])); }},
        {.name = "hypot_divide_no_nan",
         .input_shapes = {{2, 3}, {2, 3}},
         .fn = [](const Tensors& x) { return add(hypot(x[0], x[1]), divide_no_nan(x[0], x[1])); },
         .lo = 0.5,
         .hi = 2.0},
        {.name = "ptp_diff",
         .input_shapes = {{3, 5}},
         .fn = [](const Tensors& x) { return add(diff(x[0], 2), ptp(x[0], {1}, true)); },
         .expected_shape = Shape{3, 3}},
        {.name = "diagonal_trace",
         .input_shapes = {{2, 3, 4}},
         .fn =
             [](const Tensors& x) {
               return add(diagonal(x[0], 1, 1, 2), expand_dims(trace(x[0], -1, 2, 1), -1));
             },
         .expected_shape = Shape{2, 3}},
        {.name = "fmod",
         .input_shapes = {{2, 3}, {2, 3}},
         .fn = [](const Tensors& x) { return fmod(x[0], add(x[1], 2.0)); },
         .make_inputs = test::inputs_away_from({{2, 3}, {2, 3}}, {0.0}, -1.0, 1.0)},
        {.name = "arctan2_logaddexp2",
         .input_shapes = {{2, 3}, {2, 3}},
         .fn = [](const Tensors& x) { return add(arctan2(x[0], x[1]), logaddexp2(x[0], x[1])); },
         .make_inputs = test::inputs_away_from({{2, 3}, {2, 3}}, {0.0}, -2.0, 2.0, 0.3)},
        {.name = "fmax_fmin",
         .input_shapes = {{2, 3}, {1, 3}},
         .fn =
             [](const Tensors& x) {
               return add(multiply(fmax(x[0], x[1]), 2.0), fmin(x[1], x[0]));
             }},
        {.name = "nan_reductions",
         .input_shapes = {{2, 3, 4}},
         .fn =
             [](const Tensors& x) {
               const Tensor s = add(nansum(x[0], {1}), nanmean(x[0], {1}));
               return add(add(s, nanmax(x[0], {1})), add(nanmin(x[0], {1}), nanprod(x[0], {1})));
             },
         .expected_shape = Shape{2, 4}},
        {.name = "quantile_median",
         .input_shapes = {{3, 5}},
         .fn =
             [](const Tensors& x) {
               const Tensor q = Tensor::from_vector<double>({0.3, 0.75}, {2});
               return add(quantile(x[0], q, {1}), median(x[0], {1}));
             },
         .expected_shape = Shape{2, 3}},
        {.name = "percentile_methods",
         .input_shapes = {{2, 3, 4}},
         .fn =
             [](const Tensors& x) {
               Tensor y = percentile(x[0], 40.0, {0, 2}, "midpoint", true);
               for (const char* m : {"lower", "higher", "nearest", "inverted_cdf", "linear"}) {
                 y = add(y, quantile(x[0], 0.4, {0, 2}, m, true));
               }
               return y;
             },
         .expected_shape = Shape{1, 3, 1}},
        {.name = "tensordot_pairs",
         .input_shapes = {{2, 3, 4}, {4, 3, 5}},
         .fn =
             [](const Tensors& x) {
               return tensordot(x[0], x[1], {1, 2}, {1, 0});
             },
         .expected_shape = Shape{2, 5}},
        {.name = "outer_inner_vdot",
         .input_shapes = {{2, 3}, {4, 3}},
         .fn =
             [](const Tensors& x) {
               const Tensor o = reshape(outer(x[0], x[1]), {6, 12});
               const Tensor i = inner(x[0], x[1]);
               return add(sum(o), add(ravel(tensordot(i, i, 0)), vdot(x[0], x[0])));
             },
         .expected_shape = Shape{64}},
        {.name = "rot90_ravel",
         .input_shapes = {{2, 3, 4}},
         .fn =
             [](const Tensors& x) {
               const Tensor a = add(rot90(x[0], 1, {1, 2}), rot90(x[0], -1, {2, 1}));
               return add(ravel(a), ravel(multiply(rot90(x[0], 3, {1, 2}), 2.0)));
             },
         .expected_shape = Shape{24}},
        {.name = "digitize_searchsorted",
         .input_shapes = {{2, 3}},
         .fn =
             [](const Tensors& x) {
               const Tensor edges = Tensor::from_vector<float>({-1, -0.5f, 0, 0.5f, 1}, {5});
               return add(digitize(x[0], edges), searchsorted(edges, x[0], "right"));
             },
         .forward_only = true,
         .expected_dtype = int32},
        {.name = "hstack_vstack",
         .input_shapes = {{2, 3}, {2, 3}},
         .fn =
             [](const Tensors& x) {
               return add(vstack({x[0], x[1]}), reshape(transpose(hstack({x[1], x[0]})), {4, 3}));
             },
         .expected_shape = Shape{4, 3}},
        {.name = "cumsum",
         .input_shapes = {{3, 5}},
         .fn = [](const Tensors& x) { return cumsum(x[0], 1); }},
        {.name = "cumprod_flat",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return cumprod(x[0]); },
         .lo = 0.5,
         .hi = 1.5,
         .expected_shape = Shape{6}},
        {.name = "clip",
         .input_shapes = {{3, 4}},
         .fn = [](const Tensors& x) { return clip(x[0], -1.0, 0.5); },
         .make_inputs = test::inputs_away_from({{3, 4}}, {-1.0, 0.5}, -2, 2)},
        {.name = "unary_softsign",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return unary(UnaryOp::softsign, x[0]); }},
        {.name = "unary_pow_scalar",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return unary(UnaryOp::pow_scalar, x[0], {.a = 2.5}); },
         .lo = 0.2,
         .hi = 2},
        {.name = "negative_scalar_shape",
         .input_shapes = {{}},
         .fn = [](const Tensors& x) { return negative(x[0]); },
         .expected_shape = Shape{}},
        {.name = "exp_empty",
         .input_shapes = {{0, 3}},
         .fn = [](const Tensors& x) { return exp(x[0]); },
         .expected_shape = Shape{0, 3}},
        {.name = "chain_exp_log_sqrt",
         .input_shapes = {{5}},
         .fn = [](const Tensors& x) { return log(add(sqrt(exp(x[0])), 1.0)); }},
        // Integer inputs where the op keeps integers.
        {.name = "negative_int32",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return negative(x[0]); },
         .lo = -9,
         .hi = 9,
         .forward_only = true,
         .input_dtypes = {int32},
         .expected_dtype = int32},
        {.name = "abs_int64",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return abs(x[0]); },
         .lo = -9,
         .hi = 9,
         .forward_only = true,
         .input_dtypes = {int64},
         .expected_dtype = int64},
        {.name = "sign_int32",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return sign(x[0]); },
         .lo = -3,
         .hi = 3,
         .forward_only = true,
         .input_dtypes = {int32},
         .expected_dtype = int32},
        {.name = "square_int32",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return square(x[0]); },
         .lo = -9,
         .hi = 9,
         .forward_only = true,
         .input_dtypes = {int32},
         .expected_dtype = int32},
        {.name = "clip_int32",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return clip(x[0], -2, 3); },
         .lo = -9,
         .hi = 9,
         .forward_only = true,
         .input_dtypes = {int32},
         .expected_dtype = int32},
        // Integer inputs of float-only math become float32.
        {.name = "sqrt_int32_to_float32",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return sqrt(x[0]); },
         .lo = 0,
         .hi = 9,
         .forward_only = true,
         .input_dtypes = {int32},
         .expected_dtype = float32},
        {.name = "exp_int64_to_float32",
         .input_shapes = {{2, 3}},
         .fn = [](const Tensors& x) { return exp(x[0]); },
         .lo = -3,
         .hi = 3,
         .forward_only = true,
         .input_dtypes = {int64},
         .expected_dtype = float32},
};
KERAS_INSTANTIATE_OP_TESTS(Unary, kUnaryCases);

const OpCase kCastCases[] = {
    // Working precision is float32 in the parity and shape tests, float64 in the gradient check;
    // the inner cast pins the source dtype.
    {.name = "cast_float32_to_float64",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return cast(cast(x[0], float32), float64); },
     .forward_only = true,
     .expected_dtype = float64},
    {.name = "cast_float64_to_float32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return cast(cast(x[0], float64), float32); },
     .forward_only = true,
     .expected_dtype = float32},
    {.name = "cast_same_dtype",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return cast(x[0], x[0].dtype()); }},
    {.name = "cast_float_to_int32_truncates",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return cast(x[0], int32); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .expected_dtype = int32},
    {.name = "cast_int32_to_float32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return cast(x[0], float32); },
     .lo = -100,
     .hi = 100,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_dtype = float32},
    {.name = "cast_float_to_bool",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return cast(round(x[0]), bool_); },
     .lo = -1.4,
     .hi = 1.4,
     .forward_only = true,
     .expected_dtype = bool_},
    {.name = "cast_bool_to_int64",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return cast(x[0], int64); },
     .forward_only = true,
     .input_dtypes = {bool_},
     .expected_dtype = int64},
    {.name = "like_helpers",
     .input_shapes = {{2, 3}},
     .fn =
         [](const Tensors& x) {
           return add(multiply(ones_like(x[0]), x[0]), add(zeros_like(x[0]), full_like(x[0], 0.5)));
         }},
};
KERAS_INSTANTIATE_OP_TESTS(Cast, kCastCases);

// Larger shapes, so the CPU backend's contiguous fast loops (full/row/column/scalar layouts) run
// over many elements and are compared with the reference loops.
const OpCase kLargeCases[] = {
    {.name = "add_large_row",
     .input_shapes = {{37, 65}, {65}},
     .fn = [](const Tensors& x) { return add(x[0], x[1]); }},
    {.name = "multiply_large_column",
     .input_shapes = {{37, 65}, {37, 1}},
     .fn = [](const Tensors& x) { return multiply(x[0], x[1]); }},
    {.name = "divide_large_column_first",
     .input_shapes = {{37, 1}, {37, 65}},
     .fn = [](const Tensors& x) { return divide(x[0], x[1]); },
     .lo = 0.5},
    {.name = "subtract_large_scalar_first",
     .input_shapes = {{}, {9, 7, 11}},
     .fn = [](const Tensors& x) { return subtract(x[0], x[1]); }},
    {.name = "maximum_large_3d_row",
     .input_shapes = {{5, 9, 13}, {1, 9, 13}},
     .fn = [](const Tensors& x) { return maximum(x[0], x[1]); }},
    {.name = "power_large_general_broadcast",
     .input_shapes = {{6, 1, 17}, {5, 1}},
     .fn = [](const Tensors& x) { return power(x[0], x[1]); },
     .lo = 0.5},
    {.name = "exp_large",
     .input_shapes = {{1031}},
     .fn = [](const Tensors& x) { return exp(x[0]); }},
    {.name = "log_large",
     .input_shapes = {{1031}},
     .fn = [](const Tensors& x) { return log(x[0]); },
     .lo = 0.2,
     .hi = 5},
};
KERAS_INSTANTIATE_OP_TESTS(LargeElementwise, kLargeCases);

// assign / assign_add write into an existing tensor (a fresh copy of input 0 here); they are not
// differentiable, so these cases are forward only.
Tensor assigned(const Tensor& target, const Tensor& value) {
  Tensor t = copy(target);
  assign(t, value);
  return t;
}
Tensor assigned_add(const Tensor& target, const Tensor& value) {
  Tensor t = copy(target);
  assign_add(t, value);
  return t;
}

const OpCase kAssignCases[] = {
    {.name = "assign_same_shape",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return assigned(x[0], x[1]); },
     .forward_only = true,
     .expected_shape = Shape{2, 3}},
    {.name = "assign_broadcast_row",
     .input_shapes = {{4, 3}, {3}},
     .fn = [](const Tensors& x) { return assigned(x[0], x[1]); },
     .forward_only = true,
     .expected_shape = Shape{4, 3}},
    {.name = "assign_scalar",
     .input_shapes = {{2, 3}, {}},
     .fn = [](const Tensors& x) { return assigned(x[0], x[1]); },
     .forward_only = true},
    {.name = "assign_casts_to_the_target_dtype",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return assigned(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32, float32},
     .expected_dtype = int32},
    {.name = "assign_add_same_shape",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return assigned_add(x[0], x[1]); },
     .forward_only = true},
    {.name = "assign_add_row",
     .input_shapes = {{5, 7}, {7}},
     .fn = [](const Tensors& x) { return assigned_add(x[0], x[1]); },
     .forward_only = true},
    {.name = "assign_add_column",
     .input_shapes = {{5, 7}, {5, 1}},
     .fn = [](const Tensors& x) { return assigned_add(x[0], x[1]); },
     .forward_only = true},
    {.name = "assign_add_scalar",
     .input_shapes = {{5, 7}, {}},
     .fn = [](const Tensors& x) { return assigned_add(x[0], x[1]); },
     .forward_only = true},
    {.name = "assign_add_general_broadcast",
     .input_shapes = {{2, 3, 4}, {2, 1, 4}},
     .fn = [](const Tensors& x) { return assigned_add(x[0], x[1]); },
     .forward_only = true},
    {.name = "assign_add_int64_target",
     .input_shapes = {{2, 3}, {3}},
     .fn = [](const Tensors& x) { return assigned_add(x[0], x[1]); },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int64, int32},
     .expected_dtype = int64},
};
KERAS_INSTANTIATE_OP_TESTS(Assign, kAssignCases);

// ---- behaviour not covered by the tables ----

// keras.ops.isin (JAX's jnp.isin): membership in x2 of any shape, NaN never found, the values
// compared in their common dtype.
TEST(Isin, MembershipAsNumPy) {
  auto values = [](const Tensor& x) { return test::to_doubles(x); };
  using V = std::vector<double>;
  const Tensor x = test::tensor_of({1, 2.5, NAN, 7, 0}, {5}, float32);
  const Tensor in = isin(x, test::tensor_of({7, 1, NAN, 9}, {2, 2}, float32));
  EXPECT_EQ(in.dtype(), bool_);
  EXPECT_EQ(values(in), (V{1, 0, 0, 1, 0}));
  EXPECT_EQ(values(isin(x, test::tensor_of({7, 1}, {2}, float32), false, true)),
            (V{0, 1, 1, 0, 1}));
  const Tensor ids = Tensor::from_vector<int32_t>({3, 4, 5, 6}, {2, 2});
  const Tensor hit = isin(ids, Tensor::from_vector<int64_t>({4, 6, 8}, {3}));
  EXPECT_EQ(hit.shape(), (Shape{2, 2}));
  EXPECT_EQ(values(hit), (V{0, 1, 0, 1}));
  EXPECT_EQ(values(isin(ids, test::tensor_of({4.5, 5}, {2}, float32))), (V{0, 0, 1, 0}));
}

TEST(Elementwise, ResultTypePromotesLikeKeras) {
  EXPECT_EQ(result_type(int32, float32), float32);
  EXPECT_EQ(result_type(float32, int64), float32);
  EXPECT_EQ(result_type(float32, float64), float64);
  EXPECT_EQ(result_type(int32, int64), int64);
  EXPECT_EQ(result_type(uint8, int32), int32);
  EXPECT_EQ(result_type(bool_, uint8), uint8);
  EXPECT_EQ(result_type(bool_, bool_), bool_);
  EXPECT_EQ(result_type(float64, bool_), float64);
}

TEST(Elementwise, LikeHelpersKeepShapeAndDtype) {
  const Tensor x = test::random_tensor({2, 3}, float64, -1, 1, 1);
  for (const Tensor& t : {empty_like(x), zeros_like(x), ones_like(x), full_like(x, 2.5)}) {
    EXPECT_EQ(t.shape(), x.shape());
    EXPECT_EQ(t.dtype(), float64);
    EXPECT_FALSE(t.shares_memory_with(x));
  }
  test::expect_all_close(zeros_like(x), zeros({2, 3}, float64), 0, 0);
  test::expect_all_close(ones_like(x), ones({2, 3}, float64), 0, 0);
  test::expect_all_close(full_like(x, 2.5), full({2, 3}, 2.5, float64), 0, 0);
  const Tensor i = full_like(arange(4, int32), 7);
  EXPECT_EQ(i.dtype(), int32);
  EXPECT_EQ(test::to_doubles(i), (std::vector<double>{7, 7, 7, 7}));
}

TEST(Elementwise, ScalarLikeIsARankZeroTensorOfTheSameDtype) {
  const Tensor s = scalar_like(3.5, arange(3, int64));
  EXPECT_EQ(s.shape(), Shape{});
  EXPECT_EQ(s.dtype(), int64);
  EXPECT_EQ(s.item<int64_t>(), 3);
  EXPECT_EQ(scalar_like(-0.25, zeros({2}, float64)).item<double>(), -0.25);
}

TEST(Elementwise, ComputesKnownValues) {
  const Tensor a = test::tensor_of({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor b = test::tensor_of({10, 20, 30});
  test::expect_all_close(add(a, b), test::tensor_of({11, 22, 33, 14, 25, 36}, {2, 3}), 0, 0);
  test::expect_all_close(subtract(b, a), test::tensor_of({9, 18, 27, 6, 15, 24}, {2, 3}), 0, 0);
  test::expect_all_close(divide(a, 2.0), test::tensor_of({0.5, 1, 1.5, 2, 2.5, 3}, {2, 3}), 0, 0);
  test::expect_all_close(power(a, test::tensor_of({2})),
                         test::tensor_of({1, 4, 9, 16, 25, 36}, {2, 3}), 1e-15, 0);
  test::expect_all_close(round(test::tensor_of({0.5, 1.5, 2.5, -0.5, -1.7})),
                         test::tensor_of({0, 2, 2, -0, -2}), 0, 0);  // half to even
  test::expect_all_close(floor(test::tensor_of({-1.5, 1.5})), test::tensor_of({-2, 1}), 0, 0);
  test::expect_all_close(sign(test::tensor_of({-3, 0, 2})), test::tensor_of({-1, 0, 1}), 0, 0);
  test::expect_all_close(clip(test::tensor_of({-3, 0.2, 2}), -1, 1), test::tensor_of({-1, 0.2, 1}),
                         0, 0);
  test::expect_all_close(divide(arange(4, int32), full({}, 2, int32)),
                         test::tensor_of({0, 0.5, 1, 1.5}, {4}, float32), 0, 0);
}

// NumPy's values (float64, 9 significant digits) at -0.7, -0.2, 0.3, 0.9; arccosh, log2 and
// log10 at 1.8, 1.3, 1.4, 2.
TEST(Elementwise, NumpyFunctionsGiveNumpysValues) {
  const Tensor x = test::tensor_of({-0.7, -0.2, 0.3, 0.9});
  const Tensor y = test::tensor_of({1.8, 1.3, 1.4, 2});
  using Fn = Tensor (*)(const Tensor&);
  const std::vector<std::tuple<const char*, Fn, const Tensor*, std::vector<double>>> cases = {
      {"sin", sin, &x, {-0.644217687, -0.198669331, 0.295520207, 0.78332691}},
      {"cos", cos, &x, {0.764842187, 0.980066578, 0.955336489, 0.621609968}},
      {"tan", tan, &x, {-0.84228838, -0.202710036, 0.30933625, 1.26015822}},
      {"arcsin", arcsin, &x, {-0.775397497, -0.201357921, 0.304692654, 1.11976951}},
      {"arccos", arccos, &x, {2.34619382, 1.77215425, 1.26610367, 0.451026812}},
      {"arctan", arctan, &x, {-0.610725964, -0.19739556, 0.291456794, 0.732815102}},
      {"sinh", sinh, &x, {-0.758583702, -0.201336003, 0.304520293, 1.02651673}},
      {"cosh", cosh, &x, {1.25516901, 1.02006676, 1.04533851, 1.43308639}},
      {"arcsinh", arcsinh, &x, {-0.652666566, -0.19869011, 0.295673048, 0.808866936}},
      {"arctanh", arctanh, &x, {-0.867300528, -0.202732554, 0.309519604, 1.47221949}},
      {"ceil", ceil, &x, {-0.0, -0.0, 1, 1}},
      {"trunc", trunc, &x, {-0.0, -0.0, 0, 0}},
      {"expm1", expm1, &x, {-0.503414696, -0.181269247, 0.349858808, 1.45960311}},
      {"exp2", exp2, &x, {0.615572207, 0.870550563, 1.23114441, 1.86606598}},
      {"erf", erf, &x, {-0.677801194, -0.222702589, 0.328626759, 0.796908212}},
      {"arccosh", arccosh, &y, {1.19291073, 0.756432911, 0.867014726, 1.3169579}},
      {"log2", log2, &y, {0.847996907, 0.378511623, 0.485426827, 1}},
      {"log10", log10, &y, {0.255272505, 0.113943352, 0.146128036, 0.301029996}},
  };
  for (const auto& [name, fn, in, expected] : cases) {
    SCOPED_TRACE(name);
    const std::vector<double> got = test::to_doubles(fn(*in));
    for (size_t i = 0; i < expected.size(); ++i) EXPECT_NEAR(got[i], expected[i], 5e-9);
    // float32 as well, within float32's rounding.
    const std::vector<double> got32 = test::to_doubles(fn(in->astype(float32)));
    for (size_t i = 0; i < expected.size(); ++i) {
      EXPECT_NEAR(got32[i], expected[i], 3e-7 * (1 + std::abs(expected[i])));
    }
  }
  // Integers become float32, as in Keras (trunc keeps them); outside the domain, NaN.
  const Tensor ints = test::tensor_of({-2, 0, 3}, {3}, int32);
  EXPECT_EQ(sin(ints).dtype(), float32);
  EXPECT_EQ(ceil(ints).dtype(), float32);
  EXPECT_EQ(trunc(ints).dtype(), int32);
  EXPECT_TRUE(std::isnan(test::to_doubles(arcsin(test::tensor_of({2.0})))[0]));
  EXPECT_TRUE(std::isnan(test::to_doubles(log2(test::tensor_of({-1.0})))[0]));
}

// np.floor_divide and np.mod (and Keras 3's under JAX, the same) where an operand is infinite,
// NaN or zero, and with the exact remainder of fmod, on the CPU and the reference backends.
TEST(Elementwise, FloorDivideAndModOfInfinitiesAsNumPy) {
  const double nan = std::nan(""), inf = std::numeric_limits<double>::infinity();
  const std::vector<double> a = {inf, -inf, -1, 1, 1, -1, 0, nan, 7, -7, 5.5, 16777217};
  const std::vector<double> b = {2, 2, inf, inf, 0, 0, 0, 2, -2, 2, -inf, 3};
  const std::vector<double> quotient = {nan, nan, -1, 0, inf, -inf, nan, nan, -4, -4, -1, 5592405};
  const std::vector<double> remainder = {nan, nan, inf, 1, nan, nan, nan, nan, -1, 1, -inf, 2};
  auto expect = [](const Tensor& got, const std::vector<double>& want) {  // NaN matches NaN
    test::expect_all_close(got, test::tensor_of(want, got.shape(), got.dtype()), 0, 0);
  };
  for (const bool reference : {false, true}) {
    SCOPED_TRACE(reference ? "reference" : "cpu");
    std::optional<backend::ScopedBackend> scope;
    if (reference) scope.emplace(backend::reference_backend());
    const Tensor ta = test::tensor_of(a, {12}, float64), tb = test::tensor_of(b, {12}, float64);
    expect(floor_divide(ta, tb), quotient);
    expect(mod(ta, tb), remainder);
  }
}

// Integers divide exactly in their own dtype (not through float64, which rounds above 2^53), and
// the lowest int32 by -1 wraps to itself as XLA's (Keras 3 under JAX) does; both backends.
template <class T>
std::vector<T> values(const Tensor& t) {
  const auto s = t.span<T>();
  return {s.begin(), s.end()};
}

TEST(Elementwise, IntegerFloorDivideAndModAreExact) {
  const int64_t big = (int64_t{1} << 60) + 3;
  const auto a = Tensor::from_vector<int64_t>({big, -big, 7, -7}, Shape{4});
  const auto b = Tensor::from_vector<int64_t>({2, 2, -2, 0}, Shape{4});
  const auto a32 = Tensor::from_vector<int32_t>({std::numeric_limits<int32_t>::min(), 7}, Shape{2});
  const auto b32 = Tensor::from_vector<int32_t>({-1, 2}, Shape{2});
  for (const bool reference : {false, true}) {
    SCOPED_TRACE(reference ? "reference" : "cpu");
    std::optional<backend::ScopedBackend> scope;
    if (reference) scope.emplace(backend::reference_backend());
    const Tensor q = floor_divide(a, b), r = mod(a, b);
    ASSERT_EQ(q.dtype(), int64);
    EXPECT_EQ(values<int64_t>(q), (std::vector<int64_t>{big / 2, -big / 2 - 1, -4, 0}));
    EXPECT_EQ(values<int64_t>(r), (std::vector<int64_t>{1, 1, -1, 0}));
    EXPECT_EQ(values<int32_t>(floor_divide(a32, b32)),
              (std::vector<int32_t>{std::numeric_limits<int32_t>::min(), 3}));
    EXPECT_EQ(values<int32_t>(mod(a32, b32)), (std::vector<int32_t>{0, 1}));
  }
}

// NumPy's values: np.mod and np.floor_divide (the sign of the divisor; integers by zero give 0),
// np.isnan/isinf/isfinite, np.var/np.std, np.swapaxes/np.moveaxis.
TEST(Elementwise, NumpyDivisionTestsStatisticsAndAxes) {
  const Tensor a = test::tensor_of({-7, 7, 5.5, -5.5});
  const Tensor b = test::tensor_of({3, -3, 2, 2});
  EXPECT_EQ(test::to_doubles(mod(a, b)), (std::vector<double>{2, -2, 1.5, 0.5}));
  EXPECT_EQ(test::to_doubles(floor_divide(a, b)), (std::vector<double>{-3, -3, 2, -3}));
  const Tensor ia = test::tensor_of({-7, 7, 5, 6}, {4}, int32);
  const Tensor ib = test::tensor_of({2, -2, 0, 4}, {4}, int32);
  EXPECT_EQ(floor_divide(ia, ib).dtype(), int32);
  EXPECT_EQ(test::to_doubles(floor_divide(ia, ib)), (std::vector<double>{-4, -4, 0, 1}));
  EXPECT_EQ(test::to_doubles(mod(ia, ib)), (std::vector<double>{1, -1, 0, 2}));
  EXPECT_EQ(mod(ia, 3).dtype(), int32);
  EXPECT_EQ(test::to_doubles(mod(ia, 3)), (std::vector<double>{2, 1, 2, 0}));
  EXPECT_EQ(mod(ia, 2.5).dtype(), float32);
  EXPECT_TRUE(std::isnan(test::to_doubles(mod(test::tensor_of({1.0}), 0.0))[0]));

  const double inf = std::numeric_limits<double>::infinity();
  const Tensor x = test::tensor_of({std::nan(""), inf, -inf, 1.0});
  EXPECT_EQ(isnan(x).dtype(), bool_);
  EXPECT_EQ(test::to_doubles(isnan(x)), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(test::to_doubles(isinf(x)), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(test::to_doubles(isfinite(x)), (std::vector<double>{0, 0, 0, 1}));
  EXPECT_EQ(test::to_doubles(isfinite(ia)), (std::vector<double>{1, 1, 1, 1}));
  EXPECT_EQ(test::to_doubles(isnan(ia)), (std::vector<double>{0, 0, 0, 0}));

  const Tensor m = test::tensor_of({1, 2, 3, 4, 2, 2, 2, 10}, {2, 4});
  test::expect_all_close(var(m, {1}), test::tensor_of({1.25, 12}), 1e-15, 0);
  test::expect_all_close(std(m, {1}), test::tensor_of({1.118033988749895, 3.4641016151377544}),
                         1e-15, 0);
  EXPECT_EQ(var(test::tensor_of({1, 2}, {2}, int32)).dtype(), float32);
  test::expect_all_close(amax(m, {0}), test::tensor_of({2, 2, 3, 10}), 0, 0);
  test::expect_all_close(amin(m), test::tensor_of({1}, {}), 0, 0);

  const Tensor t = test::tensor_of({0, 1, 2, 3, 4, 5}, {1, 2, 3});
  test::expect_all_close(swapaxes(t, 1, 2), test::tensor_of({0, 3, 1, 4, 2, 5}, {1, 3, 2}), 0, 0);
  EXPECT_EQ(moveaxis(Tensor::empty({2, 3, 4, 5}), {0}, {-1}).shape(), (Shape{3, 4, 5, 2}));
  EXPECT_EQ(moveaxis(Tensor::empty({2, 3, 4, 5}), {3, 0}, {0, 3}).shape(), (Shape{5, 3, 4, 2}));
  EXPECT_EQ(moveaxis(Tensor::empty({2, 3, 4, 5}), {0, 1}, {-1, 0}).shape(), (Shape{3, 4, 5, 2}));
  EXPECT_THROW(moveaxis(t, {0, 0}, {1, 2}), ValueError);
  EXPECT_THROW(moveaxis(t, {0}, {1, 2}), ValueError);
  EXPECT_THROW(swapaxes(t, 0, 3), ValueError);
}

// NumPy's tril, triu, flip, roll, tile, cumsum and cumprod of arange(6).reshape(2, 3).
TEST(Elementwise, NumpyTrianglesFlipsRollsTilesAndScans) {
  const Tensor t = test::tensor_of({0, 1, 2, 3, 4, 5}, {2, 3});
  auto values = [](const Tensor& x) { return test::to_doubles(x); };
  using V = std::vector<double>;
  EXPECT_EQ(values(tril(t)), (V{0, 0, 0, 3, 4, 0}));
  EXPECT_EQ(values(triu(t, 1)), (V{0, 1, 2, 0, 0, 5}));
  EXPECT_EQ(values(tril(t, -1)), (V{0, 0, 0, 3, 0, 0}));
  EXPECT_EQ(values(flip(t, {1})), (V{2, 1, 0, 5, 4, 3}));
  EXPECT_EQ(values(flip(t)), (V{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(values(roll(t, {1})), (V{5, 0, 1, 2, 3, 4}));
  EXPECT_EQ(values(roll(t, {-1}, {1})), (V{1, 2, 0, 4, 5, 3}));
  EXPECT_EQ(values(roll(t, {1, 2}, {0, 1})), (V{4, 5, 3, 1, 2, 0}));
  EXPECT_EQ(tile(t, {2}).shape(), (Shape{2, 6}));
  EXPECT_EQ(values(tile(t, {2})), (V{0, 1, 2, 0, 1, 2, 3, 4, 5, 3, 4, 5}));
  EXPECT_EQ(tile(t, {2, 1, 1}).shape(), (Shape{2, 2, 3}));
  EXPECT_EQ(values(cumsum(t, 1)), (V{0, 1, 3, 3, 7, 12}));
  EXPECT_EQ(values(cumprod(add(t, 1.0), 0)), (V{1, 2, 3, 4, 10, 18}));
  EXPECT_EQ(values(cumsum(t)), (V{0, 1, 3, 6, 10, 15}));
  const Tensor ints = test::tensor_of({1, 2, 3, 4, 5, 6, 7, 8, 9}, {9}, int32);
  EXPECT_EQ(cumsum(ints).dtype(), int32);
  EXPECT_EQ(values(cumsum(ints)), (V{1, 3, 6, 10, 15, 21, 28, 36, 45}));
  EXPECT_EQ(cumsum(test::tensor_of({1, 0, 1}, {3}, bool_)).dtype(), int32);
  EXPECT_THROW(tril(test::tensor_of({1, 2})), ValueError);
  EXPECT_THROW(tile(t, {-1}), ValueError);
  EXPECT_THROW(roll(t, {1, 2}, {0, 1, 1}), ValueError);
}

// NumPy's sort and argsort, JAX's top_k: stable, NaN the largest; take_along_axis's rules.
TEST(Elementwise, SortArgsortTopKAndTakeAlongAxis) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const Tensor t = test::tensor_of({3, 1, 2, nan, 1, 5, 5, 1, 0, -1}, {2, 5});
  auto values = [](const Tensor& x) { return test::to_doubles(x); };
  using V = std::vector<double>;
  const Tensor s = sort(t);
  EXPECT_EQ(values(slice_axis(s, 1, 0, 4)), (V{1, 1, 2, 3, -1, 0, 1, 5}));
  EXPECT_TRUE(std::isnan(values(s)[4]));
  EXPECT_EQ(argsort(t).dtype(), int32);
  EXPECT_EQ(values(argsort(t)), (V{1, 4, 2, 0, 3, 4, 3, 2, 0, 1}));
  EXPECT_EQ(values(argsort(t, 0)), (V{0, 0, 1, 1, 1, 1, 1, 0, 0, 0}));
  auto [top, where_top] = top_k(t, 3);
  EXPECT_TRUE(std::isnan(values(top)[0]));
  EXPECT_EQ(values(slice_axis(top, 1, 1, 2)), (V{3, 2, 5, 1}));
  EXPECT_EQ(where_top.dtype(), int32);
  EXPECT_EQ(values(where_top), (V{3, 0, 2, 0, 1, 2}));
  EXPECT_EQ(top_k(t, 0).first.shape(), (Shape{2, 0}));
  // JAX's top_k ranks +0 above -0; sort keeps them in order.
  const Tensor zeros3 = test::tensor_of({-0.0, 0.0, -0.0}, {3});
  EXPECT_EQ(values(top_k(zeros3, 3).second), (V{1, 0, 2}));
  EXPECT_EQ(values(argsort(zeros3)), (V{0, 1, 2}));
  EXPECT_THROW(top_k(t, 6), ValueError);
  EXPECT_THROW(top_k(t, -1), ValueError);
  EXPECT_THROW(sort(test::tensor_of({1}, {})), ValueError);
  const Tensor ints = test::tensor_of({4, 2, 4, 1}, {4}, int32);
  EXPECT_EQ(sort(ints).dtype(), int32);
  EXPECT_EQ(values(sort(ints)), (V{1, 2, 4, 4}));
  EXPECT_EQ(values(argsort(ints)), (V{3, 1, 0, 2}));
  // take_along_axis: indices broadcast against x outside the axis; negative ones count back.
  const Tensor x = test::tensor_of({0, 1, 2, 3, 4, 5}, {2, 3});
  EXPECT_EQ(values(take_along_axis(x, Tensor::from_vector<int32_t>({2, -3}, {1, 2}), 1)),
            (V{2, 0, 5, 3}));
  EXPECT_EQ(values(take_along_axis(x, Tensor::from_vector<int32_t>({1, 0, 1}, {1, 3}), 0)),
            (V{3, 1, 5}));
  EXPECT_EQ(values(take_along_axis(x, Tensor::from_vector<int32_t>({4, -1}, {2}), std::nullopt)),
            (V{4, 5}));
  EXPECT_THROW(take_along_axis(x, Tensor::from_vector<int32_t>({3}, {1, 1}), 1), IndexError);
  EXPECT_THROW(take_along_axis(x, Tensor::from_vector<int32_t>({-4}, {1, 1}), 1), IndexError);
  EXPECT_THROW(take_along_axis(x, Tensor::from_vector<int32_t>({0, 1}, {2}), 1), ValueError);
  EXPECT_THROW(take_along_axis(x, test::tensor_of({0}, {1, 1}), 1), TypeError);
  EXPECT_THROW(take_along_axis(x, Tensor::from_vector<int32_t>({0, 0, 0}, {3, 1}), 1), ValueError);
}

// NumPy's (and Keras with JAX's) values of the composed NumPy functions.
TEST(Elementwise, MoreNumpyFunctions) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  auto values = [](const Tensor& x) { return test::to_doubles(x); };
  using V = std::vector<double>;
  const Tensor f = test::tensor_of({-0.0, 0.0, -1.5, nan, inf, -inf}, {6}, float32);
  EXPECT_EQ(values(signbit(f)), (V{1, 0, 1, 0, 0, 1}));
  EXPECT_EQ(values(isneginf(f)), (V{0, 0, 0, 0, 0, 1}));
  EXPECT_EQ(values(isposinf(f)), (V{0, 0, 0, 0, 1, 0}));
  const Tensor cleaned = nan_to_num(f);
  EXPECT_EQ(values(cleaned)[3], 0.0);
  EXPECT_EQ(values(cleaned)[4], std::numeric_limits<float>::max());
  EXPECT_EQ(values(cleaned)[5], -std::numeric_limits<float>::max());
  EXPECT_EQ(values(nan_to_num(f, 1.0, 2.0, -3.0)), (V{-0.0, 0.0, -1.5, 1, 2, -3}));
  EXPECT_EQ(values(count_nonzero(f)), (V{4}));
  EXPECT_EQ(count_nonzero(f).dtype(), int32);
  const Tensor i = test::tensor_of({-2, 0, 3}, {3}, int32);
  EXPECT_EQ(cbrt(i).dtype(), float32);
  EXPECT_EQ(values(signbit(i)), (V{1, 0, 0}));
  EXPECT_EQ(values(logical_xor(i, test::tensor_of({-0.0, 0.0, -1.5}, {3}))), (V{1, 0, 0}));
  EXPECT_EQ(ptp(i).dtype(), int32);
  EXPECT_EQ(values(ptp(i)), (V{5}));
  EXPECT_THROW(rsqrt(i), TypeError);
  EXPECT_EQ(values(rsqrt(test::tensor_of({4, 0.25}, {2}))), (V{0.5, 2}));
  test::expect_all_close(cbrt(test::tensor_of({-8, 27}, {2})), test::tensor_of({-2, 3}, {2}), 1e-6,
                         1e-6);
  test::expect_all_close(rad2deg(test::tensor_of({std::numbers::pi}, {1})),
                         test::tensor_of({180}, {1}), 1e-6, 0);
  EXPECT_EQ(values(sinc(test::tensor_of({0.0}, {1}))), (V{1}));
  // heaviside: 0 below, h at 0, 1 above, NaN kept; integers give float32.
  const Tensor hv = heaviside(test::tensor_of({-1, 0, 2, nan}, {4}), test::tensor_of({0.5}, {1}));
  EXPECT_EQ(values(slice_axis(hv, 0, 0, 3)), (V{0, 0.5, 1}));
  EXPECT_TRUE(std::isnan(values(hv)[3]));
  EXPECT_EQ(heaviside(i, i).dtype(), float32);
  EXPECT_EQ(values(divide_no_nan(test::tensor_of({1, 1, 0}, {3}), test::tensor_of({0, 2, 0}, {3}))),
            (V{0, 0.5, 0}));
  EXPECT_EQ(divide_no_nan(i, i).dtype(), float32);
  EXPECT_EQ(values(diff(test::tensor_of({1, 3, 6, 10}, {1, 4}), 2)), (V{1, 1}));
  EXPECT_EQ(diff(i).dtype(), int32);
  EXPECT_EQ(diff(i, 5).shape(), (Shape{0}));
  EXPECT_THROW(diff(i, -1), ValueError);
  EXPECT_EQ(hstack({Tensor::empty({2, 3}), Tensor::empty({2, 1})}).shape(), (Shape{2, 4}));
  EXPECT_EQ(hstack({Tensor::empty({3}), Tensor::empty({2})}).shape(), (Shape{5}));
  EXPECT_EQ(vstack({Tensor::empty({3}), Tensor::empty({3})}).shape(), (Shape{2, 3}));
  EXPECT_EQ(vstack({Tensor::empty({2, 3}), Tensor::empty({1, 3})}).shape(), (Shape{3, 3}));
  // fmod: the sign of a; integers 0 and floats NaN where b is 0.
  const Tensor fi = fmod(test::tensor_of({-7, 7, -7, 5}, {4}, int32),
                         test::tensor_of({3, -3, -3, 0}, {4}, int32));
  EXPECT_EQ(fi.dtype(), int32);
  EXPECT_EQ(values(fi), (V{-1, 1, -1, 0}));
  const Tensor ff = fmod(test::tensor_of({-7.5, 7.5, 1}, {3}), test::tensor_of({2, -2, 0}, {3}));
  EXPECT_EQ(values(slice_axis(ff, 0, 0, 2)), (V{-1.5, 1.5}));
  EXPECT_TRUE(std::isnan(values(ff)[2]));
  // diagonal and trace of arange(24).reshape(2, 3, 4), as NumPy.
  std::vector<double> r24(24);
  std::iota(r24.begin(), r24.end(), 0.0);
  const Tensor x24 = test::tensor_of(r24, {2, 3, 4});
  EXPECT_EQ(values(diagonal(x24, 1, 1, 2)), (V{1, 6, 11, 13, 18, 23}));
  EXPECT_EQ(values(diagonal(x24, -1, 1, 2)), (V{4, 9, 16, 21}));
  EXPECT_EQ(diagonal(x24).shape(), (Shape{4, 2}));
  EXPECT_EQ(diagonal(x24, 9, 1, 2).shape(), (Shape{2, 0}));
  EXPECT_EQ(values(trace(x24, 0, 1, 2)), (V{15, 51}));
  EXPECT_EQ(trace(test::tensor_of({1, 2, 3, 4}, {2, 2}, int32)).dtype(), int32);
  EXPECT_THROW(diagonal(x24, 0, 1, -2), ValueError);
  EXPECT_THROW(diagonal(test::tensor_of({1, 2}, {2})), ValueError);
  // The gradient of divide_no_nan is finite where the divisor is 0.
  const Tensor a = test::tensor_of({1, 2}, {2}), b = test::tensor_of({0, 4}, {2});
  autodiff::GradientTape tape;
  tape.watch(a);
  tape.watch(b);
  const Tensors g = tape.gradient(sum(divide_no_nan(a, b)), {a, b});
  EXPECT_EQ(values(g[0]), (V{0, 0.25}));
  EXPECT_EQ(values(g[1]), (V{0, -0.125}));
}

// Values and dtypes from Keras 3.15 with JAX (keras.ops on NumPy arrays).
TEST(Elementwise, NumpyStatisticsAndProductsGiveKerasValues) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  const double inf = std::numeric_limits<double>::infinity();
  const double pi = std::numbers::pi;
  auto values = [](const Tensor& x) { return test::to_doubles(x); };
  auto near = [&](const Tensor& x, std::vector<double> expected) {
    test::expect_all_close(x, test::tensor_of(expected, x.shape(), x.dtype()), 1e-6, 1e-6);
  };
  using V = std::vector<double>;
  const Tensor i = test::tensor_of({3, -1, 2, 7}, {1, 4}, int32);
  const Tensor j = test::tensor_of({3, 0, 2, 9}, {1, 4}, int32);
  const Tensor f = test::tensor_of({1, nan, -2, 4}, {1, 4}, float32);
  // arctan2: signed zeros and infinities as NumPy; integers give float32.
  EXPECT_EQ(arctan2(i, j).dtype(), float32);
  near(arctan2(i, j), {pi / 4, -pi / 2, pi / 4, 0.6610431671142578});
  const Tensor az =
      arctan2(test::tensor_of({0., -0., 0., -0., 1, -1, inf, inf, -inf}, {9}, float32),
              test::tensor_of({0., 0., -0., -0., 0, -0., inf, -inf, 1.}, {9}, float32));
  near(az, {0, -0.0, pi, -pi, pi / 2, -pi / 2, pi / 4, 3 * pi / 4, -pi / 2});
  EXPECT_TRUE(std::signbit(values(az)[1]));
  // fmax / fmin ignore one NaN; integers keep their dtype.
  EXPECT_EQ(fmax(i, j).dtype(), int32);
  EXPECT_EQ(values(fmax(i, j)), (V{3, 0, 2, 9}));
  const Tensor g = test::tensor_of({nan, nan, 5, 1}, {1, 4}, float32);
  const V mx = values(fmax(f, g)), mn = values(fmin(f, g));
  EXPECT_EQ(mx[0], 1);
  EXPECT_TRUE(std::isnan(mx[1]));
  EXPECT_EQ(mx[2], 5);
  EXPECT_EQ(mx[3], 4);
  EXPECT_EQ(mn[0], 1);
  EXPECT_EQ(mn[2], -2);
  EXPECT_EQ(mn[3], 1);
  EXPECT_EQ(logaddexp2(i, j).dtype(), float32);
  near(logaddexp2(i, j), {4, 0.5849624872207642, 3, 9.321928024291992});
  EXPECT_EQ(values(logaddexp2(test::tensor_of({-inf}, {1}), test::tensor_of({-inf}, {1}))),
            (V{-inf}));
  // isclose: infinities close only to themselves, NaN only with equal_nan.
  EXPECT_EQ(values(isclose(i, j)), (V{1, 0, 1, 0}));
  const Tensor ca = test::tensor_of({1., inf, inf, nan, 1e-9}, {5}, float32);  // as JAX (float32)
  const Tensor cb = test::tensor_of({1.00001, inf, -inf, nan, 0.}, {5}, float32);
  EXPECT_EQ(isclose(ca, cb).dtype(), bool_);
  EXPECT_EQ(values(isclose(ca, cb, 1e-5, 1e-8, true)), (V{0, 1, 0, 1, 1}));
  EXPECT_EQ(values(isclose(ca, cb)), (V{0, 1, 0, 0, 1}));
  EXPECT_EQ(values(isclose(test::tensor_of({16777217}, {1}, int32),
                           test::tensor_of({16777216}, {1}, int32), 0, 0)),
            (V{0}));
  // NaN-ignoring reductions.
  EXPECT_EQ(nansum(i).dtype(), int32);
  EXPECT_EQ(values(nansum(i)), (V{11}));
  EXPECT_EQ(values(nansum(f)), (V{3}));
  EXPECT_EQ(nanmean(i).dtype(), float32);
  EXPECT_EQ(values(nanmean(i)), (V{2.75}));
  EXPECT_TRUE(std::isnan(values(nanmean(test::tensor_of({nan, nan}, {2}, float32)))[0]));
  const V allnan = values(nanmax(test::tensor_of({nan, nan, 1, nan}, {2, 2}, float32), {1}));
  EXPECT_TRUE(std::isnan(allnan[0]));
  EXPECT_EQ(allnan[1], 1);
  EXPECT_EQ(values(nanmin(f)), (V{-2}));
  EXPECT_EQ(values(nanprod(i)), (V{-42}));
  EXPECT_EQ(nanprod(i).dtype(), int32);
  EXPECT_EQ(values(nanprod(f)), (V{-8}));
  EXPECT_EQ(values(nanmax(i)), (V{7}));
  // Order statistics: NaN propagates; "nearest" takes the lower on a tie, as JAX.
  EXPECT_EQ(median(i).dtype(), float32);
  EXPECT_EQ(values(median(i)), (V{2.5}));
  EXPECT_TRUE(std::isnan(values(median(f))[0]));
  EXPECT_TRUE(std::isnan(values(quantile(f, 0.2))[0]));
  const Tensor four = test::tensor_of({1, 2, 3, 4}, {4});
  EXPECT_EQ(values(median(four)), (V{2.5}));
  EXPECT_EQ(values(quantile(four, test::tensor_of({0.5, 1 / 6.0, 5 / 6.0}, {3}), {}, "nearest")),
            (V{2, 1, 3}));
  EXPECT_EQ(values(quantile(test::tensor_of({1, 2, 3, 4, 5}, {5}),
                            test::tensor_of({0.125, 0.375, 0.625, 0.875}, {4}), {}, "nearest")),
            (V{1, 2, 3, 4}));
  const Tensor b = test::tensor_of({8, 1, 4, 2}, {4});
  V methods;
  for (const char* m : {"linear", "lower", "higher", "midpoint", "nearest", "inverted_cdf"}) {
    methods.push_back(values(quantile(b, 0.4, {}, m))[0]);
  }
  EXPECT_NEAR(methods[0], 2.4, 1e-12);
  EXPECT_EQ(V(methods.begin() + 1, methods.end()), (V{2, 4, 3, 2, 2}));  // NumPy's inverted_cdf
  EXPECT_NEAR(values(percentile(b, 40.0))[0], 2.4, 1e-12);
  EXPECT_EQ(
      quantile(zeros({2, 3, 4}), test::tensor_of({0.1, 0.2}, {2}), {0, 2}, "linear", true).shape(),
      (Shape{2, 1, 3, 1}));
  EXPECT_EQ(quantile(zeros({2, 3, 4}), 0.1, {}, "linear", true).shape(), (Shape{1, 1, 1}));
  EXPECT_THROW(quantile(b, 1.5), ValueError);
  EXPECT_THROW(quantile(b, 0.5, {}, "foo"), ValueError);
  EXPECT_THROW(quantile(zeros({0, 3}), 0.5, {0}), ValueError);
  // Products.
  EXPECT_EQ(tensordot(i, ops::transpose(j), 1).dtype(), int32);
  EXPECT_EQ(values(tensordot(i, ops::transpose(j), 1)), (V{76}));
  EXPECT_EQ(values(vdot(i, j)), (V{76}));
  EXPECT_EQ(inner(ones({2, 3}), ones({4, 3})).shape(), (Shape{2, 4}));
  EXPECT_EQ(inner(test::tensor_of({2}, {}), ones({2, 3})).shape(), (Shape{2, 3}));
  EXPECT_EQ(outer(i, f).shape(), (Shape{4, 4}));
  EXPECT_EQ(outer(i, f).dtype(), float32);
  const V row = values(slice_axis(outer(i, f), 0, 1, 1));  // -1 * (1, NaN, -2, 4)
  EXPECT_EQ(row[0], -1);
  EXPECT_TRUE(std::isnan(row[1]));
  EXPECT_EQ(row[2], 2);
  EXPECT_EQ(row[3], -4);
  EXPECT_THROW(tensordot(ones({2, 3}), ones({4, 5}), 1), ValueError);
  EXPECT_THROW(tensordot(ones({2, 3}), ones({3, 5}), {1, 1}, {0, 0}), ValueError);
  // rot90 and ravel, as NumPy on arange(6).reshape(2, 3).
  const Tensor r6 = test::tensor_of({0, 1, 2, 3, 4, 5}, {2, 3}, int32);
  EXPECT_EQ(values(rot90(r6)), (V{2, 5, 1, 4, 0, 3}));
  EXPECT_EQ(rot90(r6).shape(), (Shape{3, 2}));
  EXPECT_EQ(values(rot90(r6, -1)), (V{3, 0, 4, 1, 5, 2}));
  EXPECT_EQ(values(rot90(r6, 2)), (V{5, 4, 3, 2, 1, 0}));
  EXPECT_EQ(values(rot90(r6, 4)), values(r6));
  EXPECT_EQ(values(ravel(r6)), (V{0, 1, 2, 3, 4, 5}));
  EXPECT_THROW(rot90(r6, 1, {0, 0}), ValueError);
  EXPECT_THROW(rot90(test::tensor_of({1, 2, 3}, {3})), ValueError);
}

// digitize and searchsorted, as Keras 3.15 with JAX (NaN ordered last, as NumPy).
TEST(Elementwise, DigitizeAndSearchsortedGiveKerasValues) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  auto values = [](const Tensor& x) { return test::to_doubles(x); };
  using V = std::vector<double>;
  const Tensor x = test::tensor_of({-1, 0, 1, 1.5, 2, 3, nan}, {7}, float32);
  EXPECT_EQ(digitize(x, test::tensor_of({0, 1, 2}, {3}, float32)).dtype(), int32);
  EXPECT_EQ(values(digitize(x, test::tensor_of({0, 1, 2}, {3}, float32))),
            (V{0, 1, 2, 2, 3, 3, 3}));
  EXPECT_EQ(values(digitize(x, test::tensor_of({2, 1, 0}, {3}, float32))),
            (V{3, 2, 1, 1, 0, 0, 0}));
  EXPECT_EQ(
      values(digitize(test::tensor_of({0, 1, 5}, {3}, int32), test::tensor_of({1, 3}, {2}, int32))),
      (V{0, 1, 2}));
  const Tensor seq = test::tensor_of({0, 1, 1, 2, nan}, {5}, float32);
  EXPECT_EQ(values(searchsorted(seq, x)), (V{0, 0, 1, 3, 3, 4, 4}));
  EXPECT_EQ(values(searchsorted(seq, x, "right")), (V{0, 1, 3, 3, 4, 4, 5}));
  const Tensor grid =
      searchsorted(test::tensor_of({1, 3}, {2}), test::tensor_of({0, 2, 3, 4}, {2, 2}));
  EXPECT_EQ(grid.shape(), (Shape{2, 2}));
  EXPECT_EQ(values(grid), (V{0, 1, 1, 2}));
  EXPECT_THROW(digitize(x, test::tensor_of({0, 2, 1}, {3})), ValueError);
  EXPECT_THROW(digitize(x, test::tensor_of({0, 1, 2, 3}, {2, 2})), ValueError);
  EXPECT_THROW(searchsorted(seq, x, "middle"), ValueError);
}

TEST(Elementwise, ComparisonsGiveBools) {
  const Tensor a = test::tensor_of({1, 2, 3});
  const Tensor b = test::tensor_of({2, 2, 2});
  auto bools = [](const Tensor& t) {
    EXPECT_EQ(t.dtype(), bool_);
    return test::to_doubles(t);
  };
  EXPECT_EQ(bools(equal(a, b)), (std::vector<double>{0, 1, 0}));
  EXPECT_EQ(bools(not_equal(a, b)), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(bools(less(a, b)), (std::vector<double>{1, 0, 0}));
  EXPECT_EQ(bools(less_equal(a, b)), (std::vector<double>{1, 1, 0}));
  EXPECT_EQ(bools(greater(a, b)), (std::vector<double>{0, 0, 1}));
  EXPECT_EQ(bools(greater_equal(a, b)), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(bools(greater(a, 1.5)), (std::vector<double>{0, 1, 1}));
  EXPECT_EQ(bools(logical_and(greater(a, 1.5), less(a, b))), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(bools(logical_or(greater(a, 2.5), less(a, b))), (std::vector<double>{1, 0, 1}));
  EXPECT_EQ(bools(logical_not(equal(a, b))), (std::vector<double>{1, 0, 1}));
}

TEST(Elementwise, WhereSelects) {
  const Tensor cond = greater(test::tensor_of({1, -1, 2}), 0.0);
  const Tensor y = where(cond, test::tensor_of({10, 20, 30}), test::tensor_of({-5}));
  test::expect_all_close(y, test::tensor_of({10, -5, 30}), 0, 0);
}

TEST(Elementwise, CastGradientFlowsBetweenFloatDtypes) {
  const Tensor x = test::tensor_of({1.5, -2.0, 0.25});
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensor y32 = cast(x, float32);
  const Tensor loss = sum(multiply(y32, y32));
  const Tensors g = tape.gradient(loss, {x});
  ASSERT_TRUE(g[0].defined());
  EXPECT_EQ(g[0].dtype(), float64);
  test::expect_all_close(g[0], test::tensor_of({3.0, -4.0, 0.5}), 1e-6, 0);
}

TEST(Elementwise, CastToIntegerStopsTheGradient) {
  const Tensor x = test::tensor_of({1.5, -2.0});
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensor y = cast(cast(x, int32), float64);
  const Tensor loss = sum(add(y, x));
  const Tensors g = tape.gradient(loss, {x});
  test::expect_all_close(g[0], test::tensor_of({1, 1}), 0, 0);  // only through `+ x`
}

TEST(Elementwise, StopGradientIsAConstantForTheTape) {
  const Tensor x = test::tensor_of({1, 2, 3});
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensor y = multiply(x, stop_gradient(x));
  const Tensors g = tape.gradient(sum(y), {x});
  test::expect_all_close(g[0], x, 0, 0);  // d/dx (x * c) = c = x, not 2x
  test::expect_all_close(stop_gradient(x), x, 0, 0);
  const Tensors none = [&] {
    autodiff::GradientTape t2;
    t2.watch(x);
    const Tensor z = sum(stop_gradient(x));
    return t2.gradient(z, {x});
  }();
  EXPECT_FALSE(none[0].defined());
}

TEST(Elementwise, BinaryGradientsReduceToBroadcastShapes) {
  const Tensor a = test::random_tensor({2, 1, 4}, float64, -1, 1, 3);
  const Tensor b = test::random_tensor({3, 1}, float64, -1, 1, 4);
  autodiff::GradientTape tape;
  tape.watch(a);
  tape.watch(b);
  const Tensors g = tape.gradient(sum(add(a, b)), {a, b});
  test::expect_all_close(g[0], full({2, 1, 4}, 3.0, float64), 0, 0);
  test::expect_all_close(g[1], full({3, 1}, 8.0, float64), 0, 0);
}

TEST(Elementwise, RejectsShapesThatDoNotBroadcast) {
  const Tensor a = zeros({2, 3}), b = zeros({4});
  test::expect_throws_with<ValueError>([&] { add(a, b); },
                                       "Cannot broadcast shapes (2, 3) and (4,)");
  test::expect_throws_with<ValueError>(
      [&] {
        multiply(zeros({2, 3}), zeros({3, 2}));
      },
      "Cannot broadcast");
  test::expect_throws_with<ValueError>([&] { where(zeros({2}, bool_), zeros({3}), zeros({3})); },
                                       "Cannot broadcast");
  test::expect_throws_with<ValueError>(
      [&] {
        less(zeros({5}), zeros({2, 3}));
      },
      "Cannot broadcast");
  EXPECT_THAT([&] { subtract(a, b); }, test::ThrowsMessage<ValueError>("Cannot broadcast"));
}

// Outputs of at least 64K elements are split across threads on row boundaries of broadcast
// operands: every layout against the reference, with rows that do not divide the chunks evenly.
TEST(Elementwise, LargeBroadcastsSplitAcrossThreadsMatchTheReference) {
  const Tensor a = keras::random::uniform({257, 301}, -2, 2, float32, 1);
  const Tensor row = keras::random::uniform({301}, 0.5, 2, float32, 2);
  const Tensor column = keras::random::uniform({257, 1}, 0.5, 2, float32, 3);
  const Tensor scalar = keras::random::uniform({}, 0.5, 2, float32, 4);
  auto run = [&] {
    return Tensors{add(a, row),
                   subtract(row, a),
                   multiply(a, column),
                   divide(column, a),
                   maximum(a, scalar),
                   subtract(scalar, a),
                   multiply(a, a),
                   relu(a),
                   tanh(a)};
  };
  Tensors ref;
  {
    backend::ScopedBackend scope(backend::reference_backend());
    ref = run();
  }
  const Tensors fast = run();
  for (size_t i = 0; i < ref.size(); ++i) {
    SCOPED_TRACE(i);
    test::expect_all_close(fast[i], ref[i], 1e-6, 1e-6);
  }
}

TEST(Elementwise, AssignWritesInPlace) {
  for (backend::Backend* be : {&backend::reference_backend(), &backend::cpu_backend()}) {
    backend::ScopedBackend scope(*be);
    SCOPED_TRACE(be->name());
    const Tensor t = test::tensor_of({1, 2, 3, 4, 5, 6}, {2, 3});
    const Tensor view = t.reshape({6});
    assign(t, test::tensor_of({10, 20, 30}));
    test::expect_all_close(view, test::tensor_of({10, 20, 30, 10, 20, 30}), 0, 0);
    assign_add(t, test::tensor_of({1, 2}, {2, 1}));
    test::expect_all_close(t, test::tensor_of({11, 21, 31, 12, 22, 32}, {2, 3}), 0, 0);
    assign_add(t, t);  // the value may alias the target
    test::expect_all_close(t, test::tensor_of({22, 42, 62, 24, 44, 64}, {2, 3}), 0, 0);
    assign(t, test::tensor_of({0.5}, Shape{}, float32));  // cast to the target's dtype
    test::expect_all_close(t, full({2, 3}, 0.5, float64), 0, 0);
  }
}

TEST(Elementwise, AssignAddReplaysFromAKernelTrace) {
  const Tensor acc = zeros({3}, float64);
  const Tensor step = test::tensor_of({1, 2, 3});
  std::vector<autodiff::Kernel> kernels;
  {
    autodiff::KernelTrace trace;
    assign_add(acc, step);
    kernels = trace.take();
  }
  ASSERT_FALSE(kernels.empty());
  for (int i = 0; i < 2; ++i) {
    for (auto& k : kernels) k();
  }
  test::expect_all_close(acc, test::tensor_of({3, 6, 9}), 0, 0);
}

TEST(Elementwise, AssignRejectsValuesThatDoNotFit) {
  test::expect_throws_with<ValueError>(
      [] {
        assign(zeros({3}), zeros({2, 3}));
      },
      "assign: cannot assign a value of shape (2, 3) to a tensor of shape (3,)");
  test::expect_throws_with<ValueError>(
      [] {
        assign_add(zeros({3}), zeros({2, 1}));
      },
      "assign_add: cannot add a value of shape (2, 1) to a tensor of shape (3,)");
  test::expect_throws_with<ValueError>(
      [] {
        assign(zeros({2, 3}), zeros({4}));
      },
      "Cannot broadcast");
}

// BUG (src/backend/cpu/elementwise.cpp, classify(), the `Layout::column` branch): for an operand
// whose element count n is 0 (a zero-size leading dimension followed by 1s, e.g. [0, 1] against
// an output of shape [0, 3]) it computes `*inner = num_elements(y) / n`, an integer division by
// zero (SIGFPE). This also crashes backward passes on empty batches (e.g. the max/min gradient
// multiplies a [0, 3] mask by a [0, 1] gradient). The reference backend handles these shapes.
// Fix: return early from CpuBackend::binary when y.size() == 0 (or treat n == 0 as
// Layout::other). Run as death tests so the crash cannot take the test binary down.
TEST(ElementwiseDeathTest, CpuBroadcastWithAnEmptyColumnOperand) {
  backend::ScopedBackend scope(backend::cpu_backend());
  EXPECT_EXIT(
      {
        const Tensor y = add(zeros({0, 3}), zeros({0, 1}));
        std::exit(y.shape() == Shape{0, 3} ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
  EXPECT_EXIT(
      {
        const Tensor y = multiply(zeros({0, 1}), zeros({1, 3}));
        std::exit(y.shape() == Shape{0, 3} ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

}  // namespace
}  // namespace keras::ops
