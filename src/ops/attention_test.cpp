#include "keras/ops/attention.h"

#include <gtest/gtest.h>

#include "harness/op_case.h"
#include "harness/tensor_matchers.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"

namespace keras::ops {
namespace {

using test::OpCase;

// What Keras's Softmax layer does with a mask, in three ops: the oracle of the fused kernel.
Tensor unfused(const Tensor& x, const Tensor& mask) {
  const Tensor m = broadcast_to(mask.dtype() == bool_ ? mask : greater(mask, 0.5), x.shape());
  const Tensor y = softmax(where(m, x, full_like(x, -1e9)), -1);
  return where(m, y, zeros_like(y));
}

const OpCase kMaskedSoftmaxCases[] = {
    {.name = "full_mask",
     .input_shapes = {{2, 3, 5}, {2, 3, 5}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], x[1]); },
     .input_dtypes = {float32, bool_},
     .expected_shape = Shape{2, 3, 5}},
    {.name = "mask_broadcast_over_heads",  // (B, 1, T, S) against (B, N, T, S)
     .input_shapes = {{2, 3, 4, 5}, {2, 1, 4, 5}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], x[1]); },
     .input_dtypes = {float32, bool_},
     .expected_shape = Shape{2, 3, 4, 5}},
    {.name = "lower_rank_mask",  // (T, S) against (B, N, T, S)
     .input_shapes = {{2, 2, 3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], x[1]); },
     .input_dtypes = {float32, bool_}},
    {.name = "mask_last_dim_broadcast",
     .input_shapes = {{2, 3, 4}, {2, 3, 1}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], x[1]); },
     .input_dtypes = {float32, bool_}},
    {.name = "fully_masked_rows",
     .input_shapes = {{2, 4}, {2, 4}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], x[1]); },
     .input_dtypes = {float32, bool_},
     .make_inputs =
         [] {
           return Tensors{test::tensor_of({0.5, -1, 2, 0.25, 1, 2, 3, 4}, {2, 4}),
                          ops::cast(test::tensor_of({1, 0, 1, 1, 0, 0, 0, 0}, {2, 4}), bool_)};
         }},
    {.name = "uniform_empty_rows",
     .input_shapes = {{2, 4}, {2, 4}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], x[1], true); },
     .input_dtypes = {float32, bool_},
     .make_inputs =
         [] {
           return Tensors{test::tensor_of({0.5, -1, 2, 0.25, 1, 2, 3, 4}, {2, 4}),
                          ops::cast(test::tensor_of({1, 0, 1, 1, 0, 0, 0, 0}, {2, 4}), bool_)};
         }},
    {.name = "float_mask",
     .input_shapes = {{3, 4}, {3, 4}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], x[1]); },
     .lo = 0,
     .hi = 1,
     .differentiable = {true, false}},
    {.name = "no_mask_is_softmax",
     .input_shapes = {{3, 4}},
     .fn = [](const Tensors& x) { return masked_softmax(x[0], Tensor()); }},
};
KERAS_INSTANTIATE_OP_TESTS(MaskedSoftmax, kMaskedSoftmaxCases);

TEST(MaskedSoftmax, MatchesKerasWhereSoftmaxWhere) {
  const Tensor x =
      ops::cast(test::tensor_of({1, 2, 3, 4, 5, 6, -1, 0, 1, 2, 3, 9}, {2, 1, 2, 3}), float32);
  const Tensor mask = ops::cast(test::tensor_of({1, 0, 1, 0, 0, 0}, {1, 2, 3}), bool_);
  const Tensor y = masked_softmax(x, mask);
  test::expect_all_close(y, unfused(x, mask), 1e-7, 1e-6);
  // The fully masked row gives zeros, as Keras's final where does.
  EXPECT_EQ(y.cpu().data<float>()[3], 0.0f);
  EXPECT_EQ(y.cpu().data<float>()[5], 0.0f);
}

TEST(MaskedSoftmax, RefusesMasksThatDoNotBroadcast) {
  const Tensor x = keras::zeros({2, 3});
  EXPECT_THROW(masked_softmax(x, ops::cast(keras::zeros({2, 2}), bool_)), ValueError);
  EXPECT_THROW(masked_softmax(x, ops::cast(keras::zeros({1, 2, 3}), bool_)), ValueError);
}

}  // namespace
}  // namespace keras::ops
