// Rescaling and CenterCrop: the layer contract, their definitions and configs (Keras's own
// numbers: tests/integration/layer_fixtures_test.cpp).
#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/preprocessing/center_crop.h"
#include "keras/layers/preprocessing/normalization.h"
#include "keras/layers/preprocessing/rescaling.h"
#include "keras/layers/preprocessing/resizing.h"
#include "keras/layers/registry.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

TEST(Rescaling, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Rescaling({0.5, 2.0, -1.0}, {.offset = {1.0, 0.0, 0.5}});
          },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 3},
  });
}

TEST(Rescaling, ScalesAndOffsetsPerChannel) {
  const Tensor x = test::tensor_of({1, 2, 3, 4}, {2, 2}, float32);
  test::expect_all_close(Rescaling({0.5, 2.0}, {.offset = {1.0, -1.0}})(x),
                         test::tensor_of({1.5, 3, 2.5, 7}, {2, 2}, float32), 0, 0);
  // Integer images become the layer's float dtype.
  const Tensor y = Rescaling(1.0 / 255)(test::tensor_of({0, 255}, {1, 2}, uint8));
  EXPECT_EQ(y.dtype(), float32);
  test::expect_all_close(y, test::tensor_of({0, 1}, {1, 2}, float32), 1e-7, 0);
  EXPECT_EQ(Rescaling(0.5)->get_config()["scale"], 0.5);
  EXPECT_EQ(Rescaling(0.5)->get_config()["offset"], 0.0);
  const Json c = serialize_layer(*Rescaling({0.5, 2.0}, {.offset = {1.0, -1.0}}).layer());
  EXPECT_EQ(c["config"]["scale"], Json::array({0.5, 2.0}));
  EXPECT_EQ(deserialize_layer(c)->get_config(), c["config"]);
}

TEST(CenterCrop, Contract) {
  test::run_layer_test({
      .make_layer = [] { return CenterCrop(2, 3); },
      .input_shape = {2, 5, 4, 3},
      .expected_output_shape = {2, 2, 3, 3},
  });
}

TEST(CenterCrop, TakesTheCentreRoundedDown) {
  const Tensor x = test::random_tensor({1, 5, 4, 2}, float32, -1, 1, 3);
  // Rows from (5 - 2) / 2 = 1, columns from (4 - 3) / 2 = 0.
  test::expect_all_close(CenterCrop(2, 3)(x), ops::slice_axis(ops::slice_axis(x, 1, 1, 2), 2, 0, 3),
                         0, 0);
  const Tensor chw = test::random_tensor({1, 2, 5, 4}, float32, -1, 1, 4);
  test::expect_all_close(CenterCrop(3, 2, {.data_format = "channels_first"})(chw),
                         ops::slice_axis(ops::slice_axis(chw, 2, 1, 3), 3, 1, 2), 0, 0);
  test::expect_throws_with<NotImplementedError>([&] { CenterCrop(6, 2)(x); }, "smaller");
  const Json c = CenterCrop(2, 3)->get_config();
  EXPECT_EQ(c["height"], 2);
  EXPECT_EQ(c["width"], 3);
  EXPECT_EQ(c["data_format"], "channels_last");
}

TEST(Normalization, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Normalization({.mean = NormalizationValues{{1.0, -2.0, 0.5}, {3}},
                                  .variance = NormalizationValues{{4.0, 0.25, 1.0}, {3}}});
          },
      .input_shape = {2, 4, 3},
      .expected_output_shape = {2, 4, 3},
  });
}

TEST(Normalization, GivenStatisticsAndInvert) {
  const Tensor x = test::tensor_of({3, 0, 5, 1}, {2, 2}, float32);
  const NormalizationValues mean{{1, 2}, {2}}, variance{{4, 0}, {2}};
  // (x - mean) / max(sqrt(variance), 1e-7): the zero variance divides by 1e-7, as in Keras.
  test::expect_all_close(Normalization({.mean = mean, .variance = variance})(x),
                         test::tensor_of({1, -2e7, 2, -1e7}, {2, 2}, float32), 1e-6, 0);
  test::expect_all_close(Normalization({.mean = mean, .variance = variance, .invert = true})(x),
                         test::tensor_of({7, 2, 11, 2 + 1e-7}, {2, 2}, float32), 1e-6, 0);
  // axis {} (Keras's axis=None) with one number for everything.
  test::expect_all_close(Normalization({.axis = {},
                                        .mean = NormalizationValues{{1}, {}},
                                        .variance = NormalizationValues{{4}, {}}})(x),
                         test::tensor_of({1, -0.5, 2, 0}, {2, 2}, float32), 1e-7, 0);
  // A (2,) mean on axes {1, 2} of (batch, 3, 2) goes to the last kept axis.
  const Tensor x3 = test::tensor_of({0, 0, 0, 0, 0, 0}, {1, 3, 2}, float32);
  test::expect_all_close(Normalization({.axis = {1, 2},
                                        .mean = NormalizationValues{{1, 2}, {2}},
                                        .variance = NormalizationValues{{1, 1}, {2}}})(x3),
                         test::tensor_of({-1, -2, -1, -2, -1, -2}, {1, 3, 2}, float32), 0, 0);
  const Json c = Normalization({.mean = mean, .variance = variance})->get_config();
  EXPECT_EQ(c["mean"], Json::array({1.0, 2.0}));
  EXPECT_EQ(c["axis"], Json::array({-1}));
  EXPECT_EQ(NormalizationImpl::from_config(c)->get_config(), c);
  // Without mean and variance (an adapted layer's config): statistics are weights.
  Json adapted = c;
  adapted["mean"] = nullptr;
  adapted["variance"] = nullptr;
  EXPECT_EQ(NormalizationImpl::from_config(adapted)->get_config(), adapted);
  test::expect_throws_with<ValueError>([&] { Normalization({.mean = mean}); },
                                       "both `mean` and `variance` must be set");
}

TEST(Resizing, Contract) {
  test::run_layer_test({
      .make_layer = [] { return Resizing(5, 3); },
      .input_shape = {2, 3, 4, 2},
      .expected_output_shape = {2, 5, 3, 2},
  });
}

TEST(Resizing, HalfPixelCentres) {
  // 2 -> 4 along one axis: samples at -0.25, 0.25, 0.75, 1.25, clamped to [0, 1].
  const Tensor x = test::tensor_of({0, 8}, {1, 2, 1, 1}, float32);
  test::expect_all_close(Resizing(4, 1)(x), test::tensor_of({0, 2, 6, 8}, {1, 4, 1, 1}, float32), 0,
                         0);
  test::expect_all_close(Resizing(4, 1, {.interpolation = "nearest"})(x),
                         test::tensor_of({0, 0, 8, 8}, {1, 4, 1, 1}, float32), 0, 0);
  // crop_to_aspect_ratio: a 2x4 image to 1x1 keeps the centre 2x2 box first.
  const Tensor wide = test::tensor_of({0, 1, 2, 3, 4, 5, 6, 7}, {1, 2, 4, 1}, float32);
  test::expect_all_close(Resizing(1, 1, {.crop_to_aspect_ratio = true})(wide),
                         test::tensor_of({3.5}, {1, 1, 1, 1}, float32), 0, 0);
  test::expect_throws_with<NotImplementedError>(
      [] { Resizing(2, 2, {.interpolation = "bicubic"}); }, "bicubic");
  const Json c = Resizing(2, 3)->get_config();
  EXPECT_EQ(c["interpolation"], "bilinear");
  EXPECT_EQ(c["antialias"], false);
}

}  // namespace
}  // namespace keras::layers
