// Rescaling, CenterCrop, CategoryEncoding and Discretization: the layer contract, their definitions
// and configs (Keras's own numbers: tests/integration/layer_fixtures_test.cpp).
#include <gtest/gtest.h>

#include "harness/keras_fixtures.h"
#include "harness/layer_test.h"
#include "harness/tensor_matchers.h"
#include "keras/config/json.h"
#include "keras/io/npy.h"
#include "keras/layers/input_layer.h"
#include "keras/layers/preprocessing/category_encoding.h"
#include "keras/layers/preprocessing/center_crop.h"
#include "keras/layers/preprocessing/discretization.h"
#include "keras/layers/preprocessing/normalization.h"
#include "keras/layers/preprocessing/rescaling.h"
#include "keras/layers/preprocessing/resizing.h"
#include "keras/layers/registry.h"
#include "keras/models/model.h"
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

// Keras resizes integer images in float and rounds (half to even) and clips them back into
// their dtype (values from Keras 3.15 with JAX).
TEST(Resizing, IntegerImagesStayIntegers) {
  std::vector<uint8_t> v(16);
  for (size_t i = 0; i < v.size(); ++i) v[i] = static_cast<uint8_t>(i * 17 % 256);
  const Tensor y = Resizing(2, 3)(Tensor::from_vector(v, {1, 4, 4, 1}));
  ASSERT_EQ(y.dtype(), uint8);
  EXPECT_EQ(std::vector<uint8_t>(y.span<uint8_t>().begin(), y.span<uint8_t>().end()),
            (std::vector<uint8_t>{37, 60, 82, 173, 196, 218}));
  // bicubic overshoots to -16.8 and 272.7: clipped to the dtype's range.
  const Tensor edges = Tensor::from_vector(std::vector<uint8_t>{0, 255, 255, 0}, {1, 1, 4, 1});
  const Tensor b = Resizing(1, 6, {.interpolation = "bicubic"})(edges);
  EXPECT_EQ(std::vector<uint8_t>(b.span<uint8_t>().begin(), b.span<uint8_t>().end()),
            (std::vector<uint8_t>{0, 120, 255, 255, 120, 0}));
  EXPECT_EQ(Resizing(2, 2)(Input({4, 4, 3}, {.dtype = uint8})).dtype(), uint8);
}

TEST(CenterCrop, TakesTheCentreRoundedDown) {
  const Tensor x = test::random_tensor({1, 5, 4, 2}, float32, -1, 1, 3);
  // Rows from (5 - 2) / 2 = 1, columns from (4 - 3) / 2 = 0.
  test::expect_all_close(CenterCrop(2, 3)(x), ops::slice_axis(ops::slice_axis(x, 1, 1, 2), 2, 0, 3),
                         0, 0);
  const Tensor chw = test::random_tensor({1, 2, 5, 4}, float32, -1, 1, 4);
  test::expect_all_close(CenterCrop(3, 2, {.data_format = "channels_first"})(chw),
                         ops::slice_axis(ops::slice_axis(chw, 2, 1, 3), 3, 1, 2), 0, 0);
  // Smaller than the crop along one axis: Keras's smart_resize (values from Keras 3.15 / JAX).
  std::vector<double> ramp(40);
  for (size_t i = 0; i < ramp.size(); ++i) ramp[i] = static_cast<double>(i);
  test::expect_all_close(
      CenterCrop(6, 2)(test::tensor_of(ramp, {1, 5, 4, 2}, float32)),
      test::tensor_of(
          {2,         3,         2,         3,         8,         9,         8,         9,
           14.666666, 15.666666, 14.666666, 15.666666, 21.333332, 22.333332, 21.333332, 22.333332,
           28,        29,        28,        29,        34,        35,        34,        35},
          {1, 6, 2, 2}, float32),
      1e-5, 1e-5);
  ramp.resize(20);
  const Tensor grown = CenterCrop(6, 6)(test::tensor_of(ramp, {1, 4, 5, 1}, float32));
  ASSERT_EQ(grown.shape(), (Shape{1, 6, 6, 1}));
  EXPECT_NEAR(grown.at<float>({0, 0, 2, 0}), 1.1666667, 1e-5);
  EXPECT_NEAR(grown.at<float>({0, 5, 5, 0}), 18.0, 1e-5);
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
  // bicubic (Keys, a = -0.5) normalized over the two pixels: it overshoots at the edges
  // (jax.image.resize gives the same -0.7058824, 1.6571429, ...).
  test::expect_all_close(
      Resizing(4, 1, {.interpolation = "bicubic"})(x),
      test::tensor_of({-12.0 / 17, 58.0 / 35, 8 - 58.0 / 35, 8 + 12.0 / 17}, {1, 4, 1, 1}, float32),
      1e-6, 1e-6);
  test::expect_throws_with<ValueError>([] { Resizing(2, 2, {.interpolation = "cubic"}); },
                                       "Received: interpolation=cubic");
  const Json c = Resizing(2, 3)->get_config();
  EXPECT_EQ(c["interpolation"], "bilinear");
  EXPECT_EQ(c["antialias"], false);
}

}  // namespace
}  // namespace keras::layers

namespace keras::layers {
namespace {

// ---- CategoryEncoding and Discretization (Keras's numbers: tests/data/layers/encoding.*) ----

TEST(CategoryEncoding, Contract) {
  for (const char* mode : {"one_hot", "multi_hot", "count"}) {
    SCOPED_TRACE(mode);
    test::run_layer_test({
        .make_layer = [mode] { return CategoryEncoding(5, {.output_mode = mode}); },
        .input_shape = {3, 1},
        .expected_output_shape = {3, 5},
        .input_dtype = int32,
        .input_lo = 0,
        .input_hi = 4,
    });
  }
}

TEST(CategoryEncoding, EncodesAsKeras) {
  const Tensor ids = Tensor::from_vector<int32_t>({0, 2, 2, 1, 3, 3}, {2, 3});
  test::expect_all_close(CategoryEncoding(4)(ids),
                         test::tensor_of({1, 0, 1, 0, 0, 1, 0, 1}, {2, 4}, float32), 0, 0);
  test::expect_all_close(CategoryEncoding(4, {.output_mode = "count"})(ids),
                         test::tensor_of({1, 0, 2, 0, 0, 1, 0, 2}, {2, 4}, float32), 0, 0);
  test::expect_all_close(CategoryEncoding(4, {.output_mode = "one_hot"})(ids),
                         ops::reshape(test::tensor_of({1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1, 0,  //
                                                       0, 1, 0, 0, 0, 0, 0, 1, 0, 0, 0, 1},
                                                      {24}, float32),
                                      {2, 3, 4}),
                         0, 0);
  // Rank 1: multi_hot gathers the whole vector (Keras's example), one_hot encodes each id.
  const Tensor flat = Tensor::from_vector<int32_t>({3, 2, 0, 1});
  test::expect_all_close(CategoryEncoding(4, {.output_mode = "binary"})(flat),
                         test::tensor_of({1, 1, 1, 1}, {4}, float32), 0, 0);
  EXPECT_EQ(CategoryEncoding(4, {.output_mode = "one_hot"})(flat).shape(), (Shape{4, 4}));
}

// Keras's docstring example: layer([[0, 1], [0, 0], [1, 2], [3, 1]], count_weights=...).
TEST(CategoryEncoding, CountWeightsAsKeras) {
  const Tensor ids = Tensor::from_vector<int32_t>({0, 1, 0, 0, 1, 2, 3, 1}, {4, 2});
  const Tensor w = test::tensor_of({.1, .2, .1, .1, .2, .3, .4, .2}, {4, 2}, float32);
  const Tensor want =
      test::tensor_of({.1, .2, 0, 0, .2, 0, 0, 0, 0, .2, .3, 0, 0, .2, 0, .4}, {4, 4}, float32);
  CategoryEncoding encode(4, {.output_mode = "count"});
  // Sums of at most two float32 weights: one rounding.
  test::expect_all_close(encode(ids, w), want, 1e-7, 1e-6);
  test::expect_all_close((*encode.layer())(Tensors{ids, w}).at(0), want, 1e-7, 1e-6);
  // Rank 1 ids: one row.
  test::expect_all_close(
      encode(Tensor::from_vector<int32_t>({3, 3, 0}), test::tensor_of({.5, 2, 1}, {3}, float32)),
      test::tensor_of({1, 0, 0, 2.5}, {4}, float32), 0, 0);

  // Symbolic: the same layer with and without weights; the weights are the call's keyword when
  // saved, and the model loads back to the same numbers.
  const KerasTensor in_ids = Input({2}, {.dtype = int32, .name = "ids"});
  const KerasTensor in_w = Input({2}, {.name = "w"});
  const KerasTensor weighted = encode(in_ids, {.count_weights = in_w});
  const KerasTensor plain = encode(in_ids);
  EXPECT_EQ(weighted.shape(), (Shape{kNone, 4}));
  Model m({in_ids, in_w}, {weighted, plain});
  const Json saved = m.get_config();
  const Json& node = saved["layers"][2]["inbound_nodes"][0];
  EXPECT_EQ(node["args"].size(), 1u);
  EXPECT_EQ(node["kwargs"]["count_weights"]["config"]["keras_history"][0], "w");
  const std::string path = test::fixture_temp_path("count_weights.keras");
  m.save(path);
  Model back = models::load_model(path);
  const Outputs got = back.predict({ids, w});
  test::expect_all_close(got.at(0), want, 1e-7, 1e-6);
  test::expect_all_close(got.at(1), encode(ids), 0, 0);
}

TEST(CategoryEncoding, ErrorsAsKeras) {
  test::expect_throws_with<ValueError>(
      [] {
        const Tensor ids = Tensor::from_vector<int32_t>({0, 1}, {1, 2});
        CategoryEncoding(3)(ids, test::tensor_of({1, 1}, {1, 2}, float32));
      },
      "`count_weights` is not used when `output_mode` is not `'count'`.");
  test::expect_throws_with<ValueError>(
      [] {
        CategoryEncoding(3, {.output_mode = "count"})(Input({2}, {.dtype = int32}),
                                                      {.count_weights = Input({3})});
      },
      "`count_weights` must have the shape of the ids");
  test::expect_throws_with<ValueError>([] { CategoryEncoding(0); },
                                       "`num_tokens` must be >= 1. Received: num_tokens=0.");
  test::expect_throws_with<ValueError>([] { CategoryEncoding(3, {.output_mode = "int"}); },
                                       "Unknown arg for output_mode: int");
  test::expect_throws_with<IndexError>(
      [] {
        CategoryEncoding(3)(Tensor::from_vector<int32_t>({0, 3}, {1, 2}));
      },
      "out of range [0, 3)");
  test::expect_throws_with<ValueError>(
      [] {
        CategoryEncoding(3)(Input({2, 2}, {.dtype = int32}));
      },
      "rank 1 or 2");
  test::expect_throws_with<ValueError>(
      [] {
        deserialize_layer(Json::parse(
            R"({"class_name": "CategoryEncoding", "config": {"name": "c", "num_tokens": null}})"));
      },
      "num_tokens must be set to use this layer.");
}

TEST(Discretization, Contract) {
  test::run_layer_test({
      .make_layer =
          [] {
            return Discretization({.bin_boundaries = {-0.5, 0.0, 0.5}});
          },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 3},
  });
  test::run_layer_test({
      .make_layer =
          [] { return Discretization({.bin_boundaries = {0.0}, .output_mode = "multi_hot"}); },
      .input_shape = {4, 3},
      .expected_output_shape = {4, 2},
  });
}

TEST(Discretization, BinsAreNumPysDigitize) {
  const Tensor x = test::tensor_of({-1, -0.5, -0.1, 0, 0.3, 0.5, 7, NAN}, {2, 4}, float32);
  const Tensor bins = Discretization({.bin_boundaries = {-0.5, 0.0, 0.5}})(x);
  EXPECT_EQ(bins.dtype(), int32);
  test::expect_all_close(bins, Tensor::from_vector<int32_t>({0, 1, 1, 2, 2, 3, 3, 3}, {2, 4}), 0,
                         0);
  const Tensor hot = Discretization({.bin_boundaries = {0.0}, .output_mode = "count"})(x);
  test::expect_all_close(hot, test::tensor_of({3, 1, 0, 4}, {2, 2}, float32), 0, 0);
}

TEST(Discretization, ErrorsAsKeras) {
  test::expect_throws_with<ValueError>([] { Discretization({}); },
                                       "You need to set either `num_bins` or `bin_boundaries`.");
  test::expect_throws_with<ValueError>(
      [] { Discretization({.bin_boundaries = {1.0}, .num_bins = 2}); },
      "Both `num_bins` and `bin_boundaries` should not be set.");
  test::expect_throws_with<ValueError>([] { Discretization({.num_bins = -1}); },
                                       "`num_bins` must be greater than or equal to 0.");
  test::expect_throws_with<ValueError>(
      [] { Discretization({.num_bins = 2, .output_mode = "tf_idf"}); },
      "The `output_mode` argument value must be one of");
  test::expect_throws_with<ValueError>(
      [] {
        Discretization({.num_bins = 2})(test::tensor_of({1}, {1, 1}, float32));
      },
      "call `adapt(dataset)` before you can start using the `Discretization` layer.");
  test::expect_throws_with<ValueError>(
      [] { Discretization({.bin_boundaries = {0.0}})->adapt(ones({3})); },
      "Cannot adapt a Discretization layer that has been initialized with `bin_boundaries`");
}

// adapt() estimates the quantiles as Keras's summary does: the same boundaries (float32).
TEST(Discretization, AdaptGivesKerassBoundaries) {
  for (const char* name : {"small_4", "1000_5", "ties_3", "large_7", "one_bin"}) {
    SCOPED_TRACE(name);
    auto golden = [&](const char* kind) {
      return io::load_npy(
          str(KERAS_TEST_DATA_DIR, "/layers/goldens/discretization_", name, ".", kind, ".npy"));
    };
    const Tensor params = golden("params");
    const Tensor want = golden("boundaries");
    Discretization d({.num_bins = static_cast<int64_t>(params.data<double>()[0]),
                      .epsilon = params.data<double>()[1]});
    d->adapt(golden("x"));
    ASSERT_EQ(static_cast<int64_t>(d->bin_boundaries().size()), want.size());
    for (int64_t i = 0; i < want.size(); ++i) {
      EXPECT_EQ(d->bin_boundaries()[static_cast<size_t>(i)], want.data<double>()[i]) << i;
    }
    // The config carries them, as Keras's, and a layer made from it bins the same.
    const Json config = d->get_config();
    EXPECT_EQ(config["bin_boundaries"].size(), static_cast<size_t>(want.size()));
    auto again = deserialize_layer(serialize_layer(d.impl()));
    const Tensor x = golden("x");
    test::expect_all_close(again->call_with_masks({x}, false)[0], d(x), 0, 0);
  }
}

}  // namespace
}  // namespace keras::layers
