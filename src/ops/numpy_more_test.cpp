// keras.ops' NumPy functions of Keras 3's later releases: flips, splits, dstack, meshgrid,
// unravel_index (shape.h); linspace, logspace, geomspace, kaiser, correlate, bincount (math.h);
// argpartition (sort.h); nanmedian, nanquantile, nanpercentile (reduce.h); isreal, conj
// (elementwise.h). Op cases for the differentiable ones; values, dtypes and errors against
// keras.ops on JAX (Keras 3.15), pasted beside the Keras call that gave them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"
#include "keras/ops/sort.h"

namespace keras::ops {
namespace {

using test::OpCase;
using test::tensor_of;
using test::to_doubles;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();

Tensor cat(const Tensors& parts, int axis) {
  Tensors flat;
  for (const Tensor& p : parts) flat.push_back(p);
  return concatenate(flat, axis);
}

const OpCase kShapeCases[] = {
    {.name = "fliplr_3d",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return fliplr(x[0]); },
     .expected_shape = Shape{2, 3, 4}},
    {.name = "flipud_2d",
     .input_shapes = {{3, 2}},
     .fn = [](const Tensors& x) { return flipud(x[0]); },
     .expected_shape = Shape{3, 2}},
    {.name = "hsplit_sections_reordered",
     .input_shapes = {{2, 6}},
     .fn =
         [](const Tensors& x) {
           const Tensors p = hsplit(x[0], 3);
           return cat({p[2], p[0]}, 1);
         },
     .expected_shape = Shape{2, 4}},
    {.name = "hsplit_vector_indices",
     .input_shapes = {{6}},
     .fn =
         [](const Tensors& x) {
           return hsplit(x[0], std::vector<int64_t>{1, 4})[1];
         },
     .expected_shape = Shape{3}},
    {.name = "vsplit_sections",
     .input_shapes = {{4, 3}},
     .fn =
         [](const Tensors& x) {
           const Tensors p = vsplit(x[0], 2);
           return multiply(p[0], p[1]);
         },
     .expected_shape = Shape{2, 3}},
    {.name = "dsplit_indices",
     .input_shapes = {{2, 2, 4}},
     .fn = [](const Tensors& x) { return dsplit(x[0], std::vector<int64_t>{1})[1]; },
     .expected_shape = Shape{2, 2, 3}},
    {.name = "dstack_vectors",
     .input_shapes = {{3}, {3}},
     .fn =
         [](const Tensors& x) {
           return dstack({x[0], x[1]});
         },
     .expected_shape = Shape{1, 3, 2}},
    {.name = "dstack_matrix_and_3d",
     .input_shapes = {{2, 3}, {2, 3, 2}},
     .fn =
         [](const Tensors& x) {
           return dstack({x[0], x[1]});
         },
     .expected_shape = Shape{2, 3, 3}},
    {.name = "meshgrid_xy_product",
     .input_shapes = {{3}, {2}},
     .fn =
         [](const Tensors& x) {
           const Tensors g = meshgrid({x[0], x[1]});
           return multiply(g[0], g[1]);
         },
     .expected_shape = Shape{2, 3}},
    {.name = "meshgrid_ij_three",
     .input_shapes = {{2}, {3}, {2}},
     .fn =
         [](const Tensors& x) {
           const Tensors g = meshgrid({x[0], x[1], x[2]}, "ij");
           return add(multiply(g[0], g[1]), g[2]);
         },
     .expected_shape = Shape{2, 3, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(NumpyMoreShape, kShapeCases);

const OpCase kMathCases[] = {
    {.name = "linspace_last_axis",
     .input_shapes = {{2}, {2}},
     .fn = [](const Tensors& x) { return linspace(x[0], x[1], 5, true, std::nullopt, -1); },
     .expected_shape = Shape{2, 5}},
    {.name = "linspace_no_endpoint_broadcast",
     .input_shapes = {{3}, {2, 1}},
     .fn = [](const Tensors& x) { return linspace(x[0], x[1], 4, false); },
     .expected_shape = Shape{4, 2, 3}},
    {.name = "logspace_base2",
     .input_shapes = {{2}, {2}},
     .fn = [](const Tensors& x) { return logspace(x[0], x[1], 4, true, 2.0); },
     .expected_shape = Shape{4, 2}},
    {.name = "geomspace_axis1",
     .input_shapes = {{2}, {2}},
     .fn = [](const Tensors& x) { return geomspace(x[0], x[1], 3, true, std::nullopt, 1); },
     .lo = 0.5,
     .hi = 3,
     .expected_shape = Shape{2, 3}},
    {.name = "correlate_valid",
     .input_shapes = {{5}, {3}},
     .fn = [](const Tensors& x) { return correlate(x[0], x[1]); },
     .expected_shape = Shape{3}},
    {.name = "correlate_same_swapped",
     .input_shapes = {{2}, {6}},
     .fn = [](const Tensors& x) { return correlate(x[0], x[1], "same"); },
     .expected_shape = Shape{6}},
    {.name = "correlate_full",
     .input_shapes = {{4}, {3}},
     .fn = [](const Tensors& x) { return correlate(x[0], x[1], "full"); },
     .expected_shape = Shape{6}},
    {.name = "bincount_weights",
     .input_shapes = {{6}, {6}},
     .fn = [](const Tensors& x) { return bincount(x[0], x[1], 5); },
     .differentiable = {false, true},
     .make_inputs =
         [] {
           return Tensors{tensor_of({1, 3, 3, 0, 1, 1}, {6}, int32),
                          test::random_tensor({6}, float64, -1, 1, 7)};
         },
     .expected_shape = Shape{5}},
    {.name = "bincount_rows",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return bincount(x[0], x[1]); },
     .differentiable = {false, true},
     .make_inputs =
         [] {
           return Tensors{tensor_of({1, 2, 2, 0, 0, 4}, {2, 3}, int32),
                          test::random_tensor({2, 3}, float64, -1, 1, 8)};
         },
     .expected_shape = Shape{2, 5}},
};
KERAS_INSTANTIATE_OP_TESTS(NumpyMoreMath, kMathCases);

const OpCase kStatisticsCases[] = {
    {.name = "nanmedian_axis1",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return nanmedian(x[0], {1}); },
     .expected_shape = Shape{3}},
    {.name = "nanquantile_linear_axis0_keepdims",
     .input_shapes = {{5, 2}},
     .fn = [](const Tensors& x) { return nanquantile(x[0], 0.3, {0}, "linear", true); },
     .expected_shape = Shape{1, 2}},
    {.name = "nanpercentile_list_midpoint",
     .input_shapes = {{2, 5}},
     .fn =
         [](const Tensors& x) {
           return nanpercentile(x[0], tensor_of({10, 50, 90}, {3}), {-1}, "midpoint");
         },
     .expected_shape = Shape{3, 2}},
    // NaNs where the gradient check never moves them (make_inputs keeps them as given).
    {.name = "nanquantile_with_nans",
     .input_shapes = {{2, 4}},
     .fn = [](const Tensors& x) { return nanquantile(x[0], 0.4, {1}); },
     .make_inputs =
         [] {
           return Tensors{tensor_of({0.3, kNaN, -1.2, 0.8, kNaN, 1.5, 0.1, -0.4}, {2, 4})};
         },
     .expected_shape = Shape{2}},
    {.name = "argpartition_kth2",
     .input_shapes = {{3, 5}},
     .fn = [](const Tensors& x) { return argpartition(x[0], 2); },
     .forward_only = true,
     .expected_shape = Shape{3, 5},
     .expected_dtype = int32},
};
KERAS_INSTANTIATE_OP_TESTS(NumpyMoreStatistics, kStatisticsCases);

void expect_values(
    const Tensor& t, DType dtype, const Shape& shape, std::vector<double> values, double tol = 0) {
  EXPECT_EQ(t.dtype(), dtype);
  EXPECT_EQ(t.shape(), shape);
  test::expect_all_close(cast(t, float64), tensor_of(values, shape), tol, tol);
}

TEST(NumpyMore, SpacingMatchesKeras) {
  // keras.ops.linspace(0, 10, 4, dtype="int32") / linspace(-3, 4, 6, dtype="int32")
  expect_values(linspace(0.0, 10.0, 4, true, int32), int32, {4}, {0, 3, 6, 10});
  expect_values(linspace(-3.0, 4.0, 6, true, int32), int32, {6}, {-3, -2, -1, 1, 2, 4});
  // linspace(int32 2, int32 7, 4): float32
  expect_values(linspace(tensor_of({2}, {}, int32), tensor_of({7}, {}, int32), 4), float32, {4},
                {2.0, 3.6666667461395264, 5.333333492279053, 7.0}, 1e-7);
  // linspace(0., 1., 5, endpoint=False); num 1 and 0
  expect_values(
      linspace(0.0, 1.0, 5, false), float32, {5},
      {0.0, 0.20000000298023224, 0.4000000059604645, 0.6000000238418579, 0.800000011920929});
  expect_values(linspace(2.0, 5.0, 1), float32, {1}, {2.0});
  expect_values(linspace(2.0, 5.0, 0), float32, {0}, {});
  // linspace([0., 1.], [[2., 5.]], 3, axis=0) in float32: (3, 1, 2)
  expect_values(linspace(tensor_of({0, 1}, {2}, float32), tensor_of({2, 5}, {1, 2}, float32), 3),
                float32, {3, 1, 2}, {0, 1, 1, 3, 2, 5});
  // float64 stays float64 (Keras on JAX without x64 would give float32)
  EXPECT_EQ(linspace(tensor_of({0}, {}), tensor_of({1}, {}), 3).dtype(), float64);
  // logspace(0, 2, 3), logspace(0., 3., 3, base=2, endpoint=False), logspace(0, 2, 3, "int32"),
  // logspace([0., 1.], 2., 3, axis=1)
  expect_values(logspace(0.0, 2.0, 3), float32, {3}, {1, 10, 100}, 1e-5);
  expect_values(logspace(0.0, 3.0, 3, false, 2.0), float32, {3}, {1, 2, 4}, 1e-6);
  expect_values(logspace(0.0, 2.0, 3, true, 10.0, int32), int32, {3}, {1, 10, 100});
  expect_values(logspace(tensor_of({0, 1}, {2}, float32), tensor_of({2}, {}, float32), 3, true,
                         10.0, std::nullopt, 1),
                float32, {2, 3}, {1.0, 10.0, 100.0, 10.0, 31.62277603149414, 100.0}, 1e-5);
  // geomspace(1, 1000, 4), (-1, -1000, 4), (1., 16., 4, endpoint=False), (1, 1000, 4, "int32"),
  // (-1., 1000., 4) and (0., 10., 4): NaN; ([1., 2.], [8., 32.], 3, axis=-1)
  expect_values(geomspace(1.0, 1000.0, 4), float32, {4},
                {1.0, 10.00000286102295, 100.00005340576172, 1000.0}, 2e-5);
  expect_values(geomspace(-1.0, -1000.0, 4), float32, {4},
                {-1.0, -10.00000286102295, -100.00005340576172, -1000.0}, 2e-5);
  expect_values(geomspace(1.0, 16.0, 4, false), float32, {4}, {1, 2, 4.000000476837158, 8}, 1e-6);
  expect_values(geomspace(1.0, 1000.0, 4, true, int32), int32, {4}, {1, 10, 100, 1000});
  EXPECT_TRUE(std::isnan(to_doubles(geomspace(-1.0, 1000.0, 4))[1]));
  EXPECT_TRUE(std::isnan(to_doubles(geomspace(0.0, 10.0, 4))[2]));
  expect_values(geomspace(tensor_of({1, 2}, {2}, float32), tensor_of({8, 32}, {2}, float32), 3,
                          true, std::nullopt, -1),
                float32, {2, 3}, {1.0, 2.8284270763397217, 8.0, 2.0, 8.0, 31.999998092651367},
                1e-5);
}

TEST(NumpyMore, SpacingGradientGoesToStartAndStop) {
  const Tensor start = tensor_of({1}, {}), stop = tensor_of({3}, {});
  autodiff::GradientTape tape;
  tape.watch(start);
  tape.watch(stop);
  const Tensors g = tape.gradient(sum(linspace(start, stop, 5)), {start, stop});
  // sum of (1 - t) and of t over t = 0, 1/4, ..., 1
  EXPECT_DOUBLE_EQ(g[0].item<double>(), 2.5);
  EXPECT_DOUBLE_EQ(g[1].item<double>(), 2.5);
}

TEST(NumpyMore, GridsAndFlipsMatchKeras) {
  // keras.ops.meshgrid(int32 [1, 2, 3], float32 [4., 5.]) ("xy", then "ij")
  const Tensor a = tensor_of({1, 2, 3}, {3}, int32), b = tensor_of({4, 5}, {2}, float32);
  Tensors g = meshgrid({a, b});
  expect_values(g[0], int32, {2, 3}, {1, 2, 3, 1, 2, 3});
  expect_values(g[1], float32, {2, 3}, {4, 4, 4, 5, 5, 5});
  g = meshgrid({a, b}, "ij");
  expect_values(g[0], int32, {3, 2}, {1, 1, 2, 2, 3, 3});
  expect_values(g[1], float32, {3, 2}, {4, 5, 4, 5, 4, 5});
  // meshgrid([1, 2], [4, 5, 6], [7]): (3, 2, 1) each
  g = meshgrid({tensor_of({1, 2}, {2}, int32), tensor_of({4, 5, 6}, {3}, int32),
                tensor_of({7}, {1}, int32)});
  expect_values(g[1], int32, {3, 2, 1}, {4, 4, 5, 5, 6, 6});
  EXPECT_EQ(meshgrid({a}).at(0).shape(), (Shape{3}));
  EXPECT_TRUE(meshgrid(Tensors{}).empty());
  // dstack([int32 [1, 2], float32 [3., 4.]]): float32 (1, 2, 2)
  expect_values(dstack({tensor_of({1, 2}, {2}, int32), tensor_of({3, 4}, {2}, float32)}), float32,
                {1, 2, 2}, {1, 3, 2, 4});
  // hsplit(arange(12.).reshape(2, 6), 3)[1]; hsplit(arange(6.), [1, 4]); vsplit(arange(6.), 2)
  const Tensor m = reshape(cast(arange(12), float32), {2, 6});
  expect_values(hsplit(m, 3)[1], float32, {2, 2}, {2, 3, 8, 9});
  const Tensor v = cast(arange(6), float32);
  expect_values(hsplit(v, std::vector<int64_t>{1, 4})[2], float32, {2}, {4, 5});
  expect_values(vsplit(v, 2)[1], float32, {3}, {3, 4, 5});
  expect_values(fliplr(m), float32, {2, 6}, {5, 4, 3, 2, 1, 0, 11, 10, 9, 8, 7, 6});
  expect_values(flipud(m), float32, {2, 6}, {6, 7, 8, 9, 10, 11, 0, 1, 2, 3, 4, 5});
  // isreal / conj: keras.cpp's tensors are real
  expect_values(isreal(m), bool_, {2, 6}, std::vector<double>(12, 1.0));
  EXPECT_EQ(conj(m).shape(), m.shape());
  EXPECT_EQ(to_doubles(conjugate(tensor_of({1, 2}, {2}, int32))), (std::vector<double>{1, 2}));
}

TEST(NumpyMore, IndexOpsMatchKeras) {
  // keras.ops.unravel_index(int32 [0, 5, 11, -1, 13, -13], (3, 4))
  Tensors u = unravel_index(tensor_of({0, 5, 11, -1, 13, -13}, {6}, int32), {3, 4});
  expect_values(u[0], int32, {6}, {0, 1, 2, 2, 2, 0});
  expect_values(u[1], int32, {6}, {0, 1, 3, 3, 3, 0});
  // unravel_index(int64 [[7, 2]], (2, 3, 2)): int64 kept (JAX without x64 gives int32)
  u = unravel_index(tensor_of({7, 2}, {1, 2}, int64), {2, 3, 2});
  expect_values(u[0], int64, {1, 2}, {1, 0});
  expect_values(u[1], int64, {1, 2}, {0, 1});
  expect_values(u[2], int64, {1, 2}, {1, 0});
  // unravel_index([1, 2], (2, 0)): zeros
  expect_values(unravel_index(tensor_of({1, 2}, {2}, int32), {2, 0})[1], int32, {2}, {0, 0});
  // keras.ops.argpartition([[3, 1, 2, 1, 5], [0, -1, 7, 2, 2]], kth) for kth 0, 1, 2, 4, -1;
  // axis 0 with kth 1; axis None with kth 3
  const Tensor x = tensor_of({3, 1, 2, 1, 5, 0, -1, 7, 2, 2}, {2, 5}, float32);
  expect_values(argpartition(x, 0), int32, {2, 5}, {1, 0, 2, 3, 4, 1, 0, 2, 3, 4});
  expect_values(argpartition(x, 1), int32, {2, 5}, {1, 3, 0, 2, 4, 1, 0, 2, 3, 4});
  expect_values(argpartition(x, 2), int32, {2, 5}, {1, 3, 2, 0, 4, 1, 0, 3, 2, 4});
  expect_values(argpartition(x, 4), int32, {2, 5}, {1, 3, 2, 0, 4, 1, 0, 3, 4, 2});
  expect_values(argpartition(x, -1), int32, {2, 5}, {1, 3, 2, 0, 4, 1, 0, 3, 4, 2});
  expect_values(argpartition(x, 1, 0), int32, {2, 5}, {1, 1, 0, 0, 1, 0, 0, 1, 1, 0});
  expect_values(argpartition(x, 3, std::nullopt), int32, {10}, {6, 5, 1, 3, 0, 2, 4, 7, 8, 9});
  // argpartition(int32 [4, 1, 3, 1], 1); float32 [4, nan, 3, 1] with kth 1 (NaN last)
  expect_values(argpartition(tensor_of({4, 1, 3, 1}, {4}, int32), 1), int32, {4}, {1, 3, 0, 2});
  expect_values(argpartition(tensor_of({4, kNaN, 3, 1}, {4}, float32), 1), int32, {4},
                {3, 2, 0, 1});
}

TEST(NumpyMore, CountsAndCorrelationsMatchKeras) {
  // keras.ops.bincount(int32 [1, 2, 2, 5]); uint8 with minlength 8; float32 / int32 weights
  const Tensor x = tensor_of({1, 2, 2, 5}, {4}, int32);
  expect_values(bincount(x), int32, {6}, {0, 1, 2, 0, 0, 1});
  expect_values(bincount(tensor_of({1, 2, 2, 5}, {4}, uint8), {}, 8), int32, {8},
                {0, 1, 2, 0, 0, 1, 0, 0});
  expect_values(bincount(x, tensor_of({0.5, 1, 2, 3}, {4}, float32)), float32, {6},
                {0, 0.5, 3, 0, 0, 3});
  expect_values(bincount(x, tensor_of({5, 1, 2, 3}, {4}, int32)), int32, {6}, {0, 5, 3, 0, 0, 3});
  // bincount([[1, 2, 2], [0, 0, 4]], weights=[[1., 2., 3.], [4., 5., 6.]], minlength=7)
  expect_values(bincount(tensor_of({1, 2, 2, 0, 0, 4}, {2, 3}, int32),
                         tensor_of({1, 2, 3, 4, 5, 6}, {2, 3}, float32), 7),
                float32, {2, 7}, {0, 1, 5, 0, 0, 0, 0, 9, 0, 0, 0, 6, 0, 0});
  // negative values count in bin 0; empty input
  expect_values(bincount(tensor_of({1, -2, 2}, {3}, int32)), int32, {3}, {1, 1, 1});
  expect_values(bincount(tensor_of({}, {0}, int32), {}, 3), int32, {3}, {0, 0, 0});
  expect_values(bincount(tensor_of({}, {0}, int32)), int32, {0}, {});
  // keras.ops.correlate([1., 2., 3., 4., 5.], [0., 1., 0.5], mode) and swapped
  const Tensor a = tensor_of({1, 2, 3, 4, 5}, {5}, float32),
               v = tensor_of({0, 1, 0.5}, {3}, float32);
  expect_values(correlate(a, v), float32, {3}, {3.5, 5.0, 6.5});
  expect_values(correlate(v, a), float32, {3}, {6.5, 5.0, 3.5});
  expect_values(correlate(a, v, "same"), float32, {5}, {2.0, 3.5, 5.0, 6.5, 5.0});
  expect_values(correlate(v, a, "same"), float32, {5}, {5.0, 6.5, 5.0, 3.5, 2.0});
  expect_values(correlate(a, v, "full"), float32, {7}, {0.5, 2.0, 3.5, 5.0, 6.5, 5.0, 0.0});
  expect_values(correlate(v, a, "full"), float32, {7}, {0.0, 5.0, 6.5, 5.0, 3.5, 2.0, 0.5});
  // an even kernel: correlate(a, [1., 2., 3., 4.], "same" / "full"), and arange(6.) with [1., -2.]
  const Tensor e = tensor_of({1, 2, 3, 4}, {4}, float32);
  expect_values(correlate(a, e, "same"), float32, {5}, {11, 20, 30, 40, 26});
  expect_values(correlate(e, a, "full"), float32, {8}, {5, 14, 26, 40, 30, 20, 11, 4});
  const Tensor r = cast(arange(6), float32), k = tensor_of({1, -2}, {2}, float32);
  expect_values(correlate(r, k, "same"), float32, {6}, {0, -2, -3, -4, -5, -6});
  expect_values(correlate(k, r, "same"), float32, {6}, {-6, -5, -4, -3, -2, 0});
  expect_values(correlate(k, r, "full"), float32, {7}, {5, -6, -5, -4, -3, -2, 0});
  // correlate(int32 [1, 2, 3], int32 [1, 1]) and bool: float32
  expect_values(correlate(tensor_of({1, 2, 3}, {3}, int32), tensor_of({1, 1}, {2}, int32)), float32,
                {2}, {3, 5});
  expect_values(correlate(tensor_of({1, 0}, {2}, bool_), tensor_of({1}, {1}, bool_)), float32, {2},
                {1, 0});
  // keras.ops.kaiser(5, 14.0), (6, 0.5), (1, 3.0), (0, 3.0)
  expect_values(
      kaiser(5, 14.0), float32, {5},
      {7.72686780692311e-06, 0.16493211686611176, 1.0, 0.16493211686611176, 7.72686780692311e-06},
      1e-7);
  expect_values(kaiser(6, 0.5), float32, {6},
                {0.9403062462806702, 0.9782961010932922, 0.9975765943527222, 0.9975765943527222,
                 0.9782961010932922, 0.9403062462806702},
                1e-7);
  expect_values(kaiser(1, 3.0), float32, {1}, {1});
  expect_values(kaiser(0, 3.0), float32, {0}, {});
}

TEST(NumpyMore, NanStatisticsMatchKeras) {
  // xn = [[1, nan, 3, 4], [nan, nan, nan, nan], [2, 8, nan, -1]] (float32)
  const Tensor xn =
      tensor_of({1, kNaN, 3, 4, kNaN, kNaN, kNaN, kNaN, 2, 8, kNaN, -1}, {3, 4}, float32);
  auto same = [](const Tensor& t, DType dtype, const Shape& shape, std::vector<double> values) {
    EXPECT_EQ(t.dtype(), dtype);
    EXPECT_EQ(t.shape(), shape);
    const std::vector<double> got = to_doubles(t);
    ASSERT_EQ(got.size(), values.size());
    for (size_t i = 0; i < got.size(); ++i) {
      if (std::isnan(values[i])) {
        EXPECT_TRUE(std::isnan(got[i])) << i;
      } else {
        EXPECT_NEAR(got[i], values[i], 1e-6) << i;
      }
    }
  };
  // keras.ops.nanmedian(xn), (xn, axis=1), (xn, axis=1, keepdims=True), int32 [1, 2, 4]
  same(nanmedian(xn), float32, {}, {2.5});
  same(nanmedian(xn, {1}), float32, {3}, {3, kNaN, 2});
  same(nanmedian(xn, {1}, true), float32, {3, 1}, {3, kNaN, 2});
  same(nanmedian(tensor_of({1, 2, 4}, {3}, int32)), float32, {}, {2});
  // keras.ops.nanquantile(xn, [0., .3, .5, 1.], axis=1, method=m)
  const Tensor qs = tensor_of({0, 0.3, 0.5, 1.0}, {4});
  same(nanquantile(xn, qs, {1}), float32, {4, 3},
       {1, kNaN, -1, 2.200000047683716, kNaN, 0.8000000715255737, 3, kNaN, 2, 4, kNaN, 8});
  same(nanquantile(xn, qs, {1}, "lower"), float32, {4, 3},
       {1, kNaN, -1, 1, kNaN, -1, 3, kNaN, 2, 4, kNaN, 8});
  same(nanquantile(xn, qs, {1}, "higher"), float32, {4, 3},
       {1, kNaN, -1, 3, kNaN, 2, 3, kNaN, 2, 4, kNaN, 8});
  same(nanquantile(xn, qs, {1}, "midpoint"), float32, {4, 3},
       {1, kNaN, -1, 2, kNaN, 0.5, 3, kNaN, 2, 4, kNaN, 8});
  same(nanquantile(xn, qs, {1}, "nearest"), float32, {4, 3},
       {1, kNaN, -1, 3, kNaN, 2, 3, kNaN, 2, 4, kNaN, 8});
  same(nanquantile(xn, qs, {1}, "inverted_cdf"), float32, {4, 3},
       {1, kNaN, -1, 1, kNaN, -1, 3, kNaN, 2, 4, kNaN, 8});
  // nanquantile(xn, 0.25, axis=-1); int32 [1, 5, 2, 8] at 0.4
  same(nanquantile(xn, 0.25, {-1}), float32, {3}, {2, kNaN, 0.5});
  same(nanquantile(tensor_of({1, 5, 2, 8}, {4}, int32), 0.4), float32, {}, {2.6000001430511475});
  // keras.ops.nanpercentile(xn, [10., 50., 90.], axis=1)
  same(nanpercentile(xn, tensor_of({10, 50, 90}, {3}), {1}), float32, {3, 3},
       {1.399999976158142, kNaN, -0.40000003576278687, 3, kNaN, 2, 3.799999952316284, kNaN,
        6.799999713897705});
  // float64 stays float64
  EXPECT_EQ(nanmedian(cast(xn, float64), {0}).dtype(), float64);
}

TEST(NumpyMore, ErrorsAsKeras) {
  const Tensor v = tensor_of({1, 2, 3, 4}, {4}, float32);
  const Tensor m = reshape(v, {2, 2});
  EXPECT_EQ(test::message_of<ValueError>([&] { fliplr(v); }),
            "`fliplr` requires input with 2 or more dimensions. Received: x.shape=(4,)");
  EXPECT_THAT([&] { flipud(tensor_of({1}, {}, float32)); },
              test::ThrowsMessage<ValueError>("`flipud` requires input with 1 or more dimensions"));
  EXPECT_THAT([&] { meshgrid({v}, "foo"); },
              test::ThrowsMessage<ValueError>("Valid values for `indexing` are 'xy' and 'ij'"));
  EXPECT_THAT([&] { meshgrid({m, v}); }, test::ThrowsMessage<ValueError>("must be 1-D"));
  EXPECT_THAT(
      [&] {
        hsplit(reshape(cast(arange(10), float32), {2, 5}), 3);
      },
      test::ThrowsMessage<ValueError>("array split does not result in an equal division"));
  EXPECT_THAT([&] { dsplit(m, 2); }, test::ThrowsMessage<ValueError>("dsplit"));
  EXPECT_THAT([&] { dstack(Tensors{}); }, test::ThrowsMessage<ValueError>("dstack"));
  EXPECT_THAT([&] { linspace(2.0, 5.0, -1); },
              test::ThrowsMessage<ValueError>("Number of samples, -1, must be non-negative."));
  EXPECT_THAT([&] { correlate(v, v, "foo"); },
              test::ThrowsMessage<ValueError>("`mode` must be either `valid`, `same`, or `full`"));
  EXPECT_THAT([&] { correlate(m, v); },
              test::ThrowsMessage<ValueError>("`x1` must be a 1-dimensional tensor"));
  EXPECT_THAT([&] { bincount(v); }, test::ThrowsMessage<TypeError>(
                                        "x argument to bincount must have an integer type; got "
                                        "float32"));
  EXPECT_THAT(
      [&] {
        bincount(tensor_of({0, 1, 0, 1, 0, 1, 0, 1}, {2, 2, 2}, int32));
      },
      test::ThrowsMessage<ValueError>("bincount"));
  EXPECT_THAT(
      [&] {
        bincount(tensor_of({0, 1}, {2}, int32), v);
      },
      test::ThrowsMessage<ValueError>("weights"));
  EXPECT_THAT([&] { argpartition(v, 4); }, test::ThrowsMessage<ValueError>("kth"));
  EXPECT_THAT([&] { unravel_index(v, {2, 2}); }, test::ThrowsMessage<TypeError>("integers"));
  EXPECT_THAT([&] { nanquantile(v, 1.5); },
              test::ThrowsMessage<ValueError>("quantiles must be in the range [0, 1]"));
  EXPECT_THAT([&] { nanquantile(v, 0.5, {}, "foo"); }, test::ThrowsMessage<ValueError>("method"));
}

}  // namespace
}  // namespace keras::ops
