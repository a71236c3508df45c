#include "keras/layers/activations/softmax.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/nn.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

TEST(Softmax, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Softmax({.axis = {1}}); },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
  });
}

TEST(Softmax, ContractSeveralAxes) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Softmax({.axis = {1, 2}});
          },
      .input_shape = {2, 3, 4},
      .expected_output_shape = {2, 3, 4},
  });
}

TEST(Softmax, SeveralAxesNormalizeJointly) {
  const Tensor x = test::random_tensor({2, 3, 4}, float64, -2, 2, 3);
  Softmax softmax({.axis = {1, 2}});
  softmax->set_dtype(float64);  // a float32 layer would cast x to float32
  const Tensor y = softmax(x);
  const Tensor flat = ops::softmax(ops::reshape(x, {2, 12}), -1);
  test::expect_all_close(y, ops::reshape(flat, {2, 3, 4}), 1e-14, 1e-16);
}

TEST(Softmax, MaskZeroesMaskedEntries) {
  // Keras 3: Softmax()(x, mask=m) with m [[1, 1, 0], [0, 0, 0]]: softmax over the kept entries,
  // 0 where masked, and a fully masked row all 0.
  const Tensor x = test::tensor_of({1, 2, 3, 4, 5, 6}, {2, 3});
  const Tensor m = ops::cast(test::tensor_of({1, 1, 0, 0, 0, 0}, {2, 3}), bool_);
  Tensor masked = ops::copy(x);
  masked.set_keras_mask(m);
  Softmax softmax;
  softmax->set_dtype(float64);  // a float32 layer would cast x to float32
  const Tensor y = softmax(masked);
  const double e = std::exp(1.0);
  test::expect_all_close(y, test::tensor_of({1 / (1 + e), e / (1 + e), 0, 0, 0, 0}, {2, 3}), 1e-12,
                         1e-15);
}

TEST(Softmax, MaskBroadcastsFromTheRight) {
  const Tensor x = test::random_tensor({2, 3, 3}, float64, -1, 1, 5);
  Tensor masked = ops::copy(x);
  masked.set_keras_mask(ops::cast(test::tensor_of({1, 0, 1}, {1, 3}), bool_));
  Softmax softmax;
  softmax->set_dtype(float64);  // a float32 layer would cast x to float32
  const Tensor y = softmax(masked);
  EXPECT_EQ(y.at<double>({1, 2, 1}), 0.0);
  EXPECT_GT(y.at<double>({1, 2, 2}), 0.0);
  Tensor bad = ops::copy(x);
  bad.set_keras_mask(ops::cast(test::tensor_of({1, 0}, {2}), bool_));
  test::expect_throws_with<ValueError>([&] { Softmax()(bad); },
                                       "The `mask` must be broadcastable to `inputs`");
}

TEST(Softmax, SymbolicMaskArgument) {
  auto x = Input({4});
  auto keep = Input({4}, {.dtype = bool_});
  keras::Model model({x, keep}, Softmax()(x, {.mask = {keep}}));
  const Tensor xs = test::tensor_of({1, 2, 3, 4}, {1, 4}, float32);
  const Tensor ks = ops::cast(test::tensor_of({1, 0, 1, 0}, {1, 4}), bool_);
  const Tensor y = model.predict({xs, ks})[0];
  const double e2 = std::exp(2.0);
  test::expect_all_close(y, test::tensor_of({1 / (1 + e2), 0, e2 / (1 + e2), 0}, {1, 4}, float32),
                         1e-6, 1e-7);
}

}  // namespace
}  // namespace keras::layers
