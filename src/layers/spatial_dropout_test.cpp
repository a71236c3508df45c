#include "keras/layers/spatial_dropout.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/layers/dense.h"
#include "keras/layers/input_layer.h"
#include "keras/models/model.h"
#include "keras/optimizers/optimizers.h"
#include "keras/utils/utils.h"

namespace keras::layers {
namespace {

TEST(SpatialDropout1D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return SpatialDropout1D(0.5); },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 3},
      .stochastic = true,
  });
}

TEST(SpatialDropout2D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return SpatialDropout2D(0.5, {.data_format = "channels_first"}); },
      .input_shape = {2, 3, 2, 2},
      .expected_output_shape = {2, 3, 2, 2},
      .stochastic = true,
  });
}

TEST(SpatialDropout3D, Contract) {
  test::run_layer_test({
      .make_layer = [] { return SpatialDropout3D(0.5); },
      .input_shape = {2, 2, 2, 2, 3},
      .expected_output_shape = {2, 2, 2, 2, 3},
      .stochastic = true,
  });
}

// Every (sample, channel) map is either all zero or all x / (1 - rate).
void expect_whole_channels(const Tensor& x, const Tensor& y, double rate, bool channels_first) {
  const Shape& s = x.shape();
  const int64_t batch = s[0];
  const int64_t channels = channels_first ? s[1] : s.back();
  const int64_t spatial = x.size() / (batch * channels);
  const std::vector<double> xv = test::to_doubles(x), yv = test::to_doubles(y);
  int64_t dropped = 0;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t c = 0; c < channels; ++c) {
      int zeros = 0;
      for (int64_t p = 0; p < spatial; ++p) {
        const int64_t i =
            channels_first ? (b * channels + c) * spatial + p : (b * spatial + p) * channels + c;
        const size_t k = static_cast<size_t>(i);
        if (yv[k] == 0.0) {
          ++zeros;
        } else {
          EXPECT_NEAR(yv[k], xv[k] / (1.0 - rate), 1e-5);
        }
      }
      EXPECT_TRUE(zeros == 0 || zeros == spatial) << "sample " << b << " channel " << c;
      dropped += zeros == spatial;
    }
  }
  const double fraction = static_cast<double>(dropped) / static_cast<double>(batch * channels);
  EXPECT_NEAR(fraction, rate, 0.1);
}

TEST(SpatialDropout1D, DropsWholeChannels) {
  utils::set_random_seed(3);
  const Tensor x = test::random_tensor({20, 5, 10}, float32, 0.5, 1.5, 1);
  expect_whole_channels(x, SpatialDropout1D(0.4)(x, true), 0.4, false);
}

TEST(SpatialDropout2D, DropsWholeChannelsInBothDataFormats) {
  utils::set_random_seed(4);
  const Tensor x = test::random_tensor({10, 3, 4, 12}, float32, 0.5, 1.5, 2);
  expect_whole_channels(x, SpatialDropout2D(0.3)(x, true), 0.3, false);
  expect_whole_channels(x, SpatialDropout2D(0.3, {.data_format = "channels_first"})(x, true), 0.3,
                        true);
}

TEST(SpatialDropout3D, DropsWholeChannelsWithItsOwnSeed) {
  const Tensor x = test::random_tensor({20, 2, 3, 2, 16}, float32, 0.5, 1.5, 2);
  SpatialDropout3D a(0.5, {.seed = 42}), b(0.5, {.seed = 42});
  const Tensor ya = a(x, true);
  expect_whole_channels(x, ya, 0.5, false);
  test::expect_all_close(b(x, true), ya, 0, 0);
}

TEST(SpatialDropout2D, InferenceIsTheIdentityAndNamesFollowKeras) {
  utils::clear_session();
  SpatialDropout2D d(0.5);
  EXPECT_EQ(d.name(), "spatial_dropout2d_1");
  EXPECT_EQ(SpatialDropout1D(0.1).name(), "spatial_dropout1d_1");
  EXPECT_EQ(SpatialDropout3D(0.1).name(), "spatial_dropout3d_1");
  EXPECT_EQ(d.class_name(), "SpatialDropout2D");
  const Tensor x = test::random_tensor({2, 3, 3, 2}, float32, -1, 1, 4);
  test::expect_all_close(d(x), x, 0, 0);
}

TEST(SpatialDropout1D, NewMasksInEveryReplayedFitStep) {
  // With rate 0.5 and lr 0, fit's loss differs between epochs only if the masks are redrawn.
  utils::set_random_seed(9);
  const KerasTensor input = keras::Input({4, 6});
  Model model(input, Dense(1)(SpatialDropout1D(0.5)(input)));
  model.compile({.optimizer = optimizers::SGD({.learning_rate = 0.0}), .loss = "mse"});
  const Tensor x = test::random_tensor({8, 4, 6}, float32, 0.5, 1.5, 3);
  const auto h = model.fit(x, ones({8, 4, 1}), {.epochs = 3, .batch_size = 8, .verbose = 0});
  const std::vector<double>& loss = h.history.at("loss");
  EXPECT_TRUE(loss[0] != loss[1] || loss[1] != loss[2]);
}

TEST(SpatialDropout2D, Errors) {
  EXPECT_THROW(SpatialDropout2D(1.0), ValueError);
  EXPECT_THROW(SpatialDropout2D(-0.1), ValueError);
  test::expect_throws_with<ValueError>(
      [] { SpatialDropout2D(0.5, {.data_format = "nchw"}); },
      "The `data_format` argument must be one of {'channels_first', 'channels_last'}");
  test::expect_throws_with<ValueError>(
      [] {
        SpatialDropout2D(0.5, {.name = "sd"})(keras::Input({4, 4}));
      },
      "sd");
}

}  // namespace
}  // namespace keras::layers
