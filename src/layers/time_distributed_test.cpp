#include "keras/layers/time_distributed.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/keras.hpp"

namespace keras::layers {
namespace {

TEST(TimeDistributed, Contract) {
  test::run_layer_test({
      .make_layer = [] { return LayerRef(TimeDistributed(Dense(3))); },
      .input_shape = {2, 4, 5},
      .expected_output_shape = {2, 4, 3},
      .expected_num_weights = 2,
      .expected_num_trainable_weights = 2,
  });
}

TEST(TimeDistributed, WrapsAModelAsInTheGuide) {
  auto x = Input({784});
  Model model(x, Dense(10, {.activation = "softmax"})(x));
  auto input_sequences = Input({20, 784});
  auto processed = TimeDistributed(model)(input_sequences);
  EXPECT_EQ(processed.shape(), (Shape{kNone, 20, 10}));
  Model outer(input_sequences, processed);
  EXPECT_EQ(outer.count_params(), model.count_params());
  Tensor data = random::uniform({2, 20, 784});
  Tensor seq = outer.predict(data);
  Tensor one = model.predict(ops::reshape(data, {40, 784}));
  // Mathematically equal, not bit-equal: TimeDistributed runs the 40 rows as one matrix while
  // predict() splits them into batches of 32 and 8, and OpenBLAS picks its kernels (and their
  // summation order) by shape and CPU. The logits are float32 dot products of 784 terms; their
  // rounding differences are O(sqrt(784) * 2^-24) ~ 2e-6 relative, and softmax keeps that scale.
  test::expect_all_close(seq, ops::reshape(one, {2, 20, 10}), /*rtol=*/1e-5, /*atol=*/1e-6);
}

TEST(TimeDistributed, RejectsRank2Inputs) {
  EXPECT_THROW(TimeDistributed(Dense(3))(Input({4})), ValueError);
}

// Keras 3's time_distributed_test: a mask whose batch or time dimension differs from the
// input's is a ValueError (test_mask_validation_with_mismatched_timesteps / _batch_size / 1-D).
TEST(TimeDistributed, RejectsAMaskOfAnotherShape) {
  auto masked = [](Shape mask_shape) {
    Tensor x = zeros({4, 5, 3});
    x.set_keras_mask(ones(mask_shape, bool_));
    return x;
  };
  auto td = TimeDistributed(Dense(5));
  EXPECT_THAT(
      [&] {
        td(masked({4, 6}));
      },
      ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr(
          "The `mask` passed to the `TimeDistributed` layer has a shape (4, 6)")));
  EXPECT_THAT(
      [&] {
        td(masked({3, 5}));
      },
      ::testing::ThrowsMessage<ValueError>(
          ::testing::HasSubstr("Expected mask shape prefix: (4, 5).")));
  EXPECT_THAT([&] { td(masked({4})); },
              ::testing::ThrowsMessage<ValueError>(::testing::HasSubstr("must be at least 2D")));
  EXPECT_EQ(td(masked({4, 5})).shape(), (Shape{4, 5, 5}));
}

}  // namespace
}  // namespace keras::layers
