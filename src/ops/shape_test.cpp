#include "keras/ops/shape.h"

#include <gtest/gtest.h>

#include <cstdlib>
#include <sstream>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/autodiff/tape.h"
#include "keras/autodiff/trace.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/random.h"
#include "keras/ops/reduce.h"

namespace keras::ops {
namespace {

using test::OpCase;

// Random float params of `shape` plus fixed integer indices.
std::function<Tensors(void)> params_and_indices(Shape shape,
                                                std::vector<double> indices,
                                                Shape index_shape,
                                                DType index_dtype = int64) {
  return [=] {
    return Tensors{test::random_tensor(shape, float64, -2, 2, 11),
                   test::tensor_of(indices, index_shape, index_dtype)};
  };
}

const OpCase kLayoutCases[] = {
    // reshape
    {.name = "reshape_2x3_to_3x2",
     .input_shapes = {{2, 3}},
     .fn =
         [](const Tensors& x) {
           return reshape(x[0], {3, 2});
         },
     .expected_shape = Shape{3, 2}},
    {.name = "reshape_infer",
     .input_shapes = {{2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           return reshape(x[0], {-1, 4});
         },
     .expected_shape = Shape{6, 4}},
    {.name = "reshape_flatten",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return reshape(x[0], {-1}); },
     .expected_shape = Shape{6}},
    {.name = "reshape_to_scalar",
     .input_shapes = {{1, 1}},
     .fn = [](const Tensors& x) { return reshape(x[0], {}); },
     .expected_shape = Shape{}},
    {.name = "reshape_then_multiply",
     .input_shapes = {{6}, {2, 3}},
     .fn =
         [](const Tensors& x) {
           return multiply(reshape(x[0], {2, 3}), x[1]);
         },
     .expected_shape = Shape{2, 3}},
    // transpose
    {.name = "transpose_2d_default",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return transpose(x[0]); },
     .expected_shape = Shape{3, 2}},
    {.name = "transpose_3d_default_reverses",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return transpose(x[0]); },
     .expected_shape = Shape{4, 3, 2}},
    {.name = "transpose_3d_102",
     .input_shapes = {{2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           return transpose(x[0], {1, 0, 2});
         },
     .expected_shape = Shape{3, 2, 4}},
    {.name = "transpose_3d_201",
     .input_shapes = {{2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           return transpose(x[0], {2, 0, 1});
         },
     .expected_shape = Shape{4, 2, 3}},
    {.name = "transpose_negative_axes",
     .input_shapes = {{2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           return transpose(x[0], {-1, 0, -2});
         },
     .expected_shape = Shape{4, 2, 3}},
    {.name = "transpose_4d",
     .input_shapes = {{2, 1, 3, 2}},
     .fn =
         [](const Tensors& x) {
           return transpose(x[0], {3, 1, 0, 2});
         },
     .expected_shape = Shape{2, 1, 2, 3}},
    {.name = "transpose_identity",
     .input_shapes = {{2, 3}},
     .fn =
         [](const Tensors& x) {
           return transpose(x[0], {0, 1});
         },
     .expected_shape = Shape{2, 3}},
    {.name = "transpose_int32",
     .input_shapes = {{2, 3, 4}},
     .fn =
         [](const Tensors& x) {
           return transpose(x[0], {2, 0, 1});
         },
     .lo = -100,
     .hi = 100,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_shape = Shape{4, 2, 3},
     .expected_dtype = int32},
    // expand_dims / squeeze
    {.name = "expand_dims_0",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return expand_dims(x[0], 0); },
     .expected_shape = Shape{1, 2, 3}},
    {.name = "expand_dims_1",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return expand_dims(x[0], 1); },
     .expected_shape = Shape{2, 1, 3}},
    {.name = "expand_dims_neg1",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return expand_dims(x[0], -1); },
     .expected_shape = Shape{2, 3, 1}},
    {.name = "expand_dims_scalar",
     .input_shapes = {{}},
     .fn = [](const Tensors& x) { return expand_dims(x[0], 0); },
     .expected_shape = Shape{1}},
    {.name = "squeeze_axis",
     .input_shapes = {{2, 1, 3}},
     .fn = [](const Tensors& x) { return squeeze(x[0], 1); },
     .expected_shape = Shape{2, 3}},
    {.name = "squeeze_negative_axis",
     .input_shapes = {{2, 3, 1}},
     .fn = [](const Tensors& x) { return squeeze(x[0], -1); },
     .expected_shape = Shape{2, 3}},
    {.name = "squeeze_all",
     .input_shapes = {{1, 2, 1, 3, 1}},
     .fn = [](const Tensors& x) { return squeeze(x[0]); },
     .expected_shape = Shape{2, 3}},
    {.name = "squeeze_all_ones",
     .input_shapes = {{1, 1}},
     .fn = [](const Tensors& x) { return squeeze(x[0]); },
     .expected_shape = Shape{}},
    // broadcast_to
    {.name = "broadcast_to_row",
     .input_shapes = {{3}},
     .fn =
         [](const Tensors& x) {
           return broadcast_to(x[0], {2, 3});
         },
     .expected_shape = Shape{2, 3}},
    {.name = "broadcast_to_column",
     .input_shapes = {{2, 1}},
     .fn =
         [](const Tensors& x) {
           return broadcast_to(x[0], {2, 3});
         },
     .expected_shape = Shape{2, 3}},
    {.name = "broadcast_to_from_scalar",
     .input_shapes = {{}},
     .fn =
         [](const Tensors& x) {
           return broadcast_to(x[0], {2, 2});
         },
     .expected_shape = Shape{2, 2}},
    {.name = "broadcast_to_3d",
     .input_shapes = {{2, 1, 4}},
     .fn =
         [](const Tensors& x) {
           return broadcast_to(x[0], {3, 2, 3, 4});
         },
     .expected_shape = Shape{3, 2, 3, 4}},
    {.name = "broadcast_to_same_shape",
     .input_shapes = {{2, 3}},
     .fn =
         [](const Tensors& x) {
           return broadcast_to(x[0], {2, 3});
         },
     .expected_shape = Shape{2, 3}},
    {.name = "broadcast_to_bool",
     .input_shapes = {{3}},
     .fn =
         [](const Tensors& x) {
           return broadcast_to(x[0], {2, 3});
         },
     .forward_only = true,
     .input_dtypes = {bool_},
     .expected_shape = Shape{2, 3},
     .expected_dtype = bool_},
    // concatenate
    {.name = "concatenate_axis0",
     .input_shapes = {{2, 3}, {1, 3}},
     .fn =
         [](const Tensors& x) {
           return concatenate({x[0], x[1]}, 0);
         },
     .expected_shape = Shape{3, 3}},
    {.name = "concatenate_axis1_three",
     .input_shapes = {{2, 1}, {2, 3}, {2, 2}},
     .fn =
         [](const Tensors& x) {
           return concatenate({x[0], x[1], x[2]}, 1);
         },
     .expected_shape = Shape{2, 6}},
    {.name = "concatenate_axis_neg1_3d",
     .input_shapes = {{2, 3, 1}, {2, 3, 2}},
     .fn =
         [](const Tensors& x) {
           return concatenate({x[0], x[1]}, -1);
         },
     .expected_shape = Shape{2, 3, 3}},
    {.name = "concatenate_middle_axis_3d",
     .input_shapes = {{2, 1, 2}, {2, 2, 2}},
     .fn =
         [](const Tensors& x) {
           return concatenate({x[0], x[1]}, 1);
         },
     .expected_shape = Shape{2, 3, 2}},
    {.name = "concatenate_single",
     .input_shapes = {{4}},
     .fn = [](const Tensors& x) { return concatenate({x[0]}); },
     .expected_shape = Shape{4}},
    {.name = "concatenate_same_tensor_twice",
     .input_shapes = {{2, 2}},
     .fn =
         [](const Tensors& x) {
           return concatenate({x[0], x[0]}, 0);
         },
     .expected_shape = Shape{4, 2}},
    {.name = "concatenate_with_empty",
     .input_shapes = {{2, 0}, {2, 3}},
     .fn =
         [](const Tensors& x) {
           return concatenate({x[0], x[1]}, 1);
         },
     .expected_shape = Shape{2, 3}},
    {.name = "concatenate_int32_float32_promotes",
     .input_shapes = {{2}, {3}},
     .fn =
         [](const Tensors& x) {
           return concatenate({x[0], x[1]});
         },
     .lo = -5,
     .hi = 5,
     .forward_only = true,
     .input_dtypes = {int32, float32},
     .expected_shape = Shape{5},
     .expected_dtype = float32},
    // slice_axis
    {.name = "slice_axis0",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return slice_axis(x[0], 0, 1, 2); },
     .expected_shape = Shape{2, 3}},
    {.name = "slice_axis1",
     .input_shapes = {{2, 5}},
     .fn = [](const Tensors& x) { return slice_axis(x[0], 1, 2, 3); },
     .expected_shape = Shape{2, 3}},
    {.name = "slice_axis_neg1_3d",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return slice_axis(x[0], -1, 0, 1); },
     .expected_shape = Shape{2, 3, 1}},
    {.name = "slice_axis_middle_3d",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return slice_axis(x[0], 1, 1, 2); },
     .expected_shape = Shape{2, 2, 4}},
    {.name = "slice_whole_axis",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return slice_axis(x[0], 1, 0, 3); },
     .expected_shape = Shape{2, 3}},
    {.name = "slice_empty",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return slice_axis(x[0], 1, 3, 0); },
     .expected_shape = Shape{2, 0}},
    {.name = "slice_twice_and_add",
     .input_shapes = {{4, 3}},
     .fn =
         [](const Tensors& x) { return add(slice_axis(x[0], 0, 0, 2), slice_axis(x[0], 0, 1, 2)); },
     .expected_shape = Shape{2, 3}},
    // take (int indices, including repeated ones)
    {.name = "take_rows_int64",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .make_inputs = params_and_indices({4, 3}, {2, 0, 3}, {3}),
     .expected_shape = Shape{3, 3}},
    {.name = "take_repeated_indices",
     .input_shapes = {{4, 3}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .make_inputs = params_and_indices({4, 3}, {1, 1, 3, 1, 0}, {5}),
     .expected_shape = Shape{5, 3}},
    {.name = "take_int32_2d_indices",
     .input_shapes = {{5, 2}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .make_inputs = params_and_indices({5, 2}, {4, 0, 4, 2, 2, 2}, {2, 3}, int32),
     .expected_shape = Shape{2, 3, 2}},
    {.name = "take_from_vector",
     .input_shapes = {{6}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .make_inputs = params_and_indices({6}, {5, 0, 5}, {3}),
     .expected_shape = Shape{3}},
    {.name = "take_from_3d",
     .input_shapes = {{3, 2, 2}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .make_inputs = params_and_indices({3, 2, 2}, {2, 2}, {2}),
     .expected_shape = Shape{2, 2, 2}},
    {.name = "take_scalar_index",
     .input_shapes = {{3, 2}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .make_inputs = params_and_indices({3, 2}, {1}, {}),
     .expected_shape = Shape{2}},
    {.name = "take_no_indices",
     .input_shapes = {{3, 2}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .make_inputs = params_and_indices({3, 2}, {}, {0}),
     .expected_shape = Shape{0, 2}},
    {.name = "take_int32_params",
     .input_shapes = {{4, 2}, {3}},
     .fn = [](const Tensors& x) { return take(x[0], x[1]); },
     .lo = 0,
     .hi = 3,
     .forward_only = true,
     .input_dtypes = {int32, int64},
     .expected_shape = Shape{3, 2},
     .expected_dtype = int32},
    // one_hot (forward only: integer inputs)
    {.name = "one_hot_int32",
     .input_shapes = {{5}},
     .fn = [](const Tensors& x) { return one_hot(x[0], 4); },
     .lo = 0,
     .hi = 3,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_shape = Shape{5, 4},
     .expected_dtype = float32},
    {.name = "one_hot_int64_2d_float64",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return one_hot(x[0], 3, float64); },
     .lo = 0,
     .hi = 2,
     .forward_only = true,
     .input_dtypes = {int64},
     .expected_shape = Shape{2, 3, 3},
     .expected_dtype = float64},
    {.name = "one_hot_uint8_to_int32",
     .input_shapes = {{4}},
     .fn = [](const Tensors& x) { return one_hot(x[0], 5, int32); },
     .lo = 0,
     .hi = 4,
     .forward_only = true,
     .input_dtypes = {uint8},
     .expected_shape = Shape{4, 5},
     .expected_dtype = int32},
    {.name = "one_hot_scalar_index",
     .input_shapes = {{}},
     .fn = [](const Tensors& x) { return one_hot(x[0], 3); },
     .lo = 0,
     .hi = 2,
     .forward_only = true,
     .input_dtypes = {int32},
     .expected_shape = Shape{3}},
    // copy
    {.name = "copy",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return copy(x[0]); },
     .expected_shape = Shape{2, 3}},
    {.name = "copy_int64",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return copy(x[0]); },
     .lo = -9,
     .hi = 9,
     .forward_only = true,
     .input_dtypes = {int64},
     .expected_dtype = int64},
    // Compositions.
    {.name = "transpose_reshape_broadcast_chain",
     .input_shapes = {{2, 3}, {3, 1}},
     .fn =
         [](const Tensors& x) {
           return multiply(reshape(transpose(x[0]), {3, 2}), broadcast_to(x[1], {3, 2}));
         },
     .expected_shape = Shape{3, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(ShapeOps, kLayoutCases);

// ---- values and errors ----

TEST(ShapeOps, ReshapeIsAViewAndCopyIsNot) {
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor r = reshape(x, {3, 2});
  EXPECT_TRUE(r.shares_memory_with(x));
  EXPECT_TRUE(expand_dims(x, 0).shares_memory_with(x));
  EXPECT_TRUE(squeeze(expand_dims(x, 1)).shares_memory_with(x));
  const Tensor c = copy(x);
  EXPECT_FALSE(c.shares_memory_with(x));
  test::expect_all_close(c, x, 0, 0);
  c.data<double>()[0] = 100;
  EXPECT_EQ(x.data<double>()[0], 1);
}

TEST(ShapeOps, TransposeMovesElements) {
  const Tensor x = test::tensor_of({0, 1, 2, 3, 4, 5}, {2, 3});
  test::expect_all_close(transpose(x), test::tensor_of({0, 3, 1, 4, 2, 5}, {3, 2}), 0, 0);
  const Tensor y = transpose(arange(24, float64).reshape({2, 3, 4}), {2, 0, 1});
  EXPECT_EQ(y.shape(), (Shape{4, 2, 3}));
  EXPECT_EQ(y.at<double>({3, 1, 2}), 1 * 12 + 2 * 4 + 3);
}

TEST(ShapeOps, ConcatenateSliceTakeAndOneHotValues) {
  const Tensor a = test::tensor_of({1, 2, 3, 4}, {2, 2});
  const Tensor b = test::tensor_of({5, 6}, {2, 1});
  test::expect_all_close(concatenate({a, b}, 1), test::tensor_of({1, 2, 5, 3, 4, 6}, {2, 3}), 0, 0);
  test::expect_all_close(slice_axis(concatenate({a, b}, 1), 1, 1, 2),
                         test::tensor_of({2, 5, 4, 6}, {2, 2}), 0, 0);
  test::expect_all_close(take(a, test::tensor_of({1, 1, 0}, {3}, int32)),
                         test::tensor_of({3, 4, 3, 4, 1, 2}, {3, 2}), 0, 0);
  test::expect_all_close(one_hot(test::tensor_of({2, 0}, {2}, int64), 3),
                         test::tensor_of({0, 0, 1, 1, 0, 0}, {2, 3}, float32), 0, 0);
  test::expect_all_close(broadcast_to(test::tensor_of({7, 8}, {2, 1}), {2, 2}),
                         test::tensor_of({7, 7, 8, 8}, {2, 2}), 0, 0);
}

TEST(ShapeOps, TakeGradientAccumulatesRepeatedIndices) {
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor idx = test::tensor_of({2, 0, 2, 2}, {4}, int64);
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensors g = tape.gradient(sum(take(x, idx)), {x});
  test::expect_all_close(g[0], test::tensor_of({1, 1, 0, 0, 3, 3}, {3, 2}), 0, 0);
}

TEST(ShapeOps, TakeGradientNamesItsNonzeroRows) {
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {3, 2});
  const Tensor idx = test::tensor_of({2, 0}, {2}, int32);
  autodiff::GradientTape tape;
  tape.watch(x);
  const Tensors g = tape.gradient(sum(take(x, idx)), {x});
  ASSERT_TRUE(g[0].nonzero_rows().defined());
  EXPECT_TRUE(g[0].nonzero_rows().shares_memory_with(idx));
  EXPECT_FALSE(add(g[0], g[0]).nonzero_rows().defined());  // computed tensors drop the hint
}

// A replayed step reuses the gradient buffer and clears only the rows it scattered into last.
TEST(ShapeOps, TakeGradientStaysExactWhenReplayed) {
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6, 7, 8}, {4, 2});
  const Tensor idx = test::tensor_of({0, 0}, {2}, int64);
  Tensor g;
  std::vector<autodiff::Kernel> plan;
  {
    autodiff::KernelTrace trace;
    autodiff::GradientTape tape;
    tape.watch(x);
    g = tape.gradient(sum(take(x, idx)), {x})[0];
    plan = trace.take();
  }
  test::expect_all_close(g, test::tensor_of({2, 2, 0, 0, 0, 0, 0, 0}, {4, 2}), 0, 0);
  for (const auto& ids : std::vector<std::vector<int64_t>>{{3, 1}, {2, 2}, {1, 3}}) {
    idx.copy_from(Tensor::from_vector<int64_t>(ids));
    for (const auto& kernel : plan) kernel();
    std::vector<double> want(8, 0.0);
    for (int64_t r : ids) want[2 * r] += 1, want[2 * r + 1] += 1;
    test::expect_all_close(g, test::tensor_of(want, {4, 2}), 0, 0);
  }
}

TEST(ShapeOps, ConcatenateGradientSplitsBack) {
  const Tensor a = test::tensor_of({1, 2}, {1, 2});
  const Tensor b = test::tensor_of({3, 4, 5, 6}, {2, 2});
  const Tensor w = test::tensor_of({1, 2, 3, 4, 5, 6}, {3, 2});
  autodiff::GradientTape tape;
  tape.watch(a);
  tape.watch(b);
  const Tensors g = tape.gradient(sum(multiply(concatenate({a, b}), w)), {a, b});
  test::expect_all_close(g[0], test::tensor_of({1, 2}, {1, 2}), 0, 0);
  test::expect_all_close(g[1], test::tensor_of({3, 4, 5, 6}, {2, 2}), 0, 0);
}

TEST(ShapeOps, ReshapeRejectsBadShapes) {
  const Tensor x = zeros({2, 3});
  test::expect_throws_with<ValueError>(
      [&] {
        reshape(x, {4, 2});
      },
      "cannot reshape array of size 6 into shape (4, 2)");
  test::expect_throws_with<ValueError>([&] { reshape(x, {-1, 4}); }, "cannot reshape");
  test::expect_throws_with<ValueError>(
      [&] {
        reshape(x, {-1, -1});
      },
      "can only infer one dimension");
}

TEST(ShapeOps, TransposeRejectsBadPermutations) {
  const Tensor x = zeros({2, 3, 4});
  test::expect_throws_with<ValueError>([&] { transpose(x, {1, 0}); }, "axes don't match array");
  test::expect_throws_with<ValueError>([&] { transpose(x, {0, 0, 1}); }, "repeated axis");
  test::expect_throws_with<ValueError>([&] { transpose(x, {0, 1, 3}); }, "out of bounds");
}

TEST(ShapeOps, ExpandDimsAndSqueezeRejectBadAxes) {
  const Tensor x = zeros({2, 3});
  test::expect_throws_with<ValueError>([&] { expand_dims(x, 3); },
                                       "axis 3 is out of bounds for a tensor of rank 3");
  test::expect_throws_with<ValueError>([&] { expand_dims(x, -4); }, "out of bounds");
  test::expect_throws_with<ValueError>([&] { squeeze(x, 0); },
                                       "cannot select an axis to squeeze out which has size not "
                                       "equal to one");
  test::expect_throws_with<ValueError>([&] { squeeze(x, 2); }, "out of bounds");
}

TEST(ShapeOps, BroadcastToRejectsIncompatibleShapes) {
  test::expect_throws_with<ValueError>(
      [&] {
        broadcast_to(zeros({2, 3}), {3});
      },
      "cannot broadcast a tensor of shape (2, 3) to (3,)");
  test::expect_throws_with<ValueError>([&] { broadcast_to(zeros({3}), {2, 4}); }, "broadcast");
  test::expect_throws_with<ValueError>(
      [&] {
        broadcast_to(zeros({2, 1}), {1, 3});
      },
      "cannot broadcast a tensor of shape (2, 1) to (1, 3)");
}

TEST(ShapeOps, ConcatenateRejectsMismatches) {
  test::expect_throws_with<ValueError>([&] { concatenate({}); }, "need at least one tensor");
  test::expect_throws_with<ValueError>(
      [&] {
        concatenate({zeros({}), zeros({})});
      },
      "zero-dimensional arrays cannot be concatenated");
  test::expect_throws_with<ValueError>(
      [&] {
        concatenate({zeros({2, 3}), zeros({2, 4})}, 0);
      },
      "all input dimensions except axis 0 must match exactly");
  test::expect_throws_with<ValueError>(
      [&] {
        concatenate({zeros({2, 3}), zeros({6})});
      },
      "all inputs must have the same rank");
  test::expect_throws_with<ValueError>([&] { concatenate({zeros({2, 3})}, 2); }, "out of bounds");
}

TEST(ShapeOps, SliceRejectsOutOfRange) {
  const Tensor x = zeros({2, 5});
  test::expect_throws_with<IndexError>([&] { slice_axis(x, 1, 3, 3); },
                                       "slice: [3, 6) out of range for axis 1 of size 5");
  test::expect_throws_with<IndexError>([&] { slice_axis(x, 0, -1, 1); }, "out of range");
  test::expect_throws_with<IndexError>([&] { slice_axis(x, 0, 0, -1); }, "out of range");
  test::expect_throws_with<ValueError>([&] { slice_axis(x, 2, 0, 1); }, "out of bounds");
}

// Lookups of many wide rows (the CPU backend copies them on several threads) equal the
// reference's, and an out-of-range index anywhere throws the reference's error for the first.
TEST(ShapeOps, TakeOfManyWideRowsMatchesTheReference) {
  const Tensor table = keras::random::uniform({700, 300}, -1, 1, float32, 3);
  for (const DType dt : {int32, int64}) {
    Tensor ids = cast(keras::random::randint({2, 450}, 0, 700, int32, 4), dt);
    Tensor ref;
    {
      backend::ScopedBackend scope(backend::reference_backend());
      ref = take(table, ids);
    }
    EXPECT_TRUE(test::identical(take(table, ids), ref)) << dtype_name(dt);
    if (dt == int32) {
      ids.data<int32_t>()[600] = 700;
      ids.data<int32_t>()[800] = -2;
    } else {
      ids.data<int64_t>()[600] = 700;
      ids.data<int64_t>()[800] = -2;
    }
    test::expect_throws_with<IndexError>([&] { take(table, ids); },
                                         "gather: index 700 is out of range [0, 700)");
  }
}

// The CPU backend's scatter_add (take's gradient: float32 rows of 16 floats or more) and its
// zeroing fill_rows (clearing the rows a replayed step scattered into) give the reference's bits:
// the same sums in the same order, duplicate indices included; other cases (a -0 fill, narrow
// rows) and bad indices go to the reference, which throws its error.
TEST(ShapeOps, ScatterAddAndFillRowsMatchTheReferenceExactly) {
  backend::Backend& cpu = backend::cpu_backend();
  backend::Backend& ref = backend::reference_backend();
  for (const DType dt : {int32, int64}) {
    // (3000, 128): enough work (600 rows of 128) for the CPU to split the rows across threads.
    for (const Shape& shape : {Shape{500, 64}, Shape{500, 7}, Shape{40, 3, 16}, Shape{3000, 128}}) {
      SCOPED_TRACE(shape_str(shape) + " " + std::string(dtype_name(dt)));
      const Tensor ids = cast(keras::random::randint({2, 300}, 0, shape[0], int32, 5), dt);
      Shape dy_shape{2, 300};
      dy_shape.insert(dy_shape.end(), shape.begin() + 1, shape.end());
      const Tensor dy = keras::random::uniform(dy_shape, -1, 1, float32, 6);
      const Tensor start = keras::random::uniform(shape, -1, 1, float32, 7);
      const Tensor a = copy(start), b = copy(start);
      cpu.scatter_add(dy, ids, a);
      ref.scatter_add(dy, ids, b);
      EXPECT_TRUE(test::identical(a, b));
      const Tensor some = ids.slice_rows(0, 1);
      cpu.fill_rows(a, some, 0.0);
      ref.fill_rows(b, some, 0.0);
      EXPECT_TRUE(test::identical(a, b));
      cpu.fill_rows(a, some, -0.0);
      ref.fill_rows(b, some, -0.0);
      EXPECT_TRUE(test::identical(a, b));
      const Tensor bad = test::tensor_of({1, static_cast<double>(shape[0]), 2}, {3}, dt);
      Shape bad_dy{3};  // rows as wide as the table's: the reference adds row 1 before throwing
      bad_dy.insert(bad_dy.end(), shape.begin() + 1, shape.end());
      test::expect_throws_with<IndexError>([&] { cpu.scatter_add(zeros(bad_dy), bad, a); },
                                           "out of range");
      test::expect_throws_with<IndexError>([&] { cpu.fill_rows(a, bad, 0.0); }, "out of range");
    }
  }
}

TEST(ShapeOps, TakeRejectsBadIndices) {
  const Tensor x = zeros({3, 2});
  test::expect_throws_with<IndexError>(
      [&] {
        take(x, test::tensor_of({0, 3}, {2}, int64));
      },
      "gather: index 3 is out of range [0, 3)");
  test::expect_throws_with<IndexError>([&] { take(x, test::tensor_of({-1}, {1}, int32)); },
                                       "index -1 is out of range");
  test::expect_throws_with<TypeError>(
      [&] {
        take(x, test::tensor_of({0, 1}, {2}, float32));
      },
      "take: indices must be int32 or int64, got float32");
  test::expect_throws_with<ValueError>([&] { take(zeros({}), test::tensor_of({0}, {1}, int32)); },
                                       "take: cannot index a scalar");
  // Under both backends.
  for (backend::Backend* be : {&backend::reference_backend(), &backend::cpu_backend()}) {
    backend::ScopedBackend scope(*be);
    EXPECT_THROW(take(x, test::tensor_of({5}, {1}, int32)), IndexError) << be->name();
  }
}

TEST(ShapeOps, OneHotRejectsBadArguments) {
  test::expect_throws_with<ValueError>([&] { one_hot(test::tensor_of({0}, {1}, int32), 0); },
                                       "one_hot: num_classes must be positive, got 0");
  test::expect_throws_with<IndexError>([&] { one_hot(test::tensor_of({3}, {1}, int32), 3); },
                                       "one_hot: index 3 is out of range [0, 3)");
}

// BUG (src/core/tensor.cpp, print_block, used by operator<<(ostream&, const Tensor&)): for a
// zero-size dimension that is not the last one, `inner = stride / n` divides by zero (SIGFPE), so
// printing e.g. a [0, 3] tensor (or a gtest failure message that prints one) crashes. NumPy
// prints "[]". Fix: print "[]" (with the usual header) when t.size() == 0, before recursing.
TEST(ZeroSizeDeathTest, PrintingAnEmptyTensor) {
  EXPECT_EXIT(
      {
        std::ostringstream out;
        out << zeros({0, 3});
        std::exit(out.str().empty() ? 1 : 0);
      },
      ::testing::ExitedWithCode(0), "");
}

TEST(Split, PartsAndGradientMatchSlices) {
  Tensor x = Tensor::from_vector<double>({1, 2, 3, 4, 5, 6}, {2, 3});
  x.set_requires_grad(true);
  autodiff::GradientTape tape;
  Tensors parts = ops::split(x, 3, 1);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[2].shape(), (Shape{2, 1}));
  EXPECT_EQ(parts[2].data<double>()[1], 6.0);
  // Only parts 0 and 2 are used: part 1's gradient is zero.
  Tensor loss = ops::add(ops::sum(parts[0]), ops::multiply(ops::sum(parts[2]), 3.0));
  Tensor g = tape.gradient(loss, {x})[0];
  EXPECT_EQ(std::vector<double>(g.data<double>(), g.data<double>() + 6),
            (std::vector<double>{1, 0, 3, 1, 0, 3}));
  EXPECT_THROW(ops::split(x, 4, 1), ValueError);
}

TEST(Split, AtIndicesAsNumPy) {
  const Tensor x = Tensor::from_vector<float>({0, 1, 2, 3, 4}, {5});
  // np.split(x, [3, 1, 9]): x[:3], x[3:1] (empty), x[1:9], x[9:] (empty).
  const Tensors p = ops::split(x, std::vector<int64_t>{3, 1, 9});
  ASSERT_EQ(p.size(), 4u);
  EXPECT_EQ(p[0].shape(), Shape{3});
  EXPECT_EQ(p[1].shape(), Shape{0});
  EXPECT_EQ(p[2].shape(), Shape{4});
  EXPECT_EQ(p[2].data<float>()[0], 1.0f);
  EXPECT_EQ(p[3].shape(), Shape{0});
  EXPECT_EQ(ops::split(x, std::vector<int64_t>{}).size(), 1u);
}

// ---- pad and repeat ----

const OpCase kPadRepeatCases[] = {
    {.name = "pad_2d_both_axes",
     .input_shapes = {{2, 3}},
     .fn =
         [](const Tensors& x) {
           return pad(x[0], {{1, 2}, {0, 1}});
         },
     .expected_shape = Shape{5, 4}},
    {.name = "pad_4d_spatial_only",
     .input_shapes = {{1, 2, 3, 2}},
     .fn =
         [](const Tensors& x) {
           return pad(x[0], {{0, 0}, {1, 1}, {2, 0}, {0, 0}});
         },
     .expected_shape = Shape{1, 4, 5, 2}},
    {.name = "pad_constant_value",
     .input_shapes = {{3}},
     .fn =
         [](const Tensors& x) {
           return pad(x[0], {{1, 1}}, 2.5);
         },
     .expected_shape = Shape{5}},
    {.name = "pad_nothing",
     .input_shapes = {{2, 2}},
     .fn =
         [](const Tensors& x) {
           return pad(x[0], {{0, 0}, {0, 0}});
         },
     .expected_shape = Shape{2, 2}},
    {.name = "repeat_axis0",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return repeat(x[0], 2, 0); },
     .expected_shape = Shape{4, 3}},
    {.name = "repeat_middle_axis",
     .input_shapes = {{2, 3, 2}},
     .fn = [](const Tensors& x) { return repeat(x[0], 3, 1); },
     .expected_shape = Shape{2, 9, 2}},
    {.name = "repeat_last_axis_negative",
     .input_shapes = {{2, 2}},
     .fn = [](const Tensors& x) { return repeat(x[0], 2, -1); },
     .expected_shape = Shape{2, 4}},
    {.name = "repeat_once",
     .input_shapes = {{2, 2}},
     .fn = [](const Tensors& x) { return repeat(x[0], 1, 0); },
     .expected_shape = Shape{2, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(PadRepeat, kPadRepeatCases);

// split at indices (keras.ops.split with a list): parts that tile the axis, and parts that
// overlap or are empty (decreasing indices, clamped ones), recombined so that every part counts.
const OpCase kSplitIndicesCases[] = {
    {.name = "split_indices_tiling",
     .input_shapes = {{2, 5}},
     .fn =
         [](const Tensors& x) {
           const Tensors p = split(x[0], std::vector<int64_t>{1, 3}, 1);
           return concatenate({multiply(p[2], 3.0), p[0], multiply(p[1], 2.0)}, 1);
         },
     .expected_shape = Shape{2, 5}},
    {.name = "split_indices_overlapping",
     .input_shapes = {{5, 2}},
     .fn =
         [](const Tensors& x) {
           const Tensors p = split(x[0], std::vector<int64_t>{3, 1, 9}, 0);
           return concatenate({p[0], multiply(p[2], 2.0), p[1], p[3]}, 0);
         },
     .expected_shape = Shape{7, 2}},
};
KERAS_INSTANTIATE_OP_TESTS(SplitIndices, kSplitIndicesCases);

TEST(Pad, ValuesAndErrors) {
  const Tensor x = test::tensor_of({1, 2, 3, 4}, {2, 2});
  test::expect_all_close(pad(x, {{1, 0}, {0, 1}}),
                         test::tensor_of({0, 0, 0, 1, 2, 0, 3, 4, 0}, {3, 3}), 0, 0);
  test::expect_all_close(pad(x, {{0, 0}, {1, 0}}, -1.0),
                         test::tensor_of({-1, 1, 2, -1, 3, 4}, {2, 3}), 0, 0);
  EXPECT_THROW(pad(x, {{1, 1}}), ValueError);
  EXPECT_THROW(pad(x, {{1, 1}, {-1, 0}}), ValueError);
}

TEST(Repeat, RepeatsEachElementInPlace) {
  const Tensor x = test::tensor_of({1, 2, 3, 4}, {2, 2});
  test::expect_all_close(repeat(x, 2, 1), test::tensor_of({1, 1, 2, 2, 3, 3, 4, 4}, {2, 4}), 0, 0);
  test::expect_all_close(repeat(x, 2, 0), test::tensor_of({1, 2, 1, 2, 3, 4, 3, 4}, {4, 2}), 0, 0);
  EXPECT_THROW(repeat(x, 0, 0), ValueError);
}

// Many copies (an UpSampling size from a config) are a broadcast: the same values, and sizes
// beyond memory or int64 are keras errors before anything is allocated (a list of 10^12 tensors
// was std::bad_alloc, an output length past int64 undefined behaviour).
TEST(Repeat, ManyCopiesAndImpossibleSizes) {
  const Tensor x = test::tensor_of({1, 2, 3, 4}, {2, 2});
  const Tensor y = repeat(x, 100, 1);
  ASSERT_EQ(y.shape(), (Shape{2, 200}));
  for (int64_t i = 0; i < 200; ++i) {
    EXPECT_EQ(y.at<double>({0, i}), i < 100 ? 1 : 2);
    EXPECT_EQ(y.at<double>({1, i}), i < 100 ? 3 : 4);
  }
  test::expect_throws_with<MemoryError>([&] { repeat(x, 1000000000000, 1); }, "Unable to allocate");
  test::expect_throws_with<ValueError>([&] { repeat(x, int64_t{1} << 62, 0); },
                                       "does not fit in 64 bits");
}

// keras.ops.unstack, slice and diag: compositions of split, slice_axis, pad and where, so their
// gradients come from those.
const test::OpCase kSliceDiagCases[] = {
    {.name = "unstack_middle_axis",
     .input_shapes = {{2, 3, 4}},
     .fn = [](const Tensors& x) { return unstack(x[0], 1)[2]; },
     .expected_shape = Shape{2, 4}},
    {.name = "unstack_last_axis_all_parts",
     .input_shapes = {{2, 3}},
     .fn = [](const Tensors& x) { return concatenate(unstack(x[0], -1), 0); },
     .expected_shape = Shape{6}},
    {.name = "slice_rest_of_an_axis",
     .input_shapes = {{3, 4, 5}},
     .fn =
         [](const Tensors& x) {
           return slice(x[0], {1, 0, 2}, {-1, 2, 3});
         },
     .expected_shape = Shape{2, 2, 3}},
    {.name = "slice_start_clamped",
     .input_shapes = {{3, 4}},
     .fn =
         [](const Tensors& x) {
           return slice(x[0], {5, -2}, {2, 3});
         },
     .expected_shape = Shape{2, 3}},
    {.name = "diag_of_a_vector",
     .input_shapes = {{4}},
     .fn = [](const Tensors& x) { return diag(x[0]); },
     .expected_shape = Shape{4, 4}},
    {.name = "diag_above",
     .input_shapes = {{3}},
     .fn = [](const Tensors& x) { return diag(x[0], 2); },
     .expected_shape = Shape{5, 5}},
    {.name = "diag_below",
     .input_shapes = {{3}},
     .fn = [](const Tensors& x) { return diag(x[0], -1); },
     .expected_shape = Shape{4, 4}},
    {.name = "diag_of_a_matrix",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return diag(x[0], 1); },
     .expected_shape = Shape{3}},
};
KERAS_INSTANTIATE_OP_TESTS(SliceDiag, kSliceDiagCases);

TEST(SliceDiag, ValuesAndErrors) {
  const Tensor x = Tensor::from_vector<float>({0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11}, {3, 4});
  // A start past the end is clamped so that the block fits (lax.dynamic_slice).
  EXPECT_EQ(test::to_doubles(slice(x, {2, 3}, {2, 2})), (std::vector<double>{6, 7, 10, 11}));
  EXPECT_EQ(test::to_doubles(slice(x, {1, 1}, {-1, 1})), (std::vector<double>{5, 9}));
  test::expect_throws_with<ValueError>([&] { slice(x, {0}, {1, 1}); }, "length 2");
  test::expect_throws_with<ValueError>([&] { slice(x, {0, 0}, {4, 1}); }, "does not fit");
  const Tensors parts = unstack(x, 0);
  ASSERT_EQ(parts.size(), 3u);
  EXPECT_EQ(parts[1].shape(), (Shape{4}));
  EXPECT_EQ(test::to_doubles(parts[2]), (std::vector<double>{8, 9, 10, 11}));
  const Tensor v = Tensor::from_vector<float>({1, INFINITY}, {2});
  EXPECT_EQ(test::to_doubles(diag(v, 1)),
            (std::vector<double>{0, 1, 0, 0, 0, INFINITY, 0, 0, 0}));  // zeros stay zeros
  EXPECT_EQ(test::to_doubles(diag(v, -1)), (std::vector<double>{0, 0, 0, 1, 0, 0, 0, INFINITY, 0}));
  test::expect_throws_with<ValueError>([&] { diag(zeros({2, 2, 2})); }, "1-D or 2-D");
}

}  // namespace
}  // namespace keras::ops
