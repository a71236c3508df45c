// RandomElasticTransform: identity at inference, smooth in-range warps in training (the share of
// transformed images follows `factor`), configs and Keras's errors (fit redrawing at every step:
// color_augmentation_test.cpp's FitRedrawsAtEveryStep).
// A model Keras wrote with it: tests/data/layers/elastic.* (layer_fixtures_test).
#include "keras/layers/preprocessing/random_elastic_transform.h"

#include <gtest/gtest.h>

#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/layers/registry.h"
#include "keras/ops/elementwise.h"
#include "keras/ops/reduce.h"
#include "keras/ops/shape.h"

namespace keras::layers {
namespace {

// A smooth image in [0, 255]: a warp moves its values, a bilinear resample stays in range.
Tensor smooth_images(int64_t batch, int64_t size) {
  std::vector<double> v;
  for (int64_t b = 0; b < batch; ++b) {
    for (int64_t i = 0; i < size; ++i) {
      for (int64_t j = 0; j < size; ++j) {
        for (int c = 0; c < 3; ++c) v.push_back(127.5 + 100 * std::sin(0.5 * i + 0.3 * j + c + b));
      }
    }
  }
  return test::tensor_of(v, {batch, size, size, 3}, float32);
}

TEST(RandomElasticTransform, InferenceIsTheIdentityTrainingWarps) {
  const Tensor x = smooth_images(4, 16);
  RandomElasticTransform layer({1.0}, {.seed = 3});
  test::expect_all_close(layer(x, false), x, 0, 0);
  const Tensor y = layer(x, true);
  EXPECT_EQ(y.shape(), x.shape());
  EXPECT_GT(test::max_abs(ops::subtract(y, x)), 1.0);
  EXPECT_GE(ops::min(y).item<float>(), 0.0f);
  EXPECT_LE(ops::max(y).item<float>(), 255.0f);
  // (0, 0): nothing to draw, the identity.
  test::expect_all_close(RandomElasticTransform({0.0})(x, true), x, 0, 0);
  test::expect_all_close(RandomElasticTransform({1.0}, {.scale = {0.0}})(x, true), x, 0, 0);
  // channels_first and unbatched images keep their layout.
  const Tensor cf = ops::transpose(x, {0, 3, 1, 2});
  EXPECT_EQ(RandomElasticTransform({1.0}, {.data_format = "channels_first"})(cf, true).shape(),
            cf.shape());
  const Tensor one = ops::squeeze(ops::slice_axis(x, 0, 0, 1), 0);
  EXPECT_EQ(RandomElasticTransform({1.0}, {.fill_mode = "mirror"})(one, true).shape(), one.shape());
}

// Each image is transformed with probability p drawn from `factor`: with factor (0.5, 0.5),
// about half of 200 images change (binomial: 100 +- 7; 60..140 is over 5 deviations).
TEST(RandomElasticTransform, FactorIsTheShareOfTransformedImages) {
  const Tensor x = smooth_images(200, 8);
  const Tensor y = RandomElasticTransform({0.5, 0.5}, {.seed = 4})(x, true);
  const Tensor changed = ops::greater(ops::max(ops::abs(ops::subtract(y, x)), {1, 2, 3}), 1e-3);
  const double n = ops::sum(ops::cast(changed, float32)).item<float>();
  EXPECT_GT(n, 60);
  EXPECT_LT(n, 140);
}

TEST(RandomElasticTransform, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return RandomElasticTransform({0.5}, {.value_range = {-1, 1}});
          },
      .input_shape = {2, 8, 8, 3},
      .expected_output_shape = {2, 8, 8, 3},
      .stochastic = true,
  });
}

TEST(RandomElasticTransform, ConfigAndKerasErrors) {
  RandomElasticTransform layer({0.3}, {.scale = {0.2, 0.6}, .fill_mode = "wrap", .seed = 5});
  const Json config = layer->get_config();
  EXPECT_EQ(config["factor"], Json::array({0.0, 0.3}));
  EXPECT_EQ(config["scale"], Json::array({0.2, 0.6}));
  EXPECT_EQ(config["seed"], 5);
  const LayerRef restored(deserialize_layer(serialize_layer(*layer.layer())));
  EXPECT_EQ(restored->get_config(), config);
  test::expect_throws_with<ValueError>(
      [] { RandomElasticTransform({1.5}); },
      "The `factor` argument should be a number (or a list of two numbers) in the range [0, 1]");
  test::expect_throws_with<ValueError>([] { RandomElasticTransform({1.0}, {.scale = {-0.5}}); },
                                       "The `scale` argument should be a number");
  test::expect_throws_with<NotImplementedError>(
      [] { RandomElasticTransform({1.0}, {.interpolation = "bicubic"}); },
      "Unknown `interpolation` bicubic. Expected of one ('nearest', 'bilinear').");
  test::expect_throws_with<NotImplementedError>(
      [] { RandomElasticTransform({1.0}, {.fill_mode = "edge"}); }, "Unknown `fill_mode` edge.");
}

}  // namespace
}  // namespace keras::layers
