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

const test::OpCase kDotProductAttentionCases[] = {
    {.name = "grouped_heads",
     .input_shapes = {{2, 3, 4, 2}, {2, 5, 2, 2}, {2, 5, 2, 3}},
     .fn = [](const Tensors& x) { return dot_product_attention(x[0], x[1], x[2]); },
     .expected_shape = Shape{2, 3, 4, 3}},
    {.name = "bias_mask_causal_scale",
     .input_shapes = {{1, 4, 2, 3}, {1, 4, 2, 3}, {1, 4, 2, 3}, {1, 2, 4, 4}},
     .fn =
         [](const Tensors& x) {
           const Tensor mask =
               Tensor::from_vector<bool>({true, false, true, true, true, true, false, true, false,
                                          false, true, true, true, true, true, false},
                                         {1, 1, 4, 4});
           return dot_product_attention(x[0], x[1], x[2], x[3], mask, 0.7, true);
         }},
};
KERAS_INSTANTIATE_OP_TESTS(DotProductAttention, kDotProductAttentionCases);

// keras.ops.dot_product_attention's values (Keras 3.15 with JAX): a masked-everywhere row
// attends uniformly; is_causal hides the later keys.
TEST(DotProductAttention, GivesKerasValues) {
  std::vector<double> qv(12), kv(8), vv(8);
  for (size_t i = 0; i < qv.size(); ++i) qv[i] = static_cast<double>(i % 5) / 5 - 0.3;
  for (size_t i = 0; i < kv.size(); ++i) kv[i] = static_cast<double>(i % 3) / 3 - 0.2;
  for (size_t i = 0; i < vv.size(); ++i) vv[i] = static_cast<double>(i) / 4;
  const Tensor q = test::tensor_of(qv, {1, 3, 2, 2}, float32);
  const Tensor k = test::tensor_of(kv, {1, 4, 1, 2}, float32);
  const Tensor v = test::tensor_of(vv, {1, 4, 1, 2}, float32);
  auto near = [](const Tensor& x, std::vector<double> expected) {
    test::expect_all_close(x, test::tensor_of(expected, x.shape(), float32), 1e-6, 1e-6);
  };
  near(dot_product_attention(q, k, v),
       {0.7513951, 1.0013951, 0.7574936, 1.0074936, 0.7323981, 0.9823981, 0.7543408, 1.0043409,
        0.7608512, 1.0108511, 0.7513951, 1.0013951});
  const Tensor mask = Tensor::from_vector<bool>(
      {true, false, true, true, false, false, false, false, true, true, false, true}, {1, 1, 3, 4});
  near(dot_product_attention(q, k, v, {}, mask, 2.0),
       {0.8192289, 1.0692289, 0.8487418, 1.0987418, 0.75, 1.0, 0.75, 1.0, 0.6629228, 0.9129228,
        0.6840582, 0.9340582});
  near(dot_product_attention(q, k, v, {}, {}, std::nullopt, true),
       {0.0, 0.25, 0.0, 0.25, 0.2880047, 0.5380048, 0.2411648, 0.4911648, 0.5321090, 0.7821090,
        0.4839268, 0.7339268});
  test::expect_throws_with<ValueError>(
      [&] {
        dot_product_attention(reshape(q, {3, 2, 2}), k, v);
      },
      "`dot_product_attention` only supports 4D inputs");
  EXPECT_THROW(dot_product_attention(q, reshape(concatenate({k, k, k}, 2), {1, 4, 3, 2}),
                                     reshape(concatenate({v, v, v}, 2), {1, 4, 3, 2})),
               ValueError);  // 2 query heads over 3 key heads
  EXPECT_THROW(dot_product_attention(q, k, v, zeros({1, 3, 3, 4})), ValueError);
}

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
