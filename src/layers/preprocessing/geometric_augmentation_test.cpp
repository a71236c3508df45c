// RandomRotation, RandomZoom, RandomTranslation and RandomCrop: their transforms against Keras 3's
// (tests/data/layers/goldens, made by tools/fixtures/make_layer_fixtures.py goldens with each
// factor range fixed to one value, so that Keras's random draw is that value), the layer
// contract, seeding, and configs.
#include <gtest/gtest.h>

#include <string>
#include <tuple>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/io/npy.h"
#include "keras/layers/preprocessing/random_crop.h"
#include "keras/layers/preprocessing/random_rotation.h"
#include "keras/layers/preprocessing/random_translation.h"
#include "keras/layers/preprocessing/random_zoom.h"
#include "keras/layers/registry.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

Tensor golden(const std::string& name, const char* kind) {
  return io::load_npy(str(KERAS_TEST_DATA_DIR, "/layers/goldens/", name, ".", kind, ".npy"));
}

// Keras computes the sample positions in float32 (XLA) and keras.cpp in float64: bilinear
// weights differ by ~1e-6 of a pixel, times pixel values of a few units; nearest sampling is
// exact unless a position sits on a rounding boundary, which these cases avoid.
void expect_golden(LayerRef layer, const std::string& name) {
  SCOPED_TRACE(name);
  const Tensor x = golden(name, "x");
  test::expect_all_close(layer(x, true), golden(name, "y"), 1e-5, 1e-5);
}

TEST(AffineAugmentation, MatchesKerasForEveryFillModeAndInterpolation) {
  for (const char* mode : {"reflect", "wrap", "constant", "nearest"}) {
    for (const char* interp : {"bilinear", "nearest"}) {
      const std::string suffix = str(mode, "_", interp);
      expect_golden(RandomRotation({0.1, 0.1},
                                   {.fill_mode = mode, .interpolation = interp, .fill_value = 0.7}),
                    "rotation_" + suffix);
      expect_golden(RandomZoom({0.3, 0.3}, {-0.25, -0.25},
                               {.fill_mode = mode, .interpolation = interp, .fill_value = -0.4}),
                    "zoom_" + suffix);
      expect_golden(
          RandomTranslation({0.3, 0.3}, {-0.45, -0.45},
                            {.fill_mode = mode, .interpolation = interp, .fill_value = 1.5}),
          "translation_" + suffix);
    }
  }
}

TEST(AffineAugmentation, MatchesKerasChannelsFirstAndUnbatched) {
  expect_golden(RandomRotation({-0.3, -0.3}, {.data_format = "channels_first"}),
                "rotation_negative_cf");
  expect_golden(
      RandomZoom({-0.4, -0.4}, {}, {.fill_mode = "constant", .data_format = "channels_first"}),
      "zoom_in_same_aspect_cf");
  expect_golden(RandomTranslation({-0.2, -0.2}, {0.5, 0.5}), "translation_unbatched");
  expect_golden(RandomRotation({0.5, 0.5}), "rotation_unbatched_half_turn");
}

TEST(AffineAugmentation, IdentityAtInferenceAndSeededInTraining) {
  const Tensor x = test::random_tensor({3, 6, 5, 2}, float32, -1, 1, 4);
  const auto run = [&](LayerRef layer) {
    test::expect_all_close(layer(x, false), x, 0, 0);
    return layer(x, true);
  };
  // The same seed gives the same sequence; each call draws anew.
  RandomRotation a(0.2, {.seed = 11}), b(0.2, {.seed = 11});
  const Tensor a1 = run(a), a2 = run(a), b1 = run(b);
  test::expect_all_close(a1, b1, 0, 0);
  EXPECT_GT(test::max_abs(ops::subtract(a1, a2)), 1e-3);
  run(RandomZoom(0.2, {.seed = 1}));
  run(RandomTranslation(0.1, 0.1, {.seed = 1}));
  // A zero factor is the identity in training too (bilinear at whole pixels).
  test::expect_all_close(RandomTranslation(0.0, 0.0)(x, true), x, 0, 1e-6);
}

TEST(AffineAugmentation, TrainingDrawsStayInTheFactorRange) {
  // Translation by whole rows only (width factor 0): with wrap, each image is a cyclic shift
  // of its rows by round(u * 5) for u in [0, 0.4] (nearest), so by 0, 1 or 2 rows.
  RandomTranslation layer({0.0, 0.4}, {0.0, 0.0},
                          {.fill_mode = "wrap", .interpolation = "nearest", .seed = 5});
  const int64_t n = 300;
  const Tensor x = test::random_tensor({n, 5, 3, 1}, float32, -1, 1, 6);
  const Tensor y = layer(x, true);
  int counts[3] = {0, 0, 0};
  for (int64_t i = 0; i < n; ++i) {
    const Tensor xi = ops::slice_axis(x, 0, i, 1), yi = ops::slice_axis(y, 0, i, 1);
    int found = -1;
    for (int s = 0; s <= 2 && found < 0; ++s) {
      const Tensor shifted =
          ops::concatenate({ops::slice_axis(xi, 1, 5 - s, s), ops::slice_axis(xi, 1, 0, 5 - s)}, 1);
      if (test::max_abs(ops::subtract(yi, shifted)) == 0) found = s;
    }
    ASSERT_GE(found, 0) << i;
    ++counts[found];
  }
  // P(shift 0) = P(u < 0.1) = 1/4, shift 1: 1/2, shift 2: 1/4; binomial sd ~ 8.7 (n/4 = 75).
  EXPECT_NEAR(counts[0], 75, 45);
  EXPECT_NEAR(counts[1], 150, 45);
  EXPECT_NEAR(counts[2], 75, 45);
}

TEST(RandomRotation, Contract) {
  // Deterministic in training with a one-value factor: the harness checks the gradients of the
  // transform itself.
  test::run_layer_test({.make_layer =
                            [] {
                              return RandomRotation({0.15, 0.15});
                            },
                        .input_shape = {2, 5, 4, 2},
                        .expected_output_shape = {2, 5, 4, 2}});
  test::run_layer_test({.make_layer = [] { return RandomRotation(0.3, {.seed = 2}); },
                        .input_shape = {2, 5, 4, 2},
                        .expected_output_shape = {2, 5, 4, 2},
                        .stochastic = true});
}

TEST(RandomZoom, Contract) {
  test::run_layer_test({.make_layer =
                            [] {
                              return RandomZoom({0.3, 0.3}, {-0.2, -0.2},
                                                {.fill_mode = "constant", .fill_value = 0.5});
                            },
                        .input_shape = {2, 5, 4, 2},
                        .expected_output_shape = {2, 5, 4, 2}});
}

TEST(RandomTranslation, Contract) {
  test::run_layer_test({.make_layer =
                            [] {
                              return RandomTranslation(
                                  {0.1, 0.1}, {-0.3, -0.3},
                                  {.fill_mode = "wrap", .data_format = "channels_first"});
                            },
                        .input_shape = {2, 2, 5, 4},
                        .expected_output_shape = {2, 2, 5, 4}});
}

TEST(AffineAugmentation, ConfigsAsKeras) {
  const Json r = RandomRotation(0.2)->get_config();
  EXPECT_EQ(r["factor"], Json::array({-0.2, 0.2}));
  EXPECT_EQ(r["fill_mode"], "reflect");
  EXPECT_EQ(r["interpolation"], "bilinear");
  EXPECT_EQ(r["fill_value"], 0.0);
  EXPECT_TRUE(r["seed"].is_null());
  const Json z = RandomZoom(0.2)->get_config();
  EXPECT_EQ(z["height_factor"], 0.2);
  EXPECT_TRUE(z["width_factor"].is_null());
  const Json t = RandomTranslation({0.1}, {0.2, -0.1})->get_config();
  EXPECT_EQ(t["width_factor"], Json::array({0.2, -0.1}));
  for (LayerRef layer :
       {LayerRef(
            RandomRotation({-0.1, 0.3}, {.fill_mode = "constant", .seed = 3, .fill_value = 1.5})),
        LayerRef(RandomZoom({-0.2, 0.1}, {0.1, 0.3})),
        LayerRef(RandomTranslation({0.1}, {0.2, -0.1})), LayerRef(RandomCrop(3, 4, {.seed = 5}))}) {
    const Json c = serialize_layer(*layer.layer());
    EXPECT_EQ(deserialize_layer(c)->get_config(), c["config"]);
  }
  test::expect_throws_with<ValueError>([] { RandomRotation(1.5); }, "The `factor` argument");
  test::expect_throws_with<ValueError>([] { RandomZoom(-1.0); }, "(-1.0, 1.0]");
  test::expect_throws_with<ValueError>(
      [] {
        RandomTranslation({0.1}, {0.2, 1.2});
      },
      "input_number=1.2");
  test::expect_throws_with<NotImplementedError>(
      [] { RandomRotation(0.1, {.fill_mode = "mirror"}); }, "Unknown `fill_mode` mirror");
  test::expect_throws_with<NotImplementedError>(
      [] { RandomZoom(0.1, {.interpolation = "bicubic"}); }, "Unknown `interpolation`");
}

TEST(RandomCrop, MatchesKerasWhereItIsDeterministic) {
  expect_golden(RandomCrop(9, 4), "crop_taller");
  expect_golden(RandomCrop(7, 3), "crop_same_height");
  expect_golden(RandomCrop(6, 9, {.data_format = "channels_first"}), "crop_cf_upsize");
}

TEST(RandomCrop, InferenceMatchesKeras2) {
  // tf_keras's smart_resize (Keras 3.15 returns its input unchanged at inference).
  for (const auto& [name, h, w] : {std::tuple{"crop_inference_tf_keras_wide", 3, 4},
                                   std::tuple{"crop_inference_tf_keras_tall", 5, 3}}) {
    SCOPED_TRACE(name);
    // Bilinear weights from float32 (TensorFlow) and float64 (keras.cpp) positions.
    test::expect_all_close(RandomCrop(h, w)(golden(name, "x"), false), golden(name, "y"), 1e-5,
                           1e-5);
  }
}

TEST(RandomCrop, InferenceCropsTheCentreToTheAspectAndResizes) {
  const Tensor x = test::random_tensor({2, 6, 8, 1}, float32, -1, 1, 3);
  // 3 x 4 has the aspect of 6 x 8: the whole image, resized (bilinear, half-pixel: the mean of
  // each 2 x 2 block).
  const Tensor y = RandomCrop(3, 4)(x, false);
  ASSERT_EQ(y.shape(), (Shape{2, 3, 4, 1}));
  const Tensor block =
      ops::slice_axis(ops::slice_axis(ops::slice_axis(x, 0, 1, 1), 1, 2, 2), 2, 4, 2);
  EXPECT_NEAR(y.at<float>({1, 1, 2, 0}), ops::mean(block).item<float>(), 1e-6);
  // 4 x 4: the centre 6 x 6 (columns 1..6), resized.
  const Tensor z = RandomCrop(6, 6)(x, false);
  test::expect_all_close(z, ops::slice_axis(x, 2, 1, 6), 0, 0);
}

TEST(RandomCrop, TrainingTakesOneWindowPerBatchUniformly) {
  const Tensor x = arange(2 * 5 * 6, float32, Device::cpu()).reshape({2, 5, 6, 1});
  RandomCrop layer(3, 4, {.seed = 9});
  int seen[3][3] = {};
  for (int r = 0; r < 400; ++r) {
    const Tensor y = layer(x, true);
    ASSERT_EQ(y.shape(), (Shape{2, 3, 4, 1}));
    const int64_t corner = static_cast<int64_t>(y.at<float>({0, 0, 0, 0}));
    const int64_t top = corner / 6, left = corner % 6;
    ASSERT_LE(top, 2);
    ASSERT_LE(left, 2);
    // Both images get the same window.
    test::expect_all_close(ops::slice_axis(y, 0, 1, 1), ops::add(ops::slice_axis(y, 0, 0, 1), 30.0),
                           0, 0);
    ++seen[top][left];
  }
  for (auto& row : seen) {
    for (int count : row) EXPECT_NEAR(count, 400 / 9.0, 25);  // sd ~ 6.4
  }
}

TEST(RandomCrop, Contract) {
  test::run_layer_test({.make_layer = [] { return RandomCrop(3, 2, {.seed = 1}); },
                        .input_shape = {2, 5, 4, 2},
                        .expected_output_shape = {2, 3, 2, 2},
                        .stochastic = true});
  // Not larger than the crop: deterministic in training too (Keras's slice and resize).
  test::run_layer_test({.make_layer = [] { return RandomCrop(6, 3); },
                        .input_shape = {2, 5, 4, 2},
                        .expected_output_shape = {2, 6, 3, 2}});
}

}  // namespace
}  // namespace keras::layers
