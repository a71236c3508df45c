// RandomHeight and RandomWidth (tf_keras's): the layer harness (identities at inference), the
// training resize, seeding and tf_keras's errors. The fixture random_height_width.tf_keras.h5
// (tests/data/layers) is a tf_keras model holding both.
#include "keras/layers/preprocessing/random_height_width.h"

#include <gtest/gtest.h>

#include <cmath>
#include <set>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/keras.hpp"
#include "keras/layers/registry.h"
#include "keras/ops/image.h"
#include "keras/ops/random.h"

namespace keras::layers {
namespace {

TEST(RandomHeightWidth, LayerHarness) {
  for (bool height : {true, false}) {
    SCOPED_TRACE(height ? "RandomHeight" : "RandomWidth");
    test::run_layer_test(
        {.make_layer =
             [height] {
               return height ? LayerRef(RandomHeight(0.2, {.seed = 1}))
                             : LayerRef(RandomWidth({-0.3, 0.1}, {.seed = 1}));
             },
         .input_shape = {2, 5, 4, 3},
         .expected_output_shape = height ? Shape{2, kNone, 4, 3} : Shape{2, 5, kNone, 3},
         .check_training_lowers_loss = false,  // its output's size varies
         .stochastic = true});
  }
}

TEST(RandomHeightWidth, TrainingResizesByTheDrawnFactor) {
  const Tensor x = random::normal({2, 6, 5, 3}, 0.0, 1.0, float32, 4);
  // A factor range of one value: int32(1.5f * 6) = 9 rows, as tf.image.resize gives them.
  test::expect_all_close(RandomHeight({0.5, 0.5})(x, true), ops::image::resize(x, {9, 5}), 0, 0);
  test::expect_all_close(RandomWidth({-0.4, -0.4}, {.interpolation = "nearest"})(x, true),
                         ops::image::resize(x, {6, 3}, {.interpolation = "nearest"}), 0, 0);
  // Otherwise every size in [int((1 + lower) n), int((1 + upper) n)] turns up; seeded layers
  // repeat their draws.
  RandomWidth wide({-0.2, 0.6}, {.seed = 9});
  RandomWidth again({-0.2, 0.6}, {.seed = 9});
  std::set<int64_t> widths;
  for (int i = 0; i < 200; ++i) {
    const Tensor y = wide(x, true);
    EXPECT_EQ(y.shape()[2], again(x, true).shape()[2]);
    widths.insert(y.shape()[2]);
  }
  EXPECT_EQ(*widths.begin(), 4);
  EXPECT_EQ(*widths.rbegin(), 7);  // int(1.6 * 5) = 8 only at the open end
  // At inference: the input.
  EXPECT_TRUE(test::identical(RandomHeight(0.9)(x, false), x));
}

// fit runs such a model eagerly: every batch may have another height.
TEST(RandomHeightWidth, TrainsInAModel) {
  auto image = Input({6, 5, 2});
  auto y = Dense(1)(GlobalAveragePooling2D()(RandomHeight({-0.5, 0.5}, {.seed = 3})(image)));
  Model model(image, y);
  model.compile({.optimizer = "sgd", .loss = "mse"});
  const Tensor x = random::normal({16, 6, 5, 2}, 0.0, 1.0, float32, 6);
  const Tensor t = random::normal({16, 1}, 0.0, 1.0, float32, 7);
  const auto history = model.fit(x, t, {.epochs = 2, .batch_size = 4, .verbose = 0});
  EXPECT_TRUE(std::isfinite(history.history.at("loss").back()));
  EXPECT_EQ(model.predict(x)[0].shape(), (Shape{16, 1}));
}

TEST(RandomHeightWidth, ConfigAndErrors) {
  const Json c = serialize_layer(*RandomHeight({-0.1, 0.3}, {.seed = 2}).layer());
  EXPECT_EQ(c["class_name"], "RandomHeight");
  EXPECT_EQ(c["config"]["factor"], Json::array({-0.1, 0.3}));
  EXPECT_EQ(deserialize_layer(c)->get_config(), c["config"]);
  EXPECT_EQ(RandomWidth(0.25)->get_config()["factor"], 0.25);
  test::expect_throws_with<ValueError>(
      [] {
        RandomHeight({0.3, 0.1});
      },
      "`factor` argument cannot have an upper bound lesser than the lower bound. Received: "
      "factor=(0.3, 0.1)");
  test::expect_throws_with<ValueError>(
      [] {
        RandomWidth({-1.5, 0.1});
      },
      "`factor` argument must have values larger than -1. Received: factor=(-1.5, 0.1)");
  const Tensor x = random::normal({1, 4, 4, 2}, 0.0, 1.0, float32, 5);
  test::expect_throws_with<ValueError>(
      [&] { RandomHeight(0.1, {.interpolation = "cubic"})(x, true); },
      "Received: interpolation=cubic");
  EXPECT_TRUE(test::identical(RandomHeight(0.1, {.interpolation = "area"})(x, false), x));
  EXPECT_EQ(RandomWidth(0.1, {.interpolation = "mitchellcubic"})(x, true).shape()[1], 4);
}

}  // namespace
}  // namespace keras::layers
