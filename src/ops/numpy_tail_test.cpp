// The last of keras.ops' NumPy functions (numpy_tail.cpp and bitwise.cpp's lcm): op cases for
// the differentiable ones; values, dtypes and errors against keras.ops on JAX (Keras 3.15),
// pasted beside the Keras call that gave them.
#include <gtest/gtest.h>

#include <cmath>
#include <limits>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/bitwise.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/math.h"
#include "keras/ops/numpy.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

using test::OpCase;
using test::tensor_of;
using test::to_doubles;

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

const OpCase kCases[] = {
    {.name = "fabs",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return fabs(x[0]); },
     .make_inputs = test::inputs_away_from({{2, 3}}, {0.0}, -2, 2),
     .expected_shape = Shape{2, 3}},
    {.name = "absolute_true_divide",
     .input_shapes = {{3}, {3}},
     .fn = [](const Tensors& x) { return true_divide(absolute(x[0]), x[1]); },
     .make_inputs = test::inputs_away_from({{3}, {3}}, {0.0}, -2, 2, 0.3),
     .expected_shape = Shape{3}},
    {.name = "real",
     .input_shapes = {{2, 2}},
     .fn = [](const Tensors& x) { return multiply(real(x[0]), x[0]); },
     .expected_shape = Shape{2, 2}},
    {.name = "ldexp",
     .input_shapes = {{2, 3}, {3}},
     .fn = [](const Tensors& x) { return ldexp(x[0], x[1]); },
     .differentiable = {true, false},
     .make_inputs =
         [] {
           return Tensors{test::random_tensor({2, 3}, float64, -2, 2, 3),
                          tensor_of({2, -1, 0}, {3}, int32)};
         },
     .expected_shape = Shape{2, 3}},
    {.name = "select_two_choices",
     .input_shapes = {{4}, {4}, {4}},
     .fn =
         [](const Tensors& x) {
           const Tensor c1 = tensor_of({1, 0, 0, 1}, {4}, bool_);
           const Tensor c2 = tensor_of({0, 1, 0, 1}, {4}, bool_);
           return select({c1, c2}, {x[0], x[1]}, x[2]);
         },
     .expected_shape = Shape{4}},
    {.name = "append_axis0",
     .input_shapes = {{2, 3}, {1, 3}},
     .fn = [](const Tensors& x) { return append(x[0], x[1], 0); },
     .expected_shape = Shape{3, 3}},
    {.name = "append_flat",
     .input_shapes = {{2, 2}, {3}},
     .fn = [](const Tensors& x) { return append(x[0], x[1]); },
     .expected_shape = Shape{7}},
    {.name = "array_split_uneven",
     .input_shapes = {{2, 7}},
     .fn =
         [](const Tensors& x) {
           const Tensors p = array_split(x[0], 3, 1);
           return concatenate({multiply(p[2], p[1]), p[0]}, 1);
         },
     .expected_shape = Shape{2, 5}},
    {.name = "diagflat_k1",
     .input_shapes = {{2, 2}},
     .fn = [](const Tensors& x) { return diagflat(x[0], 1); },
     .expected_shape = Shape{5, 5}},
    {.name = "vander_increasing",
     .input_shapes = {{3}},
     .fn = [](const Tensors& x) { return vander(x[0], 4, true); },
     .make_inputs = test::inputs_away_from({{3}}, {0.0}, -2, 2),
     .expected_shape = Shape{3, 4}},
    {.name = "vander_default",
     .input_shapes = {{4}},
     .fn = [](const Tensors& x) { return vander(x[0]); },
     .make_inputs = test::inputs_away_from({{4}}, {0.0}, -2, 2),
     .expected_shape = Shape{4, 4}},
    {.name = "corrcoef_rows",
     .input_shapes = {{3, 5}},
     .fn = [](const Tensors& x) { return corrcoef(x[0]); },
     .grad_tol = 1e-5,
     .expected_shape = Shape{3, 3}},
    {.name = "trapezoid_dx",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return trapezoid(x[0], {}, 0.5, 0); },
     .expected_shape = Shape{4}},
    {.name = "trapezoid_points",
     .input_shapes = {{2, 4}, {4}},
     .fn = [](const Tensors& x) { return trapezoid(x[0], x[1]); },
     .expected_shape = Shape{2}},
    {.name = "trapezoid_points_like_y",
     .input_shapes = {{2, 3}, {2, 3}},
     .fn = [](const Tensors& x) { return trapezoid(x[0], x[1], 1.0, 1); },
     .expected_shape = Shape{2}},
};
KERAS_INSTANTIATE_OP_TESTS(NumpyTail, kCases);

void expect_values(
    const Tensor& t, DType dtype, const Shape& shape, std::vector<double> values, double tol = 0) {
  EXPECT_EQ(t.dtype(), dtype);
  EXPECT_EQ(t.shape(), shape);
  const std::vector<double> got = to_doubles(t);
  ASSERT_EQ(got.size(), values.size());
  for (size_t i = 0; i < got.size(); ++i) {
    if (std::isnan(values[i])) {
      EXPECT_TRUE(std::isnan(got[i])) << i;
    } else {
      EXPECT_NEAR(got[i], values[i], tol * (1 + std::abs(values[i]))) << i;
    }
  }
}

TEST(NumpyTail, ElementwiseMatchKeras) {
  // keras.ops.lcm(int32 [4, 6, -7, 0, 12], [6, 4, 2, 5, -18]); lcm([[2], [3]], uint8 [4, 5])
  expect_values(
      lcm(tensor_of({4, 6, -7, 0, 12}, {5}, int32), tensor_of({6, 4, 2, 5, -18}, {5}, int32)),
      int32, {5}, {12, 12, 14, 0, 36});
  expect_values(lcm(tensor_of({2, 3}, {2, 1}, int32), tensor_of({4, 5}, {2}, uint8)), int32, {2, 2},
                {4, 10, 12, 15});
  // nextafter(float32 [1, 1, 0, -1, 2], [2, 0, 1, -2, 2]); int32 [1, 0] towards [2, -1]
  expect_values(
      nextafter(tensor_of({1, 1, 0, -1, 2}, {5}, float32),
                tensor_of({2, 0, 1, -2, 2}, {5}, float32)),
      float32, {5},
      {1.0000001192092896, 0.9999999403953552, 1.401298464324817e-45, -1.0000001192092896, 2.0});
  expect_values(nextafter(tensor_of({1, 0}, {2}, int32), tensor_of({2, -1}, {2}, int32)), float32,
                {2}, {1.0000001192092896, -1.401298464324817e-45});
  EXPECT_EQ(to_doubles(nextafter(tensor_of({1}, {1}, float64), tensor_of({2}, {1}, float64)))[0],
            std::nextafter(1.0, 2.0));  // float64 kept (JAX without x64: float32)
  // fabs(int32 [-1, 2]), fabs(bool), absolute(int32), absolute(bool), true_divide(int32, int32)
  expect_values(fabs(tensor_of({-1, 2}, {2}, int32)), float32, {2}, {1, 2});
  expect_values(fabs(tensor_of({1, 0}, {2}, bool_)), float32, {2}, {1, 0});
  expect_values(absolute(tensor_of({-1, 2}, {2}, int32)), int32, {2}, {1, 2});
  expect_values(true_divide(tensor_of({1, 3}, {2}, int32), tensor_of({2, 4}, {2}, int32)), float32,
                {2}, {0.5, 0.75});
  // allclose([1, 2], [1, 2.00001]); [1, nan] twice, without and with equal_nan; rtol 0.2;
  // broadcast (2, 1) against (3,)
  const auto close = [](const Tensor& t) {
    EXPECT_EQ(t.dtype(), bool_);
    EXPECT_EQ(t.rank(), 0);
    return to_doubles(t)[0] != 0;
  };
  EXPECT_TRUE(
      close(allclose(tensor_of({1, 2}, {2}, float32), tensor_of({1, 2.00001}, {2}, float32))));
  const Tensor with_nan = tensor_of({1, kNaN}, {2}, float32);
  EXPECT_FALSE(close(allclose(with_nan, with_nan)));
  EXPECT_TRUE(close(allclose(with_nan, with_nan, 1e-5, 1e-8, true)));
  EXPECT_TRUE(
      close(allclose(tensor_of({1, 2}, {2}, float32), tensor_of({1.1, 2}, {2}, float32), 0.2)));
  EXPECT_TRUE(
      close(allclose(tensor_of({1, 1}, {2, 1}, float32), tensor_of({1, 1, 1}, {3}, float32))));
  // angle(float32 [-2, 0, 3, nan, -0., -inf]); angle(int32), angle(bool); real / imag
  expect_values(angle(tensor_of({-2, 0, 3, kNaN, -0.0, -kInf}, {6}, float32)), float32, {6},
                {3.1415927410125732, 0, 0, kNaN, 3.1415927410125732, 3.1415927410125732}, 1e-7);
  expect_values(angle(tensor_of({-2, 0, 3}, {3}, int32)), float32, {3}, {3.1415927410125732, 0, 0},
                1e-7);
  expect_values(angle(tensor_of({1, 0}, {2}, bool_)), float32, {2}, {0, 0});
  EXPECT_EQ(angle(tensor_of({-1}, {1}, float64)).dtype(), float64);
  expect_values(real(tensor_of({-2, 0, 3}, {3}, int32)), int32, {3}, {-2, 0, 3});
  expect_values(imag(tensor_of({-2, 0, 3}, {3}, float32)), float32, {3}, {0, 0, 0});
  expect_values(imag(tensor_of({-2, 0, 3}, {3}, int32)), int32, {3}, {0, 0, 0});
  expect_values(imag(tensor_of({1}, {1}, bool_)), bool_, {1}, {0});
  // ldexp(float32 [1, -1.5, 3], int32 [2, -1, 0]); ldexp(int32 [1, 3], int32 [2, 1])
  expect_values(ldexp(tensor_of({1, -1.5, 3}, {3}, float32), tensor_of({2, -1, 0}, {3}, int32)),
                float32, {3}, {4, -0.75, 3});
  expect_values(ldexp(tensor_of({1, 3}, {2}, int32), tensor_of({2, 1}, {2}, int32)), float32, {2},
                {4, 6});
  // select([[T, F, F], [T, T, F]], [f32 [1, 2, 3], f32 [4, 5, 6]]); select([[T, F, F]],
  // [int32 [1, 2, 3]], default=9); select([[T, F]], [int32 [1, 2]], default=f32 [.5, .5])
  const Tensor c1 = tensor_of({1, 0, 0}, {3}, bool_), c2 = tensor_of({1, 1, 0}, {3}, bool_);
  expect_values(
      select({c1, c2}, {tensor_of({1, 2, 3}, {3}, float32), tensor_of({4, 5, 6}, {3}, float32)}),
      float32, {3}, {1, 5, 0});
  expect_values(select({c1}, {tensor_of({1, 2, 3}, {3}, int32)}, tensor_of({9}, {}, int32)), int32,
                {3}, {1, 9, 9});
  expect_values(select({tensor_of({1, 0}, {2}, bool_)}, {tensor_of({1, 2}, {2}, int32)},
                       tensor_of({0.5, 0.5}, {2}, float32)),
                float32, {2}, {1, 0.5});
  // view(float32 [1, 2, -0.5], "int32"); view(float32 [[1, 2]], "uint8"); uint8 bytes as
  // float32; uint8 [0, 1, 2] as bool; view(x) without a dtype
  expect_values(view(tensor_of({1, 2, -0.5}, {3}, float32), int32), int32, {3},
                {1065353216, 1073741824, -1090519040});
  expect_values(view(tensor_of({1, 2}, {1, 2}, float32), uint8), uint8, {1, 8},
                {0, 0, 128, 63, 0, 0, 0, 64});
  expect_values(view(tensor_of({0, 0, 128, 63, 0, 0, 0, 64}, {8}, uint8), float32), float32, {2},
                {1, 2});
  expect_values(view(tensor_of({0, 1, 2}, {3}, uint8), bool_), bool_, {3}, {0, 1, 1});
  expect_values(view(tensor_of({1.5}, {1}, float32)), float32, {1}, {1.5});
  expect_values(view(tensor_of({1, 2}, {2}, float32), float64), float64, {1},
                {2.000000473111868});  // NumPy's float32 [1, 2].view("float64")
}

TEST(NumpyTail, ShapesMatchKeras) {
  // keras.ops.append([[1., 2.], [3., 4.]], [[5., 6.]], axis=0); append(that, int32 [5])
  const Tensor m = tensor_of({1, 2, 3, 4}, {2, 2}, float32);
  expect_values(append(m, tensor_of({5, 6}, {1, 2}, float32), 0), float32, {3, 2},
                {1, 2, 3, 4, 5, 6});
  expect_values(append(m, tensor_of({5}, {1}, int32)), float32, {5}, {1, 2, 3, 4, 5});
  // array_split(arange(10.), 3); array_split(arange(3.), 5)
  const Tensor r = cast(arange(10), float32);
  Tensors p = array_split(r, 3);
  ASSERT_EQ(p.size(), 3u);
  expect_values(p[0], float32, {4}, {0, 1, 2, 3});
  expect_values(p[1], float32, {3}, {4, 5, 6});
  expect_values(p[2], float32, {3}, {7, 8, 9});
  p = array_split(cast(arange(3), float32), 5);
  ASSERT_EQ(p.size(), 5u);
  expect_values(p[2], float32, {1}, {2});
  expect_values(p[4], float32, {0}, {});
  // diagflat([[1., 2.], [3., 4.]], k=1); diagflat(int32 [1, 2], k=-2)
  expect_values(diagflat(m, 1), float32, {5, 5},
                {0, 1, 0, 0, 0, 0, 0, 2, 0, 0, 0, 0, 0, 3, 0, 0, 0, 0, 0, 4, 0, 0, 0, 0, 0});
  expect_values(diagflat(tensor_of({1, 2}, {2}, int32), -2), int32, {4, 4},
                {0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 2, 0, 0});
  // vander([1., 2., 3.]); vander(int32 [1, 2, 3], N=2, increasing=True); vander([1., 2.], N=0)
  expect_values(vander(tensor_of({1, 2, 3}, {3}, float32)), float32, {3, 3},
                {1, 1, 1, 4, 2, 1, 9, 3, 1});
  expect_values(vander(tensor_of({1, 2, 3}, {3}, int32), 2, true), int32, {3, 2},
                {1, 1, 1, 2, 1, 3});
  expect_values(vander(tensor_of({1, 2}, {2}, float32), 0), float32, {2, 0}, {});
  // eye(3); eye(2, 3, k=1, dtype="int32"); eye(3, 2, k=-1); tri(3, 4, k=-1); tri(2, "int32");
  // tri(3, 2, k=1, dtype="bool")
  expect_values(eye(3), float32, {3, 3}, {1, 0, 0, 0, 1, 0, 0, 0, 1});
  expect_values(eye(2, 3, 1, int32), int32, {2, 3}, {0, 1, 0, 0, 0, 1});
  expect_values(eye(3, 2, -1), float32, {3, 2}, {0, 0, 1, 0, 0, 1});
  expect_values(tri(3, 4, -1), float32, {3, 4}, {0, 0, 0, 0, 1, 0, 0, 0, 1, 1, 0, 0});
  expect_values(tri(2, std::nullopt, 0, int32), int32, {2, 2}, {1, 0, 1, 1});
  expect_values(tri(3, 2, 1, bool_), bool_, {3, 2}, {1, 1, 1, 1, 1, 1});
  // ndim([[1., 2.]])
  expect_values(ndim(tensor_of({1, 2}, {1, 2}, float32)), int32, {}, {2});
  // nonzero([[0., 1., 0.], [2., 0., 3.]]); nonzero([True, False, True])
  Tensors nz = nonzero(tensor_of({0, 1, 0, 2, 0, 3}, {2, 3}, float32));
  ASSERT_EQ(nz.size(), 2u);
  expect_values(nz[0], int32, {3}, {0, 1, 1});
  expect_values(nz[1], int32, {3}, {1, 0, 2});
  nz = nonzero(tensor_of({1, 0, 1}, {3}, bool_));
  ASSERT_EQ(nz.size(), 1u);
  expect_values(nz[0], int32, {2}, {0, 2});
}

TEST(NumpyTail, UniqueMatchesKeras) {
  const Tensor x = tensor_of({3, 1, 2, 1, 3, 3}, {6}, float32);
  // keras.ops.unique(x)
  Tensors u = unique(x);
  ASSERT_EQ(u.size(), 1u);
  expect_values(u[0], float32, {3}, {1, 2, 3});
  // unique(x, return_index=True, return_inverse=True, return_counts=True)
  u = unique(x, true, true, true, true);
  ASSERT_EQ(u.size(), 4u);
  expect_values(u[1], int32, {3}, {1, 2, 0});
  expect_values(u[2], int32, {6}, {2, 0, 1, 0, 2, 2});
  expect_values(u[3], int32, {3}, {2, 1, 3});
  // unique(x, sorted=False, return_inverse=True)
  u = unique(x, false, false, true);
  expect_values(u[0], float32, {3}, {1, 2, 3});
  expect_values(u[1], int32, {6}, {2, 0, 1, 0, 2, 2});
  // unique(int32 [3, 1, 3], size=4, return_counts=True); with fill_value=-1, return_index and
  // return_inverse; unique(int32 [3, 1, 3, 2], size=2, return_counts=True)
  const Tensor small = tensor_of({3, 1, 3}, {3}, int32);
  u = unique(small, true, false, false, true, std::nullopt, 4);
  expect_values(u[0], int32, {4}, {1, 3, 1, 1});
  expect_values(u[1], int32, {4}, {1, 2, 0, 0});
  u = unique(small, true, true, true, false, std::nullopt, 4, -1.0);
  expect_values(u[0], int32, {4}, {1, 3, -1, -1});
  expect_values(u[1], int32, {4}, {1, 0, 1, 1});
  expect_values(u[2], int32, {3}, {1, 0, 1});
  u = unique(tensor_of({3, 1, 3, 2}, {4}, int32), true, false, false, true, std::nullopt, 2);
  expect_values(u[0], int32, {2}, {1, 2});
  expect_values(u[1], int32, {2}, {1, 1});
  // unique(int32 [[1, 2], [3, 1]], return_inverse=True): the inverse has x's shape
  u = unique(tensor_of({1, 2, 3, 1}, {2, 2}, int32), true, false, true);
  expect_values(u[0], int32, {3}, {1, 2, 3});
  expect_values(u[1], int32, {2, 2}, {0, 1, 2, 0});
  // unique([[1, 2], [0, 5], [1, 2]], axis=0, all three); unique([[1, 0, 1], [2, 5, 2]], axis=1,
  // return_inverse=True)
  u = unique(tensor_of({1, 2, 0, 5, 1, 2}, {3, 2}, int32), true, true, true, true, 0);
  expect_values(u[0], int32, {2, 2}, {0, 5, 1, 2});
  expect_values(u[1], int32, {2}, {1, 0});
  expect_values(u[2], int32, {3}, {1, 0, 1});
  expect_values(u[3], int32, {2}, {1, 2});
  u = unique(tensor_of({1, 0, 1, 2, 5, 2}, {2, 3}, int32), true, false, true, false, 1);
  expect_values(u[0], int32, {2, 2}, {0, 1, 5, 2});
  expect_values(u[1], int32, {3}, {1, 0, 1});
  // unique([nan, 1., nan]): NaNs are not merged, and sort last
  expect_values(unique(tensor_of({kNaN, 1, kNaN}, {3}, float32))[0], float32, {3}, {1, kNaN, kNaN});
}

TEST(NumpyTail, MathMatchesKeras) {
  // keras.ops.bartlett / blackman / hamming / hanning of 5, 6, 1, 0
  expect_values(bartlett(5), float32, {5}, {0, 0.5, 1, 0.5, 0}, 1e-6);
  expect_values(
      bartlett(6), float32, {6},
      {0, 0.3999999761581421, 0.800000011920929, 0.800000011920929, 0.3999999761581421, 0}, 1e-6);
  expect_values(blackman(5), float32, {5},
                {-1.4901161193847656e-08, 0.3400000333786011, 0.9999999403953552,
                 0.3399999737739563, -1.4901161193847656e-08},
                1e-6);
  expect_values(blackman(6), float32, {6},
                {-1.4901161193847656e-08, 0.20077012479305267, 0.8492299318313599,
                 0.8492297530174255, 0.2007700800895691, -1.4901161193847656e-08},
                1e-6);
  expect_values(
      hamming(5), float32, {5},
      {0.08000001311302185, 0.5400000214576721, 1.0, 0.5400000214576721, 0.08000001311302185},
      1e-6);
  expect_values(hamming(6), float32, {6},
                {0.08000001311302185, 0.39785221219062805, 0.9121478796005249, 0.9121478199958801,
                 0.3978521227836609, 0.08000001311302185},
                1e-6);
  expect_values(hanning(5), float32, {5}, {0, 0.5, 1, 0.5, 0}, 1e-6);
  expect_values(
      hanning(6), float32, {6},
      {0, 0.34549152851104736, 0.9045085310935974, 0.9045084714889526, 0.3454914391040802, 0},
      1e-6);
  for (auto* w : {&bartlett, &blackman, &hamming, &hanning}) {
    expect_values((*w)(1), float32, {1}, {1});
    expect_values((*w)(0), float32, {0}, {});
  }
  // corrcoef([[1, 2, 3, 4], [2, 1, 4, 3], [0, 1, 0, 1]]); corrcoef([1., 2., 3.]);
  // corrcoef(int32 [[1, 2, 3], [3, 1, 2]])
  expect_values(
      corrcoef(tensor_of({1, 2, 3, 4, 2, 1, 4, 3, 0, 1, 0, 1}, {3, 4}, float32)), float32, {3, 3},
      {0.9999999403953552, 0.5999999642372131, 0.44721361994743347, 0.5999999642372131,
       0.9999999403953552, -0.44721361994743347, 0.44721361994743347, -0.44721361994743347, 1.0},
      1e-6);
  expect_values(corrcoef(tensor_of({1, 2, 3}, {3}, float32)), float32, {}, {1}, 1e-6);
  expect_values(corrcoef(tensor_of({1, 2, 3, 3, 1, 2}, {2, 3}, int32)), float32, {2, 2},
                {1, -0.5, -0.5, 1}, 1e-6);
  // histogram([.1, .5, .2, .9, 1., 0., .45], bins=4); that and 2. with bins=3, range=(0, 1);
  // int32 [1, 2, 2, 3, 7] with bins=3; [2., 2., 2.] with bins=2
  auto [counts, edges] =
      histogram(tensor_of({0.1, 0.5, 0.2, 0.9, 1.0, 0.0, 0.45}, {7}, float32), 4);
  expect_values(counts, float32, {4}, {3, 1, 1, 2});
  expect_values(edges, float32, {5}, {0, 0.25, 0.5, 0.75, 1}, 1e-7);
  std::tie(counts, edges) =
      histogram(tensor_of({0.1, 0.5, 0.2, 0.9, 1.0, 0.0, 0.45, 2}, {8}, float32), 3,
                std::make_pair(0.0, 1.0));
  expect_values(counts, float32, {3}, {3, 2, 2});
  expect_values(edges, float32, {4}, {0, 0.3333333432674408, 0.6666666865348816, 1}, 1e-7);
  std::tie(counts, edges) = histogram(tensor_of({1, 2, 2, 3, 7}, {5}, int32), 3);
  expect_values(counts, float32, {3}, {3, 1, 1});
  expect_values(edges, float32, {4}, {1, 3, 5.000000476837158, 7}, 1e-6);
  std::tie(counts, edges) = histogram(tensor_of({2, 2, 2}, {3}, float32), 2);
  expect_values(counts, float32, {2}, {0, 3});
  expect_values(edges, float32, {3}, {1.5, 2, 2.5});
  // trapezoid([[1, 2, 3], [4, 6, 8]]); (dx=0.5, axis=0); ([1, 2, 4], x=[0, 1, 3]);
  // ([[1, 2, 4], [1, 1, 1]], x=[[0, 1, 3], [0, 2, 5]]); int32 [1, 2, 4]; [[1], [2]]
  const Tensor y = tensor_of({1, 2, 3, 4, 6, 8}, {2, 3}, float32);
  expect_values(trapezoid(y), float32, {2}, {4, 12});
  expect_values(trapezoid(y, {}, 0.5, 0), float32, {3}, {1.25, 2, 2.75});
  expect_values(trapezoid(tensor_of({1, 2, 4}, {3}, float32), tensor_of({0, 1, 3}, {3}, float32)),
                float32, {}, {7.5});
  expect_values(trapezoid(tensor_of({1, 2, 4, 1, 1, 1}, {2, 3}, float32),
                          tensor_of({0, 1, 3, 0, 2, 5}, {2, 3}, float32)),
                float32, {2}, {7.5, 5});
  expect_values(trapezoid(tensor_of({1, 2, 4}, {3}, int32)), float32, {}, {4.5});
  expect_values(trapezoid(tensor_of({1, 2}, {2, 1}, float32)), float32, {2}, {0, 0});
}

TEST(NumpyTail, ErrorsAsKeras) {
  const Tensor v = tensor_of({1, 2, 3}, {3}, float32);
  EXPECT_THAT([&] { lcm(v, v); },
              test::ThrowsMessage<ValueError>("Arguments to lcm must be integers"));
  EXPECT_THAT([&] { lcm(tensor_of({1}, {1}, bool_), tensor_of({1}, {1}, bool_)); },
              test::ThrowsMessage<ValueError>("Arguments to lcm must be integers"));
  EXPECT_EQ(test::message_of<TypeError>([&] { ldexp(v, v); }),
            "ldexp exponent must be an integer type. Received: x2 dtype=float32");
  EXPECT_EQ(test::message_of<ValueError>([&] {
              select({tensor_of({1, 0}, {2}, bool_)}, {v, v});
            }),
            "condlist must have length equal to choicelist (1 vs 2)");
  EXPECT_EQ(test::message_of<ValueError>([&] { select({}, {}); }),
            "condlist and choicelist must not be empty. Received: condlist = [], choicelist = []");
  EXPECT_EQ(test::message_of<ValueError>([&] { view(tensor_of({1}, {}, float32), uint8); }),
            "Cannot view a scalar as a different dtype if item sizes are different.");
  EXPECT_EQ(test::message_of<ValueError>([&] { view(v, float64); }),
            "Cannot view array of shape (3,) and dtype float32 as dtype float64 because the total "
            "number of bytes is not divisible by the new itemsize.");
  EXPECT_THAT(
      [&] {
        append(reshape(v, {3, 1}), v, 0);
      },
      test::ThrowsMessage<ValueError>(
          "Cannot concatenate arrays with different numbers of dimensions: got (3, 1), (3,)."));
  EXPECT_EQ(test::message_of<ValueError>([&] { array_split(v, 0); }),
            "Argument `indices_or_sections` must be a positive integer. Received: "
            "indices_or_sections=0");
  EXPECT_EQ(test::message_of<ValueError>([&] {
              vander(reshape(v, {1, 3}));
            }),
            "Input tensor must be 1-dimensional. Received: input.shape=(1, 3)");
  EXPECT_EQ(test::message_of<ValueError>([&] { vander(v, -1); }),
            "Argument 'N' must be nonnegative. Received: N=-1");
  EXPECT_EQ(test::message_of<ValueError>([&] {
              corrcoef(reshape(v, {1, 1, 3}));
            }),
            "m has more than 2 dimensions");
  EXPECT_EQ(test::message_of<ValueError>([&] {
              histogram(reshape(v, {1, 3}), 2);
            }),
            "Input tensor must be 1-dimensional. Received: input.shape=(1, 3)");
  EXPECT_EQ(test::message_of<ValueError>([&] { histogram(v, -1); }),
            "Argument `bins` should be a non-negative integer. Received: bins=-1");
  EXPECT_THAT([&] { histogram(v, 2, std::make_pair(2.0, 1.0)); },
              test::ThrowsMessage<ValueError>(
                  "The second element of `range` must be greater than the first."));
  EXPECT_EQ(test::message_of<ValueError>([&] { nonzero(tensor_of({1}, {}, float32)); }),
            "Calling nonzero on 0d arrays is not allowed. Use jnp.atleast_1d(scalar).nonzero() "
            "instead.");
  EXPECT_THAT([&] { eye(-1); }, test::ThrowsMessage<ValueError>("negative dimensions"));
}

}  // namespace
}  // namespace keras::ops
