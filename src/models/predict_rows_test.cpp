#include "models/predict_rows.h"

#include <gtest/gtest.h>

#include <keras/keras.hpp>

#include "harness/tensor_matchers.h"

namespace keras::models::internal {
namespace {

// The guide's shared vision model: a tower of two 3x3 convolutions (64 filters) on 27x27 images,
// called on two inputs. Its largest call is the second convolution on both inputs at once:
// 2 x (25 x 25 + 23 x 23) x 64 floats = 590,848 bytes a sample, so 4 MiB hold 7 rows: 8.
Model shared_vision() {
  auto digit = Input({27, 27, 1});
  auto x = layers::Conv2D(64, {3, 3})(digit);
  x = layers::Conv2D(64, {3, 3})(x);
  x = layers::MaxPooling2D({2, 2})(x);
  Model tower(digit, layers::Flatten()(x));
  auto a = Input({27, 27, 1});
  auto b = Input({27, 27, 1});
  auto joined = layers::concatenate({tower(a), tower(b)});
  return Model({a, b}, layers::Dense(1, {.activation = "sigmoid"})(joined));
}

TEST(PredictRows, LargeActivationsRunInRowsThatStayInCache) {
  Model model = shared_vision();
  EXPECT_EQ(predict_rows_at_a_time(model.impl()), 8);
}

// predict's batches of 44 run as five 8-row passes and one of 4: the same kernels on the same
// shapes as batch_size=8, so equal bit for bit; against predict_on_batch of all rows (other
// shapes, so other GEMM blockings), within float32 rounding.
TEST(PredictRows, PredictionsDoNotDependOnTheSplit) {
  utils::set_random_seed(1);
  Model model = shared_vision();
  const Tensor a = random::uniform({44, 27, 27, 1}, 0, 1, float32, 2);
  const Tensor b = random::uniform({44, 27, 27, 1}, 0, 1, float32, 3);
  const Tensor split = model.predict(Data{a, b}, {.batch_size = 44, .verbose = 0})[0];
  ASSERT_EQ(split.shape(), (Shape{44, 1}));
  const Tensor eights = model.predict(Data{a, b}, {.batch_size = 8, .verbose = 0})[0];
  test::expect_all_close(split, eights, 0, 0);
  const Tensor whole = model.predict_on_batch(Data{a, b})[0];
  test::expect_all_close(split, whole, 1e-5, 1e-6);
}

TEST(PredictRows, SmallModelsRunWholeBatches) {
  auto x = Input({784});
  auto h = layers::Dense(64, {.activation = "relu"})(x);
  Model mlp(x, layers::Dense(10)(h));
  EXPECT_GE(predict_rows_at_a_time(mlp.impl()), 1024);  // (784 + 64) x 4 bytes a sample
}

TEST(PredictRows, NoLimitWithoutKnownShapesOrForRecurrentLayers) {
  auto tokens = Input({std::nullopt}, {.dtype = int32});
  auto e = layers::Embedding(1000, 256)(tokens);
  Model unknown_length(tokens, layers::GlobalMaxPooling1D()(layers::Conv1D(128, 5)(e)));
  EXPECT_EQ(predict_rows_at_a_time(unknown_length.impl()), 0);

  auto seq = Input({280, 256});
  Model recurrent(seq, layers::Dense(1)(layers::LSTM(64)(seq)));
  EXPECT_EQ(predict_rows_at_a_time(recurrent.impl()), 0);
}

// A layer that mixes samples keeps predict's batches whole: Concatenate along the batch axis (and
// any layer that does not declare itself batch-independent, such as BatchNormalization).
TEST(PredictRows, NoLimitWhenSamplesMix) {
  auto a = Input({64, 64, 16});
  auto b = Input({64, 64, 16});
  Model batch_axis({a, b}, layers::Concatenate(0)({a, b}));
  EXPECT_EQ(predict_rows_at_a_time(batch_axis.impl()), 0);

  auto c = Input({64, 64, 16});
  auto d = Input({64, 64, 16});
  Model channel_axis({c, d}, layers::Concatenate(-1)({c, d}));
  EXPECT_GT(predict_rows_at_a_time(channel_axis.impl()), 0);

  auto x = Input({64, 64, 16});
  Model normalized(x, layers::BatchNormalization()(layers::Conv2D(16, {3, 3})(x)));
  EXPECT_EQ(predict_rows_at_a_time(normalized.impl()), 0);

  // Layers along an axis: the batch axis given as 0 or counted from the end mixes samples.
  auto y = Input({64, 64, 16});
  Model over_batch(y, layers::Softmax({.axis = {0}})(layers::Conv2D(16, {3, 3})(y)));
  EXPECT_EQ(predict_rows_at_a_time(over_batch.impl()), 0);
  auto z = Input({64, 64, 16});
  Model from_end(z, layers::UnitNormalization({.axis = {-4}})(z));
  EXPECT_EQ(predict_rows_at_a_time(from_end.impl()), 0);
  auto w = Input({64, 64, 16});
  Model channels(w, layers::Softmax()(layers::Conv2D(16, {3, 3})(w)));
  EXPECT_GT(predict_rows_at_a_time(channels.impl()), 0);
}

}  // namespace
}  // namespace keras::models::internal
