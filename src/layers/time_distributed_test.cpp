#include "keras/layers/time_distributed.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
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
  for (int64_t i = 0; i < seq.size(); ++i)
    EXPECT_FLOAT_EQ(seq.data<float>()[i], one.data<float>()[i]);
}

TEST(TimeDistributed, RejectsRank2Inputs) {
  EXPECT_THROW(TimeDistributed(Dense(3))(Input({4})), ValueError);
}

}  // namespace
}  // namespace keras::layers
