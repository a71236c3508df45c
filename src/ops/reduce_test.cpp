#include "keras/ops/reduce.h"

#include <gtest/gtest.h>

#include <cmath>
#include <cstdlib>
#include <limits>
#include <optional>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/ops/conv.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

using test::OpCase;

using ReduceFn = Tensor (*)(const Tensor&, std::vector<int>, bool);

struct NamedReduce {
  const char* name;
  ReduceFn fn;
  double lo, hi;
};

struct AxesCase {
  const char* name;
  std::vector<int> axes;
  Shape out_keep, out_drop;  // for an input of shape [2, 3, 4]
};

std::vector<OpCase> reduction_cases() {
  const NamedReduce ops[] = {
      {"sum", sum, -2, 2}, {"mean", mean, -2, 2},    {"max", max, -2, 2},
      {"min", min, -2, 2}, {"prod", prod, 0.5, 1.5},
  };
  const AxesCase axes[] = {
      {"all", {}, {1, 1, 1}, {}},
      {"axis0", {0}, {1, 3, 4}, {3, 4}},
      {"axis1", {1}, {2, 1, 4}, {2, 4}},
      {"axis_neg1", {-1}, {2, 3, 1}, {2, 3}},
      {"axes02", {0, 2}, {1, 3, 1}, {3}},
      {"axes12", {1, 2}, {2, 1, 1}, {2}},
      {"axes01", {0, 1}, {1, 1, 4}, {4}},
      {"axes20_unsorted", {2, 0}, {1, 3, 1}, {3}},
      {"axes_repeated", {-1, 2}, {2, 3, 1}, {2, 3}},
      {"axes012", {0, 1, 2}, {1, 1, 1}, {}},
  };
  std::vector<OpCase> cases;
  for (const NamedReduce& op : ops) {
    for (const AxesCase& a : axes) {
      for (bool keepdims : {false, true}) {
        cases.push_back({.name = std::string(op.name) + "_" + a.name + (keepdims ? "_keep" : ""),
                         .input_shapes = {{2, 3, 4}},
                         .fn = [fn = op.fn, ax = a.axes,
                                keepdims](const Tensors& x) { return fn(x[0], ax, keepdims); },
                         .lo = op.lo,
                         .hi = op.hi,
                         .expected_shape = keepdims ? a.out_keep : a.out_drop,
                         .expected_dtype = float32});
      }
    }
    // Degenerate shapes: a scalar, a vector, a size-1 axis.
    cases.push_back({.name = std::string(op.name) + "_of_scalar",
                     .input_shapes = {{}},
                     .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], {}, false); },
                     .lo = op.lo,
                     .hi = op.hi,
                     .expected_shape = Shape{}});
    cases.push_back({.name = std::string(op.name) + "_of_vector",
                     .input_shapes = {{5}},
                     .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], {0}, false); },
                     .lo = op.lo,
                     .hi = op.hi,
                     .expected_shape = Shape{}});
    cases.push_back({.name = std::string(op.name) + "_size1_axis",
                     .input_shapes = {{3, 1, 2}},
                     .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], {1}, false); },
                     .lo = op.lo,
                     .hi = op.hi,
                     .expected_shape = Shape{3, 2}});
    cases.push_back({.name = std::string(op.name) + "_2d_rows",
                     .input_shapes = {{4, 3}},
                     .fn = [fn = op.fn](const Tensors& x) { return fn(x[0], {1}, true); },
                     .lo = op.lo,
                     .hi = op.hi,
                     .expected_shape = Shape{4, 1}});
  }
  // The int-axis overloads.
  cases.push_back({.name = "sum_int_axis",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return sum(x[0], 1, true); },
                   .expected_shape = Shape{2, 1}});
  cases.push_back({.name = "mean_int_axis",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return mean(x[0], -1); },
                   .expected_shape = Shape{2}});
  cases.push_back({.name = "max_int_axis",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return max(x[0], 0); },
                   .expected_shape = Shape{3}});
  cases.push_back({.name = "min_int_axis",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return min(x[0], 0, true); },
                   .expected_shape = Shape{1, 3}});
  // prod with negative values (kept away from 0).
  cases.push_back({.name = "prod_mixed_signs",
                   .input_shapes = {{2, 3}},
                   .fn = [](const Tensors& x) { return prod(x[0], {1}); },
                   .make_inputs = test::inputs_away_from({{2, 3}}, {0.0}, -2, 2, 0.3)});
  // Reductions of computed values: mean of squares, softmax-like normalization.
  cases.push_back(
      {.name = "x_minus_max_over_sum", .input_shapes = {{3, 4}}, .fn = [](const Tensors& x) {
         Tensor e = exp(subtract(x[0], max(x[0], -1, true)));
         return divide(e, sum(e, -1, true));
       }});
  return cases;
}

const std::vector<OpCase> kReductionCases = reduction_cases();
KERAS_INSTANTIATE_OP_TESTS(Reduce, kReductionCases);

const OpCase kIntegerReductionCases[] = {
    {.name = "sum_int32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return sum(x[0], {0}); },
     .lo = -9,
     .hi = 9,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_shape = Shape{3},
     .expected_dtype = int32},
    {.name = "sum_bool_counts",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return sum(x[0]); },
     .forward_only = true,
     .input_dtypes = {bool_},
     .expected_shape = Shape{},
     .expected_dtype = int32},
    {.name = "max_int64",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return max(x[0], {1}, true); },
     .lo = -9,
     .hi = 9,
     .forward_only = true,
     .input_dtypes = {int64},
     .expected_shape = Shape{2, 1},
     .expected_dtype = int64},
    {.name = "min_uint8",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return min(x[0]); },
     .lo = 0,
     .hi = 200,
     .forward_only = true,
     .input_dtypes = {uint8},
     .expected_dtype = uint8},
    {.name = "prod_int32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return prod(x[0], {1}); },
     .lo = -3,
     .hi = 3,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_dtype = int32},
    {.name = "mean_int32_is_float32",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return mean(x[0], {1}); },
     .lo = -9,
     .hi = 9,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_dtype = float32},
};
KERAS_INSTANTIATE_OP_TESTS(IntegerReduce, kIntegerReductionCases);

std::vector<OpCase> arg_reduce_cases() {
  using ArgFn = Tensor (*)(const Tensor&, int, bool);
  const std::pair<const char*, ArgFn> ops[] = {{"argmax", argmax}, {"argmin", argmin}};
  struct AxisCase {
    const char* name;
    int axis;
    bool keepdims;
    Shape out;
  };
  const AxisCase axes[] = {
      {"axis0", 0, false, {3, 4}},
      {"axis1", 1, false, {2, 4}},
      {"axis_neg1", -1, false, {2, 3}},
      {"axis0_keep", 0, true, {1, 3, 4}},
      {"axis_neg1_keep", -1, true, {2, 3, 1}},
  };
  std::vector<OpCase> cases;
  for (const auto& [name, fn] : ops) {
    for (const AxisCase& a : axes) {
      cases.push_back(
          {.name = std::string(name) + "_" + a.name,
           .input_shapes = {{2, 3, 4}},
           .fn = [fn = fn, a](const Tensors& x) { return fn(x[0], a.axis, a.keepdims); },
           .forward_only = true,
           .expected_shape = a.out,
           .expected_dtype = int32});
    }
    cases.push_back({.name = std::string(name) + "_int32_input",
                     .input_shapes = {{3, 5}},
                     .fn = [fn = fn](const Tensors& x) { return fn(x[0], -1, false); },
                     .lo = -20,
                     .hi = 20,
                     .forward_only = true,
                     .input_dtypes = {int32},
                     .expected_shape = Shape{3},
                     .expected_dtype = int32});
    cases.push_back({.name = std::string(name) + "_vector",
                     .input_shapes = {{7}},
                     .fn = [fn = fn](const Tensors& x) { return fn(x[0], 0, false); },
                     .forward_only = true,
                     .expected_shape = Shape{},
                     .expected_dtype = int32});
  }
  return cases;
}

const std::vector<OpCase> kArgReduceCases = arg_reduce_cases();
KERAS_INSTANTIATE_OP_TESTS(ArgReduce, kArgReduceCases);

// Larger shapes: the CPU backend's float sum/mean fast paths (leading or trailing axes) against
// the reference loops, which accumulate in double.
const OpCase kLargeReductionCases[] = {
    {.name = "sum_large_leading",
     .input_shapes = {{67, 33}},
     .fn = [](const Tensors& x) { return sum(x[0], {0}); },
     .parity_tol = 1e-4},
    {.name = "sum_large_trailing",
     .input_shapes = {{33, 67}},
     .fn = [](const Tensors& x) { return sum(x[0], {1}, true); },
     .parity_tol = 1e-4},
    {.name = "mean_large_two_leading",
     .input_shapes = {{9, 11, 13}},
     .fn =
         [](const Tensors& x) {
           return mean(x[0], {0, 1});
         },
     .parity_tol = 1e-4},
    {.name = "mean_large_two_trailing",
     .input_shapes = {{9, 11, 13}},
     .fn =
         [](const Tensors& x) {
           return mean(x[0], {1, 2}, true);
         },
     .parity_tol = 1e-4},
    {.name = "sum_large_all",
     .input_shapes = {{1200}},
     .fn = [](const Tensors& x) { return sum(x[0]); },
     .parity_tol = 1e-4},
    {.name = "sum_over_an_empty_axis",
     .input_shapes = {{3, 0}},
     .fn = [](const Tensors& x) { return sum(x[0], {1}); },
     .expected_shape = Shape{3}},
    {.name = "sum_of_an_empty_batch",
     .input_shapes = {{0, 3}},
     .fn = [](const Tensors& x) { return sum(x[0], {0}, true); },
     .expected_shape = Shape{1, 3}},
    {.name = "max_large_middle",
     .input_shapes = {{9, 11, 13}},
     .fn = [](const Tensors& x) { return max(x[0], {1}); }},
};
KERAS_INSTANTIATE_OP_TESTS(LargeReduce, kLargeReductionCases);

// ---- values, gradients and errors ----

TEST(Reduce, ComputesKnownValues) {
  const Tensor x = test::tensor_of({1, -2, 3, 4, 5, -6}, {2, 3});
  test::expect_all_close(sum(x), test::tensor_of({5}, Shape{}), 0, 0);
  test::expect_all_close(sum(x, {0}), test::tensor_of({5, 3, -3}), 0, 0);
  test::expect_all_close(sum(x, {1}, true), test::tensor_of({2, 3}, {2, 1}), 0, 0);
  test::expect_all_close(mean(x, {1}), test::tensor_of({2.0 / 3, 1}), 1e-15, 0);
  test::expect_all_close(max(x, {1}), test::tensor_of({3, 5}), 0, 0);
  test::expect_all_close(min(x, {0}), test::tensor_of({1, -2, -6}), 0, 0);
  test::expect_all_close(prod(x, {1}), test::tensor_of({-6, -120}), 0, 0);
  test::expect_all_close(mean(arange(4, int32)), test::tensor_of({1.5}, Shape{}, float32), 0, 0);
}

// The CPU backend's max and min over a block of axes (first, middle, last, several) give the
// reference's values bit for bit, NaN, signed zeros and all-NaN rows included.
TEST(Reduce, MaxAndMinOverABlockOfAxesMatchTheReference) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  for (const DType dt : {float32, float64}) {
    Tensor x = cast(test::random_tensor({3, 4, 5, 6}, float64, -2, 2, 11), dt);
    Tensor h = cast(x, float64);
    double* p = h.data<double>();
    p[9] = nan;
    p[40] = -0.0;
    p[41] = 0.0;
    for (int i = 0; i < 4 * 5; ++i) p[i * 6 + 1] = i % 2 ? 0.0 : -0.0;  // x[0, :, :, 1]: only zeros
    for (int i = 0; i < 4 * 5 * 6; i += 6) p[120 + i] = nan;            // all of x[1, :, :, 0]
    x = cast(h, dt);
    for (const std::vector<int>& axes :
         std::vector<std::vector<int>>{{0}, {1}, {2}, {3}, {1, 2}, {0, 1}, {2, 3}, {0, 1, 2, 3}}) {
      for (const bool is_max : {true, false}) {
        auto f = [&] { return is_max ? max(x, axes) : min(x, axes); };
        Tensor ref;
        {
          backend::ScopedBackend scope(backend::reference_backend());
          ref = f();
        }
        EXPECT_TRUE(test::identical(f(), ref))
            << dtype_name(dt) << (is_max ? " max" : " min") << " over " << axes.size()
            << " axes from " << axes[0];
      }
    }
  }
}

TEST(Reduce, ArgmaxAndArgminTakeTheFirstExtreme) {
  const Tensor x = test::tensor_of({1, 3, 3, 0, 0, 2}, {2, 3});
  EXPECT_EQ(test::to_doubles(argmax(x, 1)), (std::vector<double>{1, 2}));
  EXPECT_EQ(test::to_doubles(argmin(x, 1)), (std::vector<double>{0, 0}));
  EXPECT_EQ(test::to_doubles(argmax(x, 0)), (std::vector<double>{0, 0, 0}));
  EXPECT_EQ(test::to_doubles(argmin(x, 0)), (std::vector<double>{1, 1, 1}));
  EXPECT_EQ(test::to_doubles(argmin(x, -1)), (std::vector<double>{0, 0}));
  const Tensor t = test::tensor_of({5, 5, 5});
  EXPECT_EQ(argmax(t).item<int>(), 0);
  EXPECT_EQ(argmin(t).item<int>(), 0);
  EXPECT_EQ(argmax(x, 1, true).shape(), (Shape{2, 1}));
  EXPECT_EQ(argmax(x).dtype(), int32);
}

// NaN and infinities as NumPy and Keras 3 give them, on the CPU and the reference backends: max
// and min (and max pooling) are NaN where a NaN is, argmax and argmin point at the first NaN,
// maximum and minimum are NaN if either argument is, sign(NaN) is NaN; the max of -inf alone is
// -inf (also in float64), and logsumexp over a row with +inf is +inf.
TEST(Reduce, NaNAndInfinitiesAsKeras) {
  const double nan = std::numeric_limits<double>::quiet_NaN(),
               inf = std::numeric_limits<double>::infinity();
  auto same = [](const Tensor& got, const std::vector<double>& want) {  // NaN matches NaN
    test::expect_all_close(got, test::tensor_of(want, got.shape(), got.dtype()), 0, 0);
  };
  for (const bool reference : {false, true}) {
    SCOPED_TRACE(reference ? "reference" : "cpu");
    std::optional<backend::ScopedBackend> scope;
    if (reference) scope.emplace(backend::reference_backend());
    for (const DType dt : {float32, float64}) {
      const Tensor x = test::tensor_of({1, nan, 3, -inf, 2, 0.5, -inf, -inf, -inf}, {3, 3}, dt);
      same(max(x, {1}), {nan, 2, -inf});
      same(min(x, {1}), {nan, -inf, -inf});
      same(max(x, {0}), {1, nan, 3});
      same(argmax(x, 1), {1, 1, 0});
      same(argmin(x, 1), {1, 0, 0});
      same(maximum(x, 0.5), {1, nan, 3, 0.5, 2, 0.5, 0.5, 0.5, 0.5});
      same(minimum(full_like(x, 0.5), x), {0.5, nan, 0.5, -inf, 0.5, 0.5, -inf, -inf, -inf});
      same(sign(x), {1, nan, 1, -1, 1, 1, -1, -1, -1});
      same(logsumexp(test::tensor_of({inf, -inf, 0.5, -inf, -inf, -inf}, {2, 3}, dt), {1}),
           {inf, -inf});
      const Tensor seq = reshape(x, {1, 9, 1});
      same(max_pool(seq, {3}), {nan, 2, -inf});
    }
  }
}

TEST(Reduce, MeanGradientIsUniform) {
  const Tensor x = test::random_tensor({2, 4}, float64, -1, 1, 9);
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensors g = tape.gradient(mean(x, {1}), {x});
  test::expect_all_close(g[0], full({2, 4}, 0.25, float64), 0, 0);
}

TEST(Reduce, MaxGradientGoesToTheMaximum) {
  const Tensor x = test::tensor_of({1, 7, 3, 9, 2, 4}, {2, 3});
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensors g = tape.gradient(add(max(x, {1}), min(x, {1})), {x});
  test::expect_all_close(g[0], test::tensor_of({1, 1, 0, 1, 1, 0}, {2, 3}), 0, 0);
}

TEST(Reduce, ProdGradientIsTheProductOfTheOthers) {
  const Tensor x = test::tensor_of({2, 3, 4});
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensors g = tape.gradient(prod(x), {x});
  test::expect_all_close(g[0], test::tensor_of({12, 8, 6}), 1e-15, 0);
}

// BUG (src/ops/reduce.cpp, ReduceOp::prod backward): the gradient is computed as dy * prod(x) / x,
// which is 0 / 0 = NaN for an element equal to 0. d prod / d x_i is the product of the other
// elements, e.g. [0, 2, 3] -> [6, 0, 0] (what Keras/JAX and TensorFlow return).
TEST(Reduce, ProdGradientWithAZeroElement) {
  const Tensor x = test::tensor_of({0, 2, 3});
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensors g = tape.gradient(prod(x), {x});
  test::expect_all_close(g[0], test::tensor_of({6, 0, 0}), 1e-15, 0);
}

TEST(Reduce, RejectsBadAxes) {
  const Tensor x = zeros({2, 3});
  test::expect_throws_with<ValueError>([&] { sum(x, {2}); },
                                       "axis 2 is out of bounds for a tensor of rank 2");
  test::expect_throws_with<ValueError>([&] { mean(x, {-3}); }, "out of bounds");
  test::expect_throws_with<ValueError>([&] { max(x, {0, 5}); }, "out of bounds");
  test::expect_throws_with<ValueError>([&] { argmax(x, 2); }, "out of bounds");
  test::expect_throws_with<ValueError>([&] { argmin(x, -3); }, "out of bounds");
}

TEST(Reduce, RejectsEmptyExtremes) {
  const Tensor e = zeros({0, 3});
  test::expect_throws_with<ValueError>([&] { argmax(e, 0); },
                                       "attempt to get argmax/argmin of an empty sequence");
  test::expect_throws_with<ValueError>([&] { argmin(zeros({0}), 0); }, "empty sequence");
  test::expect_throws_with<ValueError>([&] { max(e); },
                                       "zero-size array to reduction operation max");
  test::expect_throws_with<ValueError>([&] { min(e, {0}); },
                                       "zero-size array to reduction operation min");
  // Reducing the non-empty axis is fine; sums of nothing are 0, means NaN (0 / 0, as NumPy).
  EXPECT_EQ(max(e, {1}).shape(), Shape{0});
  test::expect_all_close(sum(e, {0}), zeros({3}), 0, 0);
  for (const Tensor& m : {mean(e, {0}), mean(ones({2, 0, 3}), {1}), mean(zeros({0}))}) {
    const Tensor h = m.cpu();
    for (int64_t i = 0; i < h.size(); ++i) EXPECT_TRUE(std::isnan(h.data<float>()[i])) << m;
  }
}

// Once a bug: arg_reduce divided by zero (SIGFPE) when a dimension after `axis` is 0, e.g.
// argmax(zeros({3, 0}), 0), which returns an empty [0] tensor as NumPy does. Run as a death test
// so that a regression cannot take the test binary down.
TEST(ReduceDeathTest, ArgmaxOverANonEmptyAxisOfAnEmptyTensor) {
  EXPECT_EXIT(
      {
        const Tensor y = argmax(zeros({3, 0}), 0);
        std::exit(y.shape() == Shape{0} ? 0 : 1);
      },
      ::testing::ExitedWithCode(0), "");
}

const OpCase kAverageCases[] = {
    {.name = "average_all",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return average(x[0]); },
     .expected_shape = Shape{}},
    {.name = "average_weights_of_the_input_shape",
     .input_shapes = {{3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return average(x[0], 1, add(square(x[1]), 0.5)); },
     .expected_shape = Shape{3}},
    {.name = "average_vector_weights_along_an_axis",
     .input_shapes = {{2, 3, 4}, {3}},
     .fn = [](const Tensors& x) { return average(x[0], -2, add(square(x[1]), 0.5)); },
     .expected_shape = Shape{2, 4}},
};
KERAS_INSTANTIATE_OP_TESTS(Average, kAverageCases);

TEST(Average, ValuesAndErrors) {
  const Tensor x = Tensor::from_vector<float>({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor w = Tensor::from_vector<float>({1, 0, 3}, {3});
  EXPECT_EQ(test::to_doubles(average(x, 1, w)), (std::vector<double>{2.5, 5.5}));
  EXPECT_EQ(test::to_doubles(average(x, 0)), (std::vector<double>{2.5, 3.5, 4.5}));
  EXPECT_EQ(average(Tensor::from_vector<int32_t>({1, 2}, {2})).dtype(), float32);
  test::expect_throws_with<ValueError>([&] { average(x, std::nullopt, w); }, "give an axis");
  test::expect_throws_with<ValueError>([&] { average(x, 0, w); }, "length of axis 0");
}

// NaN left out (JAX's values): an all-NaN row has NaN variance and index -1.
TEST(NanReductions, VarianceCumulativeAndArgIgnoreNaN) {
  const Tensor x = Tensor::from_vector<float>({1, NAN, 3, NAN, NAN, NAN, 2, 2, NAN}, {3, 3});
  const std::vector<double> var = test::to_doubles(nanvar(x, {1}));
  EXPECT_EQ(var[0], 1.0);
  EXPECT_TRUE(std::isnan(var[1]));
  EXPECT_EQ(var[2], 0.0);
  EXPECT_EQ(test::to_doubles(nanstd(x, {1}))[0], 1.0);
  EXPECT_EQ(test::to_doubles(nanargmax(x, 1)), (std::vector<double>{2, -1, 0}));
  EXPECT_EQ(test::to_doubles(nanargmin(x, 1)), (std::vector<double>{0, -1, 0}));
  EXPECT_EQ(test::to_doubles(nancumsum(x, 1)), (std::vector<double>{1, 1, 4, 0, 0, 0, 2, 4, 4}));
  EXPECT_EQ(test::to_doubles(nancumprod(x)), (std::vector<double>{1, 1, 3, 3, 3, 3, 6, 12, 12}));
  const Tensor ints = Tensor::from_vector<int32_t>({1, 2, 4}, {3});
  EXPECT_EQ(nancumsum(ints).dtype(), int32);
  EXPECT_EQ(test::to_doubles(nanargmax(ints, 0)), (std::vector<double>{2}));
}

}  // namespace
}  // namespace keras::ops
